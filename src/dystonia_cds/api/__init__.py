"""HTTP API and web pages (FastAPI): ``create_app()`` builds the application.

FastAPI is imported only when the app is built, so the report templates in this package can
be used by the CLI's HTML output without the ``web`` extra installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from dystonia_cds.api._cds_auth import CdsHooksSettings
    from dystonia_cds.knowledge import KnowledgeBase

__all__ = ["CdsHooksSettings", "create_app"]


def __getattr__(name: str) -> Any:
    """``CdsHooksSettings`` (the CDS Hooks service's settings, read by ``serve``), imported
    on first use: it needs FastAPI and pydantic-settings, the ``web`` extra."""
    if name == "CdsHooksSettings":
        from dystonia_cds.api._cds_auth import CdsHooksSettings

        return CdsHooksSettings
    raise AttributeError(f"module 'dystonia_cds.api' has no attribute {name!r}")


def create_app(kb: KnowledgeBase | None = None, **kwargs: Any) -> FastAPI:
    """Build the FastAPI application (see :func:`dystonia_cds.api.app.create_app`)."""
    from dystonia_cds.api.app import create_app as _create

    return _create(kb, **kwargs)
