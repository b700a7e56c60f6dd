"""Renderers: Assessment → text, Markdown, HTML, PDF, cards. Never the other way."""

from dystonia_cds.render.markdown import render_markdown
from dystonia_cds.render.text import assessment_view, print_assessment

__all__ = ["assessment_view", "print_assessment", "render_markdown"]
