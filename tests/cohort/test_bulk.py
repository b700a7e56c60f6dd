"""Finding the files of a Bulk export: each file once, in a fixed order; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from dystonia_cds import CaseError
from dystonia_cds.cohort.bulk import find_bulk_files, is_bulk_export


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"resourceType": "Patient", "id": "a"}\n', encoding="utf-8")
    return path


def test_a_folder_and_its_subfolder_give_each_file_once(tmp_path: Path) -> None:
    a = _touch(tmp_path / "Patient.ndjson")
    b = _touch(tmp_path / "sub" / "Condition.ndjson.gz")
    files = find_bulk_files([tmp_path, tmp_path / "sub", b])
    assert [f.path for f in files] == sorted([a.resolve(), b.resolve()])
    assert [f.index for f in files] == [0, 1]


def test_not_ndjson_and_nothing_found_are_named(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(CaseError, match="not an NDJSON file"):
        find_bulk_files([other])
    with pytest.raises(CaseError, match=r"no \.ndjson"):
        find_bulk_files([tmp_path])
    with pytest.raises(CaseError, match="no such file"):
        find_bulk_files([tmp_path / "missing"])


def test_bulk_export_is_told_from_case_files(tmp_path: Path) -> None:
    _touch(tmp_path / "bulk" / "Patient.ndjson")
    (tmp_path / "bulk" / "manifest.json").write_text("{}", encoding="utf-8")
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "a.yaml").write_text("x: 1\n", encoding="utf-8")
    assert is_bulk_export([tmp_path / "bulk"])
    assert not is_bulk_export([tmp_path / "cases"])
    assert not is_bulk_export([tmp_path / "bulk", tmp_path / "cases"])
