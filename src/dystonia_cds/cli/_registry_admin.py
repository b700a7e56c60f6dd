"""``dystonia-cds registry`` admin commands: backup and restore, accounts and tokens.

Split from ``registry`` (the case commands), which registers these on its app.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dystonia_cds.cli._registry_session import fail, session

if TYPE_CHECKING:
    from dystonia_cds.registry import Registry

__all__ = ["account", "backup", "disable", "restore", "token"]


def backup(dest: Annotated[Path, typer.Argument(help="Backup file to write.")]) -> None:
    """A consistent copy (SQLite online backup, or pg_dump's custom format)."""
    from dystonia_cds.registry import backup as do_backup

    with session() as (reg, who):
        cases, versions = reg.counts()  # recorded first, so the backup carries its entry
        reg.record(who, "backup", f"to {dest.name}: {cases} cases, {versions} versions")
        do_backup(reg.settings.url, dest)
    typer.echo(f"backed up {cases} cases ({versions} versions) to {dest}")


def restore(source: Annotated[Path, typer.Argument(help="A file made by `registry backup`.")],
            yes: Annotated[bool, typer.Option("--yes", help="Replace the registry.")] = False
            ) -> None:
    """Replace the whole registry with a backup's content."""
    from dystonia_cds.registry import restore as do_restore

    if not yes:
        raise fail("restore replaces the whole registry: pass --yes to confirm")
    with session() as (reg, who):
        do_restore(reg.settings.url, source)  # the audit log becomes the backup's, then:
        cases, versions = reg.counts()
        reg.record(who, "restore", f"from {source.name}: {cases} cases, {versions} versions")
    typer.echo(f"restored {cases} cases ({versions} versions) from {source}")


Expires = Annotated[str | None, typer.Option(
    "--expires", help="When the token stops working: 12h, 30d, 8w, a date (2027-03-01) or "
    "'never' (default: DYSTONIA_CDS_TOKEN_DAYS, 90 days).")]


def _expiry_line(reg: Registry, token: str) -> None:
    until = reg.token_expiry(token)
    typer.echo(f"token expires {until.isoformat(timespec='seconds')}" if until
               else "token never expires", err=True)


def account(name: Annotated[str, typer.Argument(help="Account name (a person or a service).")],
            role: Annotated[str, typer.Option(help="viewer, clinician or admin")] = "viewer",
            expires: Expires = None) -> None:
    """Create an account; prints its API token once (only a hash is stored)."""
    with session() as (reg, who):
        token = reg.add_account(who, name, role, expires=expires)
        _expiry_line(reg, token)
    typer.echo(token)


def disable(name: Annotated[str, typer.Argument(help="Account name.")]) -> None:
    """Disable an account: its tokens stop working; what it wrote stays in the history."""
    with session() as (reg, who):
        reg.disable_account(who, name)
    typer.echo(f"disabled {name}")


def token(name: Annotated[str, typer.Argument(help="Account name.")],
          revoke: Annotated[bool, typer.Option(help="Revoke the account's other tokens.")]
          = False, expires: Expires = None) -> None:
    """A new API token for an account (printed once)."""
    with session() as (reg, who):
        fresh = reg.new_token(who, name, revoke_others=revoke, expires=expires)
        _expiry_line(reg, fresh)
    typer.echo(fresh)
