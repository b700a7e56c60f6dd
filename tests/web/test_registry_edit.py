"""Registry edit page in real Chromium: the clinician form prefilled from the stored version
(several lesions included) and saved after changing only the onset keeps every field the
form does not show (notes, variants, lesion volume and fraction, HPO features outside the
form's list, the birth date): the new version differs from the old in the onset only."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("sqlalchemy", reason="the registry extra is not installed")

from tests.api.test_registry_web import RICH

from dystonia_cds import load_knowledge
from dystonia_cds.registry import Registry, RegistrySettings, local_admin


def test_edit_in_the_browser_keeps_what_the_form_does_not_show(tab: Any,
                                                                live_url: str) -> None:
    # The live app opens the default registry (the test session's data directory).
    reg = Registry(RegistrySettings.from_env(), load_knowledge())
    admin = local_admin("test")
    token = reg.add_account(admin, "browser-clinician", "clinician")
    case = json.loads(json.dumps(RICH))
    case["id"] = "browser-edit"
    page = tab
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_url}/registry/sign-in")
    page.fill("input[name=token]", token)
    page.click("button[type=submit]")
    page.goto(f"{live_url}/registry/new")
    page.evaluate("""(c) => { const f = document.getElementById('case-form');
        document.getElementById('case-json').value = JSON.stringify(c);
        HTMLFormElement.prototype.submit.call(f); }""", case)  # as stored by an import
    page.wait_for_url(f"{live_url}/registry/cases/browser-edit")
    page.goto(f"{live_url}/registry/cases/browser-edit/edit")
    assert errors == []
    assert page.locator("#rows-imaging .row .lesion").count() == 2  # both lesions shown
    assert page.input_value("#f-onset") == "P50Y"
    page.fill("#f-onset", "49 years")
    page.locator("#f-onset").dispatch_event("change")
    page.fill("#reason", "onset corrected")
    page.click("#save-version")
    page.wait_for_url(f"{live_url}/registry/cases/browser-edit")
    saved = reg.get("browser-edit", admin).data()
    assert saved["dystonia"]["onset"] == "P49Y"
    changes = reg.diff("browser-edit", admin)["case_changes"]
    assert [c["field"] for c in changes] == ["dystonia.onset"], changes
    assert reg.history("browser-edit", admin)[-1]["reason"] == "onset corrected"
