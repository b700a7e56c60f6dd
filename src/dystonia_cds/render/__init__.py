"""Renderers: Assessment → text, Markdown, HTML, PDF, cards. Never the other way."""

from dystonia_cds.render.markdown import render_markdown
from dystonia_cds.render.text import (
    assessment_view,
    overview_table,
    print_assessment,
    print_overview,
)

__all__ = ["assessment_view", "overview_table", "print_assessment", "print_overview",
           "render_markdown"]
