"""`build` (policy_kb.build): incremental, isolated per file, atomic, stable IDs."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from conftest import REGULATION_TXT, SEED_IDS

from policy_kb.build import build
from policy_kb.ingest import document
from policy_kb.store import Store

SENTINEL = "1999-01-01 00:00:00"


def quiet(_msg: str) -> None:
    pass


def run(corpus: Path, index: Path, messages: list[str] | None = None):
    return build(corpus, index, progress=(messages.append if messages is not None else quiet))


def snapshot(index: Path) -> dict:
    """Everything a rewrite would change: document rows (incl. built_at and rowid) and clause rows."""
    conn = sqlite3.connect(index / "kb.sqlite")
    try:
        docs = conn.execute(
            "SELECT rowid, id, file, content_hash, built_at, text FROM documents ORDER BY id"
        ).fetchall()
        clauses = conn.execute("SELECT rowid, id, doc_id, ord, text FROM clauses ORDER BY id").fetchall()
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()
    return {"docs": docs, "clauses": clauses, "built_at": meta.get("built_at")}


def stamp(index: Path) -> None:
    """Mark every stored document so a rewrite would be visible (built_at has only second resolution)."""
    conn = sqlite3.connect(index / "kb.sqlite")
    with conn:
        conn.execute("UPDATE documents SET built_at=?", (SENTINEL,))
        conn.execute("UPDATE meta SET value=? WHERE key='built_at'", (SENTINEL,))
    conn.close()


def built_at(index: Path) -> dict[str, str]:
    conn = sqlite3.connect(index / "kb.sqlite")
    try:
        return dict(conn.execute("SELECT id, built_at FROM documents").fetchall())
    finally:
        conn.close()


def clause_ids(index: Path, doc_id: str | None = None) -> list[str]:
    store = Store(index)
    try:
        ids = [doc_id] if doc_id else [d.id for d in store.documents()]
        return [c.id for d in ids for c in store.clauses(d)]
    finally:
        store.close()


@pytest.fixture
def built(corpus_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    index = tmp_path / "index"
    report = run(corpus_copy, index)
    assert sorted(report.added) == SEED_IDS and not report.errors
    return corpus_copy, index


# ---- first build -----------------------------------------------------------------------------------------------
def test_first_build(built) -> None:
    _, index = built
    assert (index / "kb.sqlite").is_file()
    store = Store(index)
    try:
        assert [d.id for d in store.documents()] == SEED_IDS
        assert store.build_errors() == []
        assert store.get_meta("built_at")
    finally:
        store.close()


# ---- nothing changed ---------------------------------------------------------------------------------------
def test_second_build_with_nothing_changed_writes_nothing(built) -> None:
    corpus, index = built
    stamp(index)
    before = snapshot(index)
    messages: list[str] = []
    started = time.perf_counter()
    report = run(corpus, index, messages)
    elapsed = time.perf_counter() - started
    assert report.changed is False
    assert sorted(report.unchanged) == SEED_IDS
    assert report.added == report.updated == report.removed == [] and report.errors == []
    assert snapshot(index) == before
    assert not any("processing" in m for m in messages)
    assert elapsed < 2.0 and report.seconds < 2.0


# ---- incremental changes ---------------------------------------------------------------------------------
def test_adding_a_document_processes_only_that_one(built) -> None:
    corpus, index = built
    stamp(index)
    shutil.copy(REGULATION_TXT, corpus / REGULATION_TXT.name)
    messages: list[str] = []
    report = run(corpus, index, messages)
    assert report.added == ["jincheng-2024-coking-env-rules"]
    assert sorted(report.unchanged) == SEED_IDS and report.updated == report.removed == []
    assert [m for m in messages if "processing" in m] == [f"[2/6] processing {REGULATION_TXT.name}"]
    stamps = built_at(index)
    assert {d: stamps[d] for d in SEED_IDS} == {d: SENTINEL for d in SEED_IDS}
    assert stamps["jincheng-2024-coking-env-rules"] != SENTINEL


def test_ids_of_existing_clauses_are_stable_when_a_document_is_added(built, notice_docx: Path) -> None:
    corpus, index = built
    before = {d: clause_ids(index, d) for d in SEED_IDS}
    shutil.copy(REGULATION_TXT, corpus / REGULATION_TXT.name)
    shutil.copy(notice_docx, corpus / notice_docx.name)
    report = run(corpus, index)
    assert sorted(report.added) == ["changzhi-2024-gas-flaring", "jincheng-2024-coking-env-rules"]
    assert {d: clause_ids(index, d) for d in SEED_IDS} == before


def test_ids_are_the_same_in_a_fresh_build_of_a_bigger_corpus(built, tmp_path: Path) -> None:
    corpus, index = built
    before = {d: clause_ids(index, d) for d in SEED_IDS}
    shutil.copy(REGULATION_TXT, corpus / REGULATION_TXT.name)
    run(corpus, tmp_path / "fresh")
    assert {d: clause_ids(tmp_path / "fresh", d) for d in SEED_IDS} == before


def test_modifying_a_document_updates_only_that_one(built) -> None:
    corpus, index = built
    stamp(index)
    path = corpus / "xinzhou-2022-71-coking-hq.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("全市焦化总产能控制在551.9万吨", "全市焦化总产能控制在500万吨"),
        encoding="utf-8",
    )
    report = run(corpus, index)
    assert report.updated == ["xinzhou-2022-71-coking-hq"] and report.added == report.removed == []
    assert sorted(report.unchanged) == [d for d in SEED_IDS if d != "xinzhou-2022-71-coking-hq"]
    store = Store(index)
    try:
        assert "控制在500万吨" in store.clause("xinzhou-2022-71-coking-hq:二/（六）").text
    finally:
        store.close()
    stamps = built_at(index)
    assert stamps["xinzhou-2022-71-coking-hq"] != SENTINEL
    assert all(stamps[d] == SENTINEL for d in SEED_IDS if d != "xinzhou-2022-71-coking-hq")


def test_changing_a_sidecar_updates_the_document(built) -> None:
    corpus, index = built
    (corpus / "jiexiu-2023-43m-oven-closure.txt.meta.json").write_text(
        '{"source_file": "002_cde291389bb8d52b.txt", "doc_number": "介政办发〔2023〕43号"}', encoding="utf-8"
    )
    report = run(corpus, index)
    assert report.updated == ["jiexiu-2023-43m-oven-closure"]
    store = Store(index)
    try:
        assert store.find_document("jiexiu-2023-43m-oven-closure").doc_number == "介政办发〔2023〕43号"
    finally:
        store.close()


def test_removing_a_document(built) -> None:
    corpus, index = built
    (corpus / "sx-2006-coking-11th-plan.txt").unlink()
    report = run(corpus, index)
    assert report.removed == ["sx-2006-coking-11th-plan"] and report.added == report.updated == []
    assert clause_ids(index, "sx-2006-coking-11th-plan") == []
    conn = sqlite3.connect(index / "kb.sqlite")
    try:
        for table in ("documents", "clauses", "obligations"):
            column = "id" if table == "documents" else "doc_id"
            assert (
                conn.execute(
                    f"SELECT count(*) FROM {table} WHERE {column}=?", ("sx-2006-coking-11th-plan",)
                ).fetchone()[0]
                == 0
            )
    finally:
        conn.close()


def test_new_pipeline_version_reprocesses_everything(built, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, index = built
    monkeypatch.setattr(document, "PIPELINE_VERSION", "test-bump")
    report = run(corpus, index)
    assert sorted(report.updated) == SEED_IDS and report.unchanged == []
    assert run(corpus, index).changed is False


# ---- bad files ----------------------------------------------------------------------------------------------
def test_a_bad_file_among_good_ones(built) -> None:
    corpus, index = built
    (corpus / "broken.docx").write_bytes(b"not a zip at all")
    shutil.copy(REGULATION_TXT, corpus / REGULATION_TXT.name)
    report = run(corpus, index)
    assert report.added == ["jincheng-2024-coking-env-rules"]
    assert [(e.file, e.problem) for e in report.errors] == [("broken.docx", "not a valid .docx (not a zip archive)")]
    assert "Word" in report.errors[0].hint
    assert "broken.docx" in str(report.errors[0])
    store = Store(index)
    try:
        assert [d.id for d in store.documents()] == sorted([*SEED_IDS, "jincheng-2024-coking-env-rules"])
        assert store.build_errors() == [
            {"file": "broken.docx", "problem": "not a valid .docx (not a zip archive)", "hint": report.errors[0].hint}
        ]
    finally:
        store.close()
    # fixing the file clears the recorded error
    (corpus / "broken.docx").unlink()
    report = run(corpus, index)
    assert report.errors == []
    store = Store(index)
    try:
        assert store.build_errors() == []
    finally:
        store.close()


def test_a_bad_sidecar_is_reported(built) -> None:
    corpus, index = built
    (corpus / "sx-2006-coking-11th-plan.txt.meta.json").write_text('{"issue_date": "2006/01/01"}', encoding="utf-8")
    report = run(corpus, index)
    assert [e.file for e in report.errors] == ["sx-2006-coking-11th-plan.txt"]
    assert "issue_date" in report.errors[0].problem


def test_previously_good_document_that_becomes_corrupt_keeps_its_stored_version(built) -> None:
    corpus, index = built
    before = clause_ids(index, "sx-2019-66-coking-overcapacity")
    stamp(index)
    (corpus / "sx-2019-66-coking-overcapacity.txt").write_bytes(b"\x00\x01\x02 binary junk \x00" * 100)
    report = run(corpus, index)
    assert [e.file for e in report.errors] == ["sx-2019-66-coking-overcapacity.txt"]
    assert "binary" in report.errors[0].problem
    assert "sx-2019-66-coking-overcapacity" not in report.removed + report.updated
    assert clause_ids(index, "sx-2019-66-coking-overcapacity") == before
    assert built_at(index)["sx-2019-66-coking-overcapacity"] == SENTINEL
    # still failing next time, still kept
    assert [e.file for e in run(corpus, index).errors] == ["sx-2019-66-coking-overcapacity.txt"]
    assert clause_ids(index, "sx-2019-66-coking-overcapacity") == before


def test_duplicate_file_is_rejected(built) -> None:
    corpus, index = built
    shutil.copy(corpus / "xinzhou-2022-71-coking-hq.txt", corpus / "zz-copy-of-xinzhou.txt")
    report = run(corpus, index)
    assert [e.file for e in report.errors] == ["zz-copy-of-xinzhou.txt"]
    assert "duplicate of xinzhou-2022-71-coking-hq.txt" in report.errors[0].problem
    assert report.added == [] and report.changed is False
    assert "zz-copy-of-xinzhou" not in [c.split(":")[0] for c in clause_ids(index)]


def test_new_duplicate_never_displaces_the_stored_original(built) -> None:
    corpus, index = built
    shutil.copy(corpus / "xinzhou-2022-71-coking-hq.txt", corpus / "aa-copy-of-xinzhou.txt")
    report = run(corpus, index)
    assert [e.file for e in report.errors] == ["aa-copy-of-xinzhou.txt"]
    assert report.added == []
    assert "aa-copy-of-xinzhou" not in {c.split(":")[0] for c in clause_ids(index)}


def test_two_identical_files_in_a_fresh_build(tmp_path: Path, corpus_copy: Path) -> None:
    shutil.copy(corpus_copy / "jiexiu-2023-43m-oven-closure.txt", corpus_copy / "z-jiexiu-again.txt")
    report = run(corpus_copy, tmp_path / "idx")
    assert sorted(report.added) == SEED_IDS
    assert [e.file for e in report.errors] == ["z-jiexiu-again.txt"]


def test_missing_corpus_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="corpus folder"):
        run(tmp_path / "nope", tmp_path / "idx")


# ---- atomicity ---------------------------------------------------------------------------------------------
def test_failing_build_leaves_the_previous_kb_intact(built, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, index = built
    before = snapshot(index)
    for name in ("xinzhou-2022-71-coking-hq.txt", "jiexiu-2023-43m-oven-closure.txt"):
        path = corpus / name
        path.write_text(path.read_text(encoding="utf-8") + "\n四、附则\n本意见自印发之日起施行。\n", encoding="utf-8")
    (corpus / "sx-2006-coking-11th-plan.txt").unlink()
    shutil.copy(REGULATION_TXT, corpus / REGULATION_TXT.name)

    original = Store.put_document
    calls = []

    def failing_put(self, *args, **kwargs):
        calls.append(args[0].id)
        if len(calls) == 2:  # the first document is already written inside the transaction
            raise sqlite3.OperationalError("disk I/O error (simulated)")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Store, "put_document", failing_put)
    with pytest.raises(sqlite3.OperationalError):
        run(corpus, index)
    assert len(calls) == 2
    assert snapshot(index) == before

    monkeypatch.setattr(Store, "put_document", original)
    report = run(corpus, index)  # the lock was released and the next build does the work
    assert sorted(report.updated) == ["jiexiu-2023-43m-oven-closure", "xinzhou-2022-71-coking-hq"]
    assert report.added == ["jincheng-2024-coking-env-rules"] and report.removed == ["sx-2006-coking-11th-plan"]


def test_build_report_summary(built) -> None:
    corpus, index = built
    report = run(corpus, index)
    assert report.summary().startswith("0 added, 0 updated, 0 removed, 5 unchanged, 0 failed in ")
