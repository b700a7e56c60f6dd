"""Backup and restore: SQLite's online backup API, ``pg_dump``/``pg_restore`` for PostgreSQL.

Why these tools: SQLite's backup copies a consistent snapshot while the server keeps
writing (a file copy of a WAL database may not be consistent); ``pg_dump`` takes a
consistent snapshot in one transaction, in the custom format ``pg_restore`` reads.
Restore replaces the whole registry with the backup's content — history included — so it
is an admin's command, refused over HTTP.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from dystonia_cds.registry.errors import RegistryError


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise RegistryError("an in-memory SQLite registry cannot be backed up")
    return Path(database).expanduser()


def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore`` from PATH, else from Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[4]) if Path(p).parts[4].isdigit()
                        else 0)
    if not candidates:
        raise RegistryError(f"{name} not found: install PostgreSQL's client tools "
                            "(Debian: postgresql-client)")
    return candidates[-1]


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    """libpq connection arguments and environment (the password never on a command line)."""
    u = make_url(url)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    args = []
    host = u.host or u.query.get("host")
    if host:
        args += ["-h", str(host)]
    if u.port:
        args += ["-p", str(u.port)]
    if u.username:
        args += ["-U", u.username]
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["(no message)"]
        raise RegistryError(f"{Path(cmd[0]).name} failed: {tail[0]}")


def _sqlite_copy(src: sqlite3.Connection, out: sqlite3.Connection,
                 checked: Path | None = None) -> None:
    """Copy ``src`` into ``out`` with SQLite's online backup (consistent while others write),
    closing both. With ``checked`` (the file ``src`` is), a ``src`` that is not an intact
    database is refused first: a restore must never replace a registry with a damaged one."""
    try:
        if checked is not None:
            try:
                intact = src.execute("PRAGMA quick_check").fetchone() == ("ok",)
            except sqlite3.DatabaseError:
                intact = False
            if not intact:
                raise RegistryError(f"{checked} is not an intact SQLite database")
        with out:
            src.backup(out)
    finally:
        out.close()
        src.close()


def backup(url: str, dest: Path) -> None:
    """Write a consistent copy of the registry at ``url`` to ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if make_url(url).get_backend_name() == "sqlite":
        _sqlite_copy(sqlite3.connect(_sqlite_path(url)), sqlite3.connect(dest))
        return
    args, env = _pg_args(url)
    _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dest), *args,
          str(make_url(url).database)], env)


def restore(url: str, source: Path) -> None:
    """Replace the registry at ``url`` with the content of a backup made by :func:`backup`."""
    if not source.is_file():
        raise RegistryError(f"no backup file at {source}")
    if make_url(url).get_backend_name() == "sqlite":
        _sqlite_copy(sqlite3.connect(source), sqlite3.connect(_sqlite_path(url), timeout=30),
                     checked=source)
        return
    args, env = _pg_args(url)
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          *args, "-d", str(make_url(url).database), str(source)], env)
