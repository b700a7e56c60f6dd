"""`dystonia-cds serve`: the web questionnaire, report pages and HTTP API on one port.

Why it may refuse to start: without JWT configuration the CDS Hooks service accepts every
call, which is fine on a developer's loopback and dangerous anywhere else. On a
non-loopback address it starts only with JWT configured (``DYSTONIA_CDS_HOOKS_*``) or with
an explicit ``--insecure``, which prints a warning; and with JWT on, several workers need a
shared replay store (``DYSTONIA_CDS_HOOKS_REPLAY_DB``), or a token could be replayed once
per worker. Several workers also share the reports behind CDS Hooks card links (a link made
by one worker must open on any): through ``DYSTONIA_CDS_HOOKS_REPORT_DB`` (or the replay
file) when set, else through a private file made for this run and removed after it.
"""

from __future__ import annotations

import atexit
import ipaddress
import os
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Annotated

import typer

APP = "dystonia_cds.api.app:create_app"


def _tcp_socket(host: str, port: int) -> socket.socket:
    """A listening socket created with proto=IPPROTO_TCP.

    Why: uvicorn's multi-worker mode binds with proto 0, and asyncio then skips TCP_NODELAY
    on accepted connections, which costs ~40 ms per response (Nagle + delayed ACK).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


_WORKER_HEALTHCHECK_S = 120


def run_server(host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
               access_log: bool = True, log_level: str = "info") -> None:
    """Run uvicorn with the app factory; several worker processes when ``workers > 1``."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    # Each worker loads the HPO ontology and assesses a case at start-up (api/_warm.py): for
    # seconds a native extension holds the GIL, so the worker cannot answer the supervisor's
    # health ping. uvicorn's default 5 s then kills and restarts it, again and again on a
    # busy machine (seen: "Child process died" in a loop, connections refused).
    config = uvicorn.Config(APP, factory=True, host=host, port=port, workers=workers,
                            log_level=log_level, access_log=access_log, server_header=False,
                            timeout_worker_healthcheck=_WORKER_HEALTHCHECK_S)
    server = uvicorn.Server(config)
    if workers <= 1:
        server.run()
        return
    Multiprocess(config, sockets=[_tcp_socket(host, port)]).run()


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip().lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost: treat as exposed


def startup_problem(host: str, workers: int, insecure: bool) -> str | None:
    """Why the server must not start as asked, or None; warns on stderr under --insecure."""
    try:
        from dystonia_cds.api import CdsHooksSettings
    except ImportError:  # no standards extra: no CDS Hooks service is mounted
        return None
    settings = CdsHooksSettings()
    if settings.configured and not settings.base_url:
        return ("DYSTONIA_CDS_HOOKS_BASE_URL must be set with a JWT key: it is the audience "
                "every token is checked against")
    if settings.configured and workers > 1 and not settings.replay_db:
        return ("several workers with JWT need a shared replay store: set "
                "DYSTONIA_CDS_HOOKS_REPLAY_DB to an SQLite file path, or use --workers 1")
    if settings.configured or is_loopback(host):
        return None
    if insecure:
        typer.echo("WARNING: --insecure: the CDS Hooks service on this address accepts calls "
                   "WITHOUT authentication. Configure DYSTONIA_CDS_HOOKS_JWKS_URL or "
                   "DYSTONIA_CDS_HOOKS_PUBLIC_KEY before connecting an EHR.", err=True)
        return None
    return (f"refusing to listen on {host} without CDS Hooks JWT configuration: anyone could "
            "call the service. Set DYSTONIA_CDS_HOOKS_JWKS_URL or _PUBLIC_KEY (and _BASE_URL, "
            "_ISSUERS), listen on 127.0.0.1, or pass --insecure for a closed test network")


def shared_report_file(workers: int) -> Path | None:
    """With several workers and no report file configured, make a private one (in a new
    owner-only folder, removed at exit) and name it in the environment the workers inherit;
    returns it, or None when one process or a configured file needs none."""
    if workers <= 1:
        return None
    try:
        from dystonia_cds.api import CdsHooksSettings
    except ImportError:  # no standards extra: no CDS Hooks service, no reports
        return None
    if CdsHooksSettings().reports_file:
        return None
    folder = Path(tempfile.mkdtemp(prefix="dystonia-cds-reports-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "reports.sqlite"
    os.environ["DYSTONIA_CDS_HOOKS_REPORT_DB"] = str(path)
    return path


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (each loads the knowledge "
                                               "base once).")] = 1,
    insecure: Annotated[bool, typer.Option(
        "--insecure", help="Allow a non-loopback address without CDS Hooks JWT "
        "configuration (testing on a closed network only).")] = False,
) -> None:
    """Serve the web questionnaire (/), the report pages and the HTTP API (/docs)."""
    try:
        import uvicorn  # noqa: F401
    except ImportError:
        typer.echo("serve needs the web extra: pip install 'dystonia-cds[web]'", err=True)
        raise typer.Exit(2) from None
    problem = startup_problem(host, workers, insecure)
    if problem:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(2)
    shared_report_file(workers)
    typer.echo(f"dystonia-cds: http://{host}:{port}/  (API docs: /docs; Ctrl-C to stop)")
    run_server(host, port, workers)
