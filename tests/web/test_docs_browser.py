"""In Chromium, /docs renders the API's operations under the page's real CSP (no bypass),
with every request kept on this host."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import screenshot


def test_docs_render_offline(live_url: str, chromium: Any) -> None:
    page = chromium.new_page()  # not the `tab` fixture: that one bypasses the CSP for axe
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url)
            if not req.url.startswith(live_url) and not req.url.startswith("data:") else None)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_url}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/v1/assess" in p for p in paths)
    assert "dystonia-cds" in page.locator(".info .title").inner_text()
    assert outside == [] and errors == []
    screenshot(page, "api-docs.png")
    page.close()
