"""The `dystonia-cds` command line: thin commands over the public API."""

from __future__ import annotations

import os
import sys

import typer

from dystonia_cds.cli._typos import SuggestingGroup
from dystonia_cds.cli.assess import assess_command
from dystonia_cds.cli.knowledge import knowledge_command, schema_command
from dystonia_cds.cli.model import model_app
from dystonia_cds.cli.registry import registry_app
from dystonia_cds.cli.screen import screen

app = typer.Typer(
    name="dystonia-cds",
    help="Explainable decision support for dystonia: primary or acquired, from what. "
    "General information, not a diagnosis.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=SuggestingGroup,  # 'did you mean …?' on a mistyped command, option or choice
)
app.command("assess")(assess_command)
app.command("knowledge")(knowledge_command)
app.command("schema")(schema_command)
app.command("screen")(screen)
app.add_typer(model_app, name="model")
app.add_typer(registry_app, name="registry")


def _register_optional() -> None:
    """Commands whose extras may not be installed register only when importable."""
    try:
        from dystonia_cds.cli.lesion import lesion
    except ImportError:
        pass
    else:
        app.command("lesion")(lesion)
    try:
        from dystonia_cds.cli.convert import convert
    except ImportError:
        pass
    else:
        app.command("convert")(convert)
    try:
        import orjson  # noqa: F401  (synth writes NDJSON with it: the cohort extra)
    except ImportError:
        pass
    else:
        from dystonia_cds.cli.cohort import synth

        app.command("synth")(synth)
    try:
        from dystonia_cds.cli.serve import serve
    except ImportError:
        pass
    else:
        app.command("serve")(serve)


_register_optional()


def main() -> None:
    """Entry point. An unexpected error is reported in one line (set DYSTONIA_CDS_DEBUG=1 for
    the traceback), so no traceback — which could echo patient data — reaches a user."""
    try:
        app()
    except Exception as exc:  # the last guard; typer's own exits are SystemExit, not caught
        if os.environ.get("DYSTONIA_CDS_DEBUG"):
            raise
        sys.stderr.write(f"dystonia-cds: internal error ({type(exc).__name__}); this is a bug — "
                         "please report it with the command used (set DYSTONIA_CDS_DEBUG=1 for "
                         "details)\n")
        raise SystemExit(1) from None
