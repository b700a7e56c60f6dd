"""The registry's session for a command: the open registry and the local admin, with every
registry error turned into one line on stderr and an exit code (never a traceback).

Split from ``registry`` (the commands), shared by its case commands and its admin commands
(``_registry_admin``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dystonia_cds import CaseError, default_knowledge

if TYPE_CHECKING:
    from dystonia_cds.registry import Registry

__all__ = ["AsJson", "CaseId", "fail", "print_out", "session"]

CaseId = Annotated[str, typer.Argument(help="The case id (its `id` field).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextmanager
def session() -> Iterator[tuple[Registry, Any]]:
    """The open registry and the local admin; registry errors become one line, no trace."""
    try:
        from sqlalchemy.exc import SQLAlchemyError

        from dystonia_cds.registry import (
            NotFound,
            Registry,
            RegistryError,
            VersionConflict,
            local_admin,
        )
    except ImportError:
        raise fail("the registry needs its extra: pip install 'dystonia-cds[registry]'") \
            from None
    try:
        reg = Registry.open(kb=default_knowledge())
    except SQLAlchemyError as exc:
        raise fail(f"cannot open the registry ({type(exc).__name__}): check DATABASE_URL") \
            from None
    except ValueError as exc:  # a setting in the environment (DYSTONIA_CDS_TOKEN_DAYS)
        raise fail(str(exc)) from None
    try:
        yield reg, local_admin()
    except NotFound as exc:
        raise fail(f"no case {str(exc)!r} (or no such version) in the registry", 1) from None
    except VersionConflict as exc:
        raise fail(f"the case changed meanwhile: {exc}", 1) from None
    except CaseError as exc:
        from dystonia_cds.cli._common import report_case_error

        report_case_error(exc)
        raise typer.Exit(2) from None
    except (RegistryError, ValueError) as exc:
        raise fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise fail(f"registry database error ({type(exc).__name__})") from None
    finally:
        reg.close()


def print_out(data: Any, as_json: bool, text: Callable[[], None]) -> None:
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        text()
