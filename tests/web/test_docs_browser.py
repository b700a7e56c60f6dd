"""In Chromium, /docs renders the API's operations with every request kept on this host."""

from __future__ import annotations

from typing import Any

from tests.web.test_browser import ARTIFACTS, base_url, browser, pytestmark  # noqa: F401


def test_docs_render_offline(base_url: str, browser: Any) -> None:  # noqa: F811
    page = browser.new_page()
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url)
            if not req.url.startswith(base_url) and not req.url.startswith("data:") else None)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{base_url}/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/v1/assess" in p for p in paths)
    assert "dystonia-cds" in page.locator(".info .title").inner_text()
    assert outside == [] and errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
    page.close()
