"""The store: append-only versions with author/time/reason, assessments with their
versions, conflicts, pseudonyms, notes switch, database-enforced append-only history."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from tests.conftest import REPO, make_case

from dystonia_cds import CaseError, KnowledgeBase, load_case
from dystonia_cds.registry import (
    Forbidden,
    NotFound,
    Principal,
    Registry,
    RegistrySettings,
    VersionConflict,
    local_admin,
)

ADMIN = local_admin("test")
VIEWER = Principal("vera", "viewer", "test")
CLINICIAN = Principal("cleo", "clinician", "test")


def example(kb: KnowledgeBase, name: str) -> object:
    return load_case(REPO / "examples" / f"{name}.yaml", kb)


def test_versions_are_appended_with_author_time_reason(registry: Registry,
                                                       kb: KnowledgeBase) -> None:
    case = example(kb, "post-stroke-arm")
    first = registry.save(case, CLINICIAN, "first visit")  # type: ignore[arg-type]
    edited = case.model_copy(update={"patient": case.patient.model_copy(  # type: ignore[attr-defined]
        update={"sex": "female"})})
    second = registry.save(edited, ADMIN, "sex recorded", expected=first.version)
    assert (first.version, second.version) == (1, 2)
    hist = registry.history("post-stroke-arm", VIEWER)
    assert [(h["version"], h["author"], h["reason"]) for h in hist] == [
        (1, "cleo", "first visit"), (2, ADMIN.name, "sex recorded")]
    assert all(h["created_at"].endswith("+00:00") for h in hist)
    old = registry.get("post-stroke-arm", VIEWER, version=1)
    new = registry.get("post-stroke-arm", VIEWER)
    assert old.data()["patient"]["sex"] == "male" and new.data()["patient"]["sex"] == "female"
    assert registry.case(old) == case  # what was stored is given back
    diff = registry.diff("post-stroke-arm", VIEWER)
    assert diff["case_changes"] == [{"field": "patient.sex", "before": "\"male\"",
                                     "after": "\"female\""}]


def test_assessment_stored_with_case_engine_and_knowledge_versions(
        registry: Registry, kb: KnowledgeBase) -> None:
    from dystonia_cds import __version__

    saved = registry.save(example(kb, "metoclopramide-acute"), CLINICIAN, "import")  # type: ignore[arg-type]
    found = registry.assessments(saved.case_id, VIEWER)
    assert len(found) == 1
    a = found[0]
    assert (a["case_version"], a["engine_version"], a["knowledge_version"]) == (
        1, __version__, kb.knowledge_version)
    assert (a["top"], a["etiology"]) == ("drug_induced_acute", "acquired")
    full = json.loads(registry.assessment_json(saved.case_id, VIEWER, a["id"]))
    assert full["case_id"] == saved.case_id and full["knowledge_version"] == kb.knowledge_version


def test_stale_version_is_refused_and_nothing_written(registry: Registry,
                                                      kb: KnowledgeBase) -> None:
    case = example(kb, "dental-jaw")
    registry.save(case, CLINICIAN, "v1")  # type: ignore[arg-type]
    registry.save(case, CLINICIAN, "v2", expected=1)  # type: ignore[arg-type]
    with pytest.raises(VersionConflict) as exc:
        registry.save(case, CLINICIAN, "stale", expected=1)  # type: ignore[arg-type]
    assert exc.value.current == 2
    assert [h["reason"] for h in registry.history("dental-jaw", VIEWER)] == ["v1", "v2"]
    with pytest.raises(VersionConflict):  # "create" of an existing id
        registry.save(case, CLINICIAN, "again", expected=0)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        registry.save(case.model_copy(update={"id": "other"}), CLINICIAN, "x", expected=3)  # type: ignore[attr-defined]
    assert registry.counts() == (1, 2)


def test_pseudonym_when_no_id_and_bad_ids_refused(registry: Registry, kb: KnowledgeBase) -> None:
    saved = registry.save(make_case(kb), CLINICIAN, "no id")
    assert saved.case_id.startswith("DC-") and len(saved.case_id) == 13
    assert registry.get(saved.case_id, VIEWER).data()["id"] == saved.case_id
    with pytest.raises(CaseError) as exc:
        registry.save(make_case(kb, id="Jane Doe"), CLINICIAN, "name as id")
    assert exc.value.problems[0].field == "id" and exc.value.problems[0].value == "Jane Doe"


def test_notes_can_be_switched_off(db_url: str, kb: KnowledgeBase) -> None:
    reg = Registry(RegistrySettings(url=db_url, notes_allowed=False), kb)
    try:
        case = make_case(kb, id="n1", events=[{"type": "head_injury", "before_onset": "P1M",
                                                "note": "fell at work"}],
                         family_history={"dystonia": False, "note": "mother well"})
        saved = reg.save(case, CLINICIAN, "import")
        assert saved.removed_notes == ["events[0].note", "family_history.note"]
        stored = reg.get("n1", VIEWER).content
        assert "fell at work" not in stored and "mother well" not in stored
        assert json.loads(stored)["events"][0]["type"] == "head_injury"
    finally:
        reg.close()


def test_roles(registry: Registry, kb: KnowledgeBase) -> None:
    with pytest.raises(Forbidden):
        registry.save(make_case(kb, id="r1"), VIEWER, "viewer write")
    registry.save(make_case(kb, id="r1"), CLINICIAN, "ok")
    assert registry.get("r1", VIEWER).version == 1
    with pytest.raises(Forbidden):
        registry.audit(CLINICIAN)
    with pytest.raises(Forbidden):
        registry.add_account(CLINICIAN, "mallory", "admin")
    token = registry.add_account(ADMIN, "vera", "viewer")
    who = registry.principal(token, "http:1.2.3.4")
    assert who is not None and (who.name, who.role) == ("vera", "viewer")
    assert registry.principal(token + "x", "http:1.2.3.4") is None
    fresh = registry.new_token(ADMIN, "vera", revoke_others=True)
    assert registry.principal(token, "x") is None and registry.principal(fresh, "x") is not None
    registry.disable_account(ADMIN, "vera")
    assert registry.principal(fresh, "x") is None


def test_token_stored_only_as_hash(registry: Registry) -> None:
    token = registry.add_account(ADMIN, "tom", "clinician")
    with registry.engine.connect() as conn:
        rows = conn.execute(text("SELECT token_hash, prefix FROM api_tokens")).all()
    assert len(rows) == 1 and token not in rows[0][0] and len(rows[0][0]) == 64
    assert not token.startswith(rows[0][0])


def test_every_read_and_write_is_audited(registry: Registry, kb: KnowledgeBase) -> None:
    registry.save(make_case(kb, id="a1"), CLINICIAN, "create")
    registry.get("a1", VIEWER)
    registry.history("a1", VIEWER)
    registry.list_cases(VIEWER)
    entries = registry.audit(ADMIN)
    assert [(e["actor"], e["action"], e["case_id"]) for e in entries] == [
        ("vera", "list", None), ("vera", "history", "a1"), ("vera", "read", "a1"),
        ("cleo", "create", "a1")]
    assert all(e["origin"] == "test" for e in entries)


@pytest.mark.parametrize("table", ["case_versions", "assessments", "audit_log"])
def test_history_tables_refuse_update_and_delete(registry: Registry, kb: KnowledgeBase,
                                                 table: str) -> None:
    registry.save(make_case(kb, id="t1"), CLINICIAN, "create")
    for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
        with pytest.raises(Exception, match="append-only"), registry.engine.begin() as conn:
            conn.execute(text(sql))
    assert registry.counts() == (1, 1)


def test_list_filters_and_keyset_pagination(registry: Registry, kb: KnowledgeBase) -> None:
    names = ["cataract-eyes", "dental-jaw", "idiopathic-cervical", "inherited-generalized",
             "metoclopramide-acute", "post-stroke-arm"]
    for n in names:
        registry.save(example(kb, n), CLINICIAN, "import")  # type: ignore[arg-type]
    page1 = registry.list_cases(VIEWER, limit=4)
    page2 = registry.list_cases(VIEWER, after=page1[-1]["id"], limit=4)
    assert [r["id"] for r in page1 + page2] == names
    primary = registry.list_cases(VIEWER, etiology="primary")
    assert [r["id"] for r in primary] == ["idiopathic-cervical", "inherited-generalized"]
    assert [r["id"] for r in registry.list_cases(VIEWER, top="drug_induced_acute")] == [
        "metoclopramide-acute"]


def test_reassess_on_knowledge_update_records_what_changed(db_url: str,
                                                           kb: KnowledgeBase) -> None:
    old = Registry(RegistrySettings(url=db_url), kb)
    for n in ("metoclopramide-acute", "post-stroke-arm"):
        old.save(example(kb, n), CLINICIAN, "import")  # type: ignore[arg-type]
    assert not old.needs_reassess()
    old.close()
    # "knowledge 2027.1": metoclopramide is no longer a known drug
    kb2 = kb.model_copy(update={"version": "2027.1", "content_hash": "f" * 64, "drugs": {
        k: v for k, v in kb.drugs.items() if k != "metoclopramide"}})
    new = Registry(RegistrySettings(url=db_url), kb2)
    try:
        assert new.needs_reassess()
        report = new.reassess(ADMIN)
        assert (report.assessed, report.unchanged, len(report.changed)) == (2, 1, 1)
        changed = report.changed[0]
        assert changed["case_id"] == "metoclopramide-acute"
        whats = {c["what"]: (c["before"], c["after"]) for c in changed["changes"]}
        assert whats["top cause"] == ("drug_induced_acute", "idiopathic")
        assert whats["primary/acquired"] == ("acquired", "undetermined")
        assert not new.needs_reassess()
        again = new.reassess(ADMIN)  # nothing left to do with this knowledge version
        assert (again.assessed, again.changed) == (0, [])
        runs = new.runs(ADMIN)
        assert runs[1]["knowledge_version"] == "2027.1+ffffffffffff"
        assert (runs[1]["assessed"], runs[1]["changed"]) == (2, 1)
        assert runs[1]["cases"][0]["case_id"] == "metoclopramide-acute"
        d = new.diff("metoclopramide-acute", ADMIN, 1, 1)  # same version, two knowledges
        assert d["case_changes"] == []
        assert d["from_assessment"]["knowledge_version"] == kb.knowledge_version
        assert {c["what"] for c in d["conclusion_changes"]} >= {"top cause",
                                                                 "primary/acquired"}
        assert len(new.assessments("metoclopramide-acute", ADMIN)) == 2
    finally:
        new.close()


def test_schema_migrated_to_head_and_reopen_keeps_cases(db_url: str, kb: KnowledgeBase) -> None:
    from alembic.script import ScriptDirectory

    from dystonia_cds.registry._db import MIGRATIONS, schema_revision

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    reg = Registry(RegistrySettings(url=db_url), kb)
    reg.save(make_case(kb, id="keep"), CLINICIAN, "create")
    assert head is not None and int(head) >= 2  # 0002: token expiry
    assert schema_revision(reg.engine) == head
    reg.close()
    again = Registry(RegistrySettings(url=db_url), kb)
    try:
        assert again.get("keep", VIEWER).version == 1
    finally:
        again.close()


def test_sqlite_pragmas(tmp_path: object, kb: KnowledgeBase) -> None:
    reg = Registry(RegistrySettings(url=f"sqlite:///{tmp_path}/r.db"), kb)
    try:
        with reg.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    finally:
        reg.close()
