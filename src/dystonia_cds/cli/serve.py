"""`dystonia-cds serve`: the web questionnaire, report pages and HTTP API on one port."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (each loads the knowledge "
                                               "base once).")] = 1,
) -> None:
    """Serve the web questionnaire (/), the report pages and the HTTP API (/docs)."""
    try:
        import uvicorn
    except ImportError:
        typer.echo("serve needs the web extra: pip install 'dystonia-cds[web]'", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"dystonia-cds: http://{host}:{port}/  (API docs: /docs; Ctrl-C to stop)")
    uvicorn.run("dystonia_cds.api.app:create_app", factory=True, host=host, port=port,
                workers=workers, log_level="info", server_header=False)
