"""`dystonia-cds serve`: the web questionnaire, report pages and HTTP API on one port."""

from __future__ import annotations

import socket
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


def run_server(host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
               access_log: bool = True, log_level: str = "info") -> None:
    """Run uvicorn with the app factory; several worker processes when ``workers > 1``."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(APP, factory=True, host=host, port=port, workers=workers,
                            log_level=log_level, access_log=access_log, server_header=False)
    server = uvicorn.Server(config)
    if workers <= 1:
        server.run()
        return
    Multiprocess(config, sockets=[_tcp_socket(host, port)]).run()


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (each loads the knowledge "
                                               "base once).")] = 1,
) -> None:
    """Serve the web questionnaire (/), the report pages and the HTTP API (/docs)."""
    try:
        import uvicorn  # noqa: F401
    except ImportError:
        typer.echo("serve needs the web extra: pip install 'dystonia-cds[web]'", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"dystonia-cds: http://{host}:{port}/  (API docs: /docs; Ctrl-C to stop)")
    run_server(host, port, workers)
