"""Start-up re-assessment in several workers at once (``serve --workers N`` on one
database): one assessment per case version and knowledge version, never two — on both
back ends. Each "worker" is a Registry of its own (its own engine and connections)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from tests.conftest import make_case

from dystonia_cds import KnowledgeBase, __version__
from dystonia_cds.registry import Principal, Registry, RegistrySettings, local_admin
from dystonia_cds.registry.models import AssessmentChange, AssessmentRecord, CaseVersion

CASES = 24
WORKERS = 3
CLINICIAN = Principal("cleo", "clinician", "test")
_ROW = text("INSERT INTO assessments (case_version_id, engine_version, knowledge_version, "
            "top_category, etiology, checks, content, created_at) VALUES (1, 'e', :k, 't', "
            "'x', '[]', '{}', CURRENT_TIMESTAMP)")


def _new_knowledge(kb: KnowledgeBase) -> KnowledgeBase:
    return kb.model_copy(update={"version": "2027.1", "content_hash": "e" * 64})


def _per_version(url: str, knowledge_version: str) -> Counter[int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(AssessmentRecord.case_version_id)
                                .where(AssessmentRecord.knowledge_version == knowledge_version,
                                       AssessmentRecord.engine_version == __version__)).all()
    finally:
        engine.dispose()
    return Counter(int(r[0]) for r in rows)


def test_concurrent_reassess_runs_write_one_row_per_case_version(db_url: str,
                                                                 kb: KnowledgeBase) -> None:
    first = Registry(RegistrySettings(url=db_url), kb)
    for i in range(CASES):
        first.save(make_case(kb, id=f"w{i:02d}", dystonia={
            "regions": [{"region": "neck"}], "onset": f"P{20 + i}Y"}), CLINICIAN, "import")
    first.close()
    kb2 = _new_knowledge(kb)
    workers = [Registry(RegistrySettings(url=db_url), kb2) for _ in range(WORKERS)]
    start = threading.Barrier(WORKERS)
    reports: list[int] = []
    errors: list[BaseException] = []

    def run(reg: Registry) -> None:
        try:
            start.wait()
            reports.append(reg.reassess(local_admin("startup")).assessed)
        except BaseException as exc:  # reported below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        assert errors == []
        counts = _per_version(db_url, kb2.knowledge_version)
        assert len(counts) == CASES and set(counts.values()) == {1}, counts
        assert sum(reports) == CASES  # each case re-assessed by exactly one worker
        assert not workers[0].needs_reassess()
    finally:
        for w in workers:
            w.close()


def test_the_database_refuses_a_second_row_for_the_same_versions(registry: Registry,
                                                                kb: KnowledgeBase) -> None:
    registry.save(make_case(kb, id="dup"), CLINICIAN, "import")
    with registry.engine.connect() as conn:
        row = conn.execute(select(AssessmentRecord).limit(1)).mappings().one()
        copy = {k: v for k, v in row.items() if k != "id"}
        with pytest.raises(IntegrityError):
            conn.execute(insert(AssessmentRecord).values(**copy))
        conn.rollback()


def test_migration_keeps_earlier_duplicates_and_guards_new_rows(db_url: str,
                                                                kb: KnowledgeBase) -> None:
    """A database where two workers already wrote a duplicate (before 0003) upgrades; the
    duplicate stays (assessments are append-only history); rows after it are unique."""
    from alembic import command
    from alembic.config import Config

    from dystonia_cds.registry._db import MIGRATIONS

    engine = create_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        conn.commit()
    engine.dispose()
    # the old schema with the duplicate pair two workers used to write
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("INSERT INTO cases (id, current_version, created_at, "
                              "updated_at) VALUES ('old', 1, CURRENT_TIMESTAMP, "
                              "CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO case_versions (id, case_id, version, content, "
                              "author, reason, created_at) VALUES (1, 'old', 1, '{}', 'a', "
                              "'r', CURRENT_TIMESTAMP)"))
            conn.execute(_ROW, {"k": "k1"})
            conn.execute(_ROW, {"k": "k1"})
            conn.commit()
    finally:
        engine.dispose()
    reg = Registry(RegistrySettings(url=db_url), kb)  # upgrades to head
    try:
        with reg.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(AssessmentRecord)).scalar() == 2
            conn.execute(_ROW, {"k": "k2"})  # a later knowledge version: one row, fine
            with pytest.raises(IntegrityError):
                conn.execute(_ROW, {"k": "k2"})
            conn.rollback()
            assert conn.execute(select(func.count()).select_from(CaseVersion)).scalar() == 1
            assert conn.execute(select(func.count()).select_from(AssessmentChange)
                                ).scalar() == 0
    finally:
        reg.close()
