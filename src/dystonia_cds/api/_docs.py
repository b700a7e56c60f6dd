"""The interactive API page (/docs), served from this machine: no CDN, no inline script.

Why: FastAPI's default Swagger UI page loads its script and stylesheet from a CDN and starts
itself with an inline script. Offline (a hospital network, these machines) it shows nothing,
and it forces a weaker Content-Security-Policy on the page. Here the Swagger UI files come
from the ``fastapi-offline`` package's static folder (the web extra; only its files are
used) and the start-up code is a static file, so /docs runs under the same policy as
every other page. Without the package, /docs says where the OpenAPI document is instead.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"


def _page(title: str) -> str:
    t = escape(title)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{t} — API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<link rel="icon" href="{ASSETS}/favicon.png"></head>
<body><div id="swagger-ui" data-openapi-url="/openapi.json"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/docs-init.js"></script>
</body></html>"""


_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API documentation</title></head>
<body><main><h1>API documentation</h1>
<p>The interactive page needs the <code>fastapi-offline</code> package
(<code>pip install "dystonia-cds[web]"</code>). The OpenAPI document is at
<a href="/openapi.json">/openapi.json</a>.</p></main></body></html>"""


def install_docs(app: FastAPI) -> None:
    """Serve /docs and its assets from the installed ``fastapi-offline``, if any.

    Swagger UI 5 is needed: FastAPI writes OpenAPI 3.1, which Swagger UI 4 cannot render."""
    try:
        import fastapi_offline
    except ImportError:
        folder = None
    else:
        folder = Path(fastapi_offline.__file__).resolve().parent / "static"
    if folder is not None and (folder / "swagger-ui-bundle.js").is_file():
        app.mount(ASSETS, StaticFiles(directory=str(folder)), name="docs-assets")
        page = _page(app.title)
    else:
        page = _MISSING

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        return HTMLResponse(page)
