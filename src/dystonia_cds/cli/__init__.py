"""The `dystonia-cds` command line: thin commands over the public API.

:func:`main` serves the plain `assess FILE… -f json` itself (``_plain``: the same code,
without importing typer) and hands every other call to the typer application
(``_app.app``), which imports each command module when it is called. ``app`` and the
application's other names are importable from here as before; they import typer on first
use (PEP 562).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dystonia_cds.cli._app import COMMANDS, LazyGroup, app

_APP_NAMES = ("COMMANDS", "LazyGroup", "app")


def __getattr__(name: str) -> Any:
    """``app``, ``COMMANDS``, ``LazyGroup`` from ``_app`` (typer imported then)."""
    if name in _APP_NAMES:
        from dystonia_cds.cli import _app

        return getattr(_app, name)
    raise AttributeError(f"module 'dystonia_cds.cli' has no attribute {name!r}")


def main() -> None:
    """Entry point. An unexpected error is reported in one line (set DYSTONIA_CDS_DEBUG=1 for
    the traceback), so no traceback — which could echo patient data — reaches a user."""
    try:
        from dystonia_cds.cli._plain import plain_assess, run

        plain = plain_assess(sys.argv[1:])
        if plain is not None:
            raise SystemExit(run(*plain))
        from dystonia_cds.cli._app import app

        app()
    except Exception as exc:  # the last guard; typer's own exits are SystemExit, not caught
        if os.environ.get("DYSTONIA_CDS_DEBUG"):
            raise
        sys.stderr.write(f"dystonia-cds: internal error ({type(exc).__name__}); this is a bug — "
                         "please report it with the command used (set DYSTONIA_CDS_DEBUG=1 for "
                         "details)\n")
        raise SystemExit(1) from None


__all__ = ["COMMANDS", "LazyGroup", "app", "main"]
