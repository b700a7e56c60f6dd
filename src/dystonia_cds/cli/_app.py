"""The typer application of the `dystonia-cds` command line, its commands imported on use.

Commands are imported when they are called, not at start-up (:class:`LazyGroup`): a call
pays the start-up every time, and importing every command module, and building every
command's typer parameters from its signature, cost ~0.1 s CPU that `assess` never used
(rich's progress bars for `screen`, the registry's models, the FHIR and imaging adapters'
checks for `convert` and `lesion`). `--help`, a mistyped command's "did you mean" and shell
completion load them all, as before. This module is imported by :func:`dystonia_cds.cli.main`
for every call except the plain `assess … -f json` (``cli._plain``), which needs no typer.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import typer

from dystonia_cds.cli._typos import SuggestingGroup

# name -> (module, attribute, package that must import): in the order `--help` lists them
# (commands, then the sub-command groups, as typer orders a Typer's registrations). A
# command whose module or extra does not import is not offered, as an unregistered command.
COMMANDS: dict[str, tuple[str, str, str | None]] = {
    "assess": ("dystonia_cds.cli.assess", "assess_command", None),
    "knowledge": ("dystonia_cds.cli.knowledge", "knowledge_command", None),
    "schema": ("dystonia_cds.cli.knowledge", "schema_command", None),
    "screen": ("dystonia_cds.cli.screen", "screen", None),
    "lesion": ("dystonia_cds.cli.lesion", "lesion", None),
    "convert": ("dystonia_cds.cli.convert", "convert", None),
    "synth": ("dystonia_cds.cli.cohort", "synth", "orjson"),  # writes NDJSON with orjson
    "serve": ("dystonia_cds.cli.serve", "serve", None),
    "model": ("dystonia_cds.cli.model", "model_app", None),
    "registry": ("dystonia_cds.cli.registry", "registry_app", None),
}


def _noop() -> None:
    """The root group's callback: a group needs one to exist before its commands do."""


def _load(name: str) -> Any:
    """The click command of ``name``, built by typer as if registered on the root app; None
    when its module or extra cannot be imported."""
    module, attribute, needs = COMMANDS[name]
    try:
        if needs is not None:
            import_module(needs)
        target = getattr(import_module(module), attribute)
    except ImportError:
        return None
    holder = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    holder.callback()(_noop)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
    else:
        holder.command(name)(target)
    group: Any = typer.main.get_command(holder)
    return group.commands[name]


class LazyGroup(SuggestingGroup):
    """The root group: each command built on first lookup from :data:`COMMANDS`."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            command = _load(cmd_name)
            if command is not None:
                self.commands[cmd_name] = command
        elif cmd_name not in COMMANDS:
            self._load_all()  # an unknown name: typer's "did you mean" reads self.commands
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        self._load_all()
        return [name for name in COMMANDS if name in self.commands]

    def _load_all(self) -> None:
        for name in COMMANDS:
            if name not in self.commands:
                command = _load(name)
                if command is not None:
                    self.commands[name] = command


app = typer.Typer(
    name="dystonia-cds",
    help="Explainable decision support for dystonia: primary or acquired, from what. "
    "General information, not a diagnosis.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyGroup,  # commands on first use; 'did you mean …?' on a mistyped one (_typos)
)
app.callback()(_noop)

