"""The plain `dystonia-cds assess FILE… -f json` without typer (issue 13, start-up).

Why: that call is the one scripts and pipelines make, and it pays the start-up every time.
typer costs ~100 M instructions of its ~1,200 M (importing it and its vendored click,
building the command from its signature, parsing): more than the assessment itself. So
:func:`plain_assess` recognises exactly that call — ``assess``, files, ``-f json`` (or
``--format json`` / ``--format=json``) and optionally ``--audience clinician|patient``, each
option at most once — and everything else (help, other options, other formats, a typo,
``--``, an option value typer would reject, shell completion) goes to typer as before. The
accepted calls are those typer parses to the same arguments, so both run the same
``_assess_run.run_assess`` and print the same bytes with the same exit code
(tests/cli/test_plain_assess.py compares them). The exits mirror typer's ``_main``: 2 when
an input could not be read, 130 on Ctrl-C, 1 on a closed pipe.
"""

from __future__ import annotations

import errno
import gc
import os
import sys

# Nothing heavy imported here: main() decides with plain_assess whether a call is plain
# before anything else is imported (a typer call imports what its command needs, as before).
_FORMAT = ("-f", "--format")
_AUDIENCE = ("--audience",)
_AUDIENCES = ("clinician", "patient")  # _assess_run.Audience (a test keeps them the same)


def _stdout_is_plain() -> bool:
    """True when click would write to ``sys.stdout`` as it is: a text stream with an
    encoding that is not ASCII (click re-wraps an ASCII one) and an ``errors`` setting."""
    from codecs import lookup

    stream = sys.stdout
    encoding = getattr(stream, "encoding", None)
    if stream is None or not encoding or getattr(stream, "errors", None) is None:
        return False
    try:
        return lookup(encoding).name != "ascii"
    except LookupError:
        return False


def plain_assess(args: list[str]) -> tuple[list[str], str] | None:
    """(files, audience) when ``args`` (``sys.argv[1:]``) is a plain `assess … -f json`
    that :func:`run` may serve; None when typer is to parse it."""
    if not args or args[0] != "assess" or os.name == "nt":
        return None  # typer expands wildcards on Windows
    if any(k.endswith("_COMPLETE") for k in os.environ):
        return None  # a shell-completion request: typer answers it
    files: list[str] = []
    options: dict[str, str] = {}
    rest = iter(args[1:])
    for token in rest:
        name, eq, value = token.partition("=")
        if token == "-" or (token and not token.startswith("-")):
            files.append(token)
            continue
        if name not in (*_FORMAT, *_AUDIENCE) or (eq and not name.startswith("--")):
            return None  # '-fjson', '-f=json', '--', an unknown or mistyped option
        key = "format" if name in _FORMAT else "audience"
        if key in options:
            return None  # given twice: typer takes the last one; leave it to typer
        if not eq:
            value = next(rest, "")
        options[key] = value
    if not files or options.get("format") != "json":
        return None
    audience = options.get("audience", "clinician")
    if audience not in _AUDIENCES or not _stdout_is_plain():
        return None
    return files, audience


def _start() -> None:
    """Import what the call needs and load the knowledge base with the collector off, then
    freeze every object made so far (``gc.freeze``).

    Why: the start-up — pydantic, the Case and engine modules, the knowledge base — makes
    tens of thousands of long-lived objects and no garbage. The collector would walk them on
    its collections during the start-up (~30 M instructions) and once more at interpreter
    exit (~50 M of the ~1,100 M of a call), for nothing. Frozen, they are never collected
    (they live until exit anyway); what the assessment makes is collected as usual. The
    collector is enabled again only if it was on (an in-process caller may have it off)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        from dystonia_cds import default_knowledge
        from dystonia_cds.cli import _assess_run  # noqa: F401  (the modules the call needs)

        default_knowledge()
        gc.freeze()
    finally:
        if was_enabled:
            gc.enable()


def _echo(message: str, err: bool = False) -> None:
    """``typer.echo`` for what `-f json` prints: a str on a plain stream (click writes it as
    is, with a newline, and flushes; JSON holds no ANSI codes for it to strip)."""
    stream = sys.stderr if err else sys.stdout
    stream.write(message + "\n")
    stream.flush()


def run(files: list[str], audience: str) -> int:
    """Assess ``files`` as `assess -f json` does under typer; the exit code."""
    try:
        _start()
        from dystonia_cds.cli._assess_run import Audience, Format, run_assess

        failed = run_assess(files, Format.json, None, Audience(audience), _echo)
    except KeyboardInterrupt:
        return 130
    except EOFError:
        from typer import rich_utils

        _echo("", err=True)
        rich_utils.rich_abort_error()
        return 1
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        from typer._click.utils import PacifyFlushWrapper

        sys.stdout = PacifyFlushWrapper(sys.stdout)
        sys.stderr = PacifyFlushWrapper(sys.stderr)
        return 1
    return 2 if failed else 0
