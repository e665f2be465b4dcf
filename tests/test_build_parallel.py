"""`policy-kb build --workers N`: parsing and extraction in worker processes give the same knowledge base as one
process, and a bad file among them is still reported by name without stopping the others (issue 18)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import CORPUS

from policy_kb.build import PARALLEL_MIN_FILES, build
from policy_kb.pipeline import DERIVATION

REAL_DEV = CORPUS.parent.parent / "shared" / "real-dev"
REAL_FILES = ["d04_eia_law.md", "d05_coal_law.md", "d06_env_tax_law.md", "d07_project_env_regulation.md"]


@pytest.fixture(scope="module")
def mixed_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed corpus, four real laws and regulations, and one file no parser can read."""
    if not all((REAL_DEV / f).is_file() for f in REAL_FILES):
        pytest.skip(f"real texts not found in {REAL_DEV}")
    corpus = tmp_path_factory.mktemp("mixed") / "corpus"
    shutil.copytree(CORPUS, corpus)
    for name in REAL_FILES:
        shutil.copy(REAL_DEV / name, corpus / name)
    (corpus / "zz-broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    return corpus


def _contents(index: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(index / "kb.sqlite")
    try:
        return {
            "documents": conn.execute(
                "SELECT id, title, doc_number, issue_date, jurisdiction, level FROM documents ORDER BY id"
            ).fetchall(),
            "clauses": conn.execute("SELECT rowid, id, doc_id, label, text FROM clauses ORDER BY rowid").fetchall(),
            "obligations": conn.execute("SELECT * FROM obligations ORDER BY id").fetchall(),
            "fts": conn.execute("SELECT rowid, body, context FROM clause_fts ORDER BY rowid").fetchall(),
            "errors": conn.execute("SELECT file, problem FROM build_errors ORDER BY file").fetchall(),
        }
    finally:
        conn.close()


def test_two_workers_build_the_same_knowledge_base_as_one(mixed_corpus: Path, tmp_path: Path) -> None:
    files = [p for p in mixed_corpus.iterdir() if not p.name.endswith(".meta.json")]
    assert len(files) >= PARALLEL_MIN_FILES  # else the build would not start workers
    lines: list[str] = []
    one = build(mixed_corpus, tmp_path / "one", lambda m: None, derivation=DERIVATION, workers=1)
    two = build(mixed_corpus, tmp_path / "two", lines.append, derivation=DERIVATION, workers=2)
    assert any("(2 workers)" in line for line in lines)
    a, b = _contents(tmp_path / "one"), _contents(tmp_path / "two")
    assert len(a["clauses"]) > 300 and len(a["obligations"]) > 50
    for table in a:
        assert a[table] == b[table], table
    assert one.added == two.added and "d05_coal_law" in two.added and "jiexiu-2023-43m-oven-closure" in two.added
    # the bad file is named, the others are built
    assert [e.file for e in two.errors] == ["zz-broken.pdf"] == [e.file for e in one.errors]
    assert two.errors[0].problem == one.errors[0].problem
    assert any(line.startswith("error: zz-broken.pdf: ") for line in lines)
    assert {"load", "clean and clauses", "extraction", "keyword tokens", "store"} <= set(two.stage_seconds)


def test_parallel_rebuild_is_incremental(mixed_corpus: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(mixed_corpus, corpus)
    index = tmp_path / "index"
    build(corpus, index, lambda m: None, derivation=DERIVATION, workers=2)
    before = _contents(index)
    again = build(corpus, index, lambda m: None, derivation=DERIVATION, workers=2)
    assert not again.added and not again.updated and len(again.unchanged) == len(before["documents"])
    assert _contents(index) == before
    law = corpus / "d06_env_tax_law.md"
    text = law.read_text(encoding="utf-8")
    assert "本法自2018年1月1日起施行。" in text
    law.write_text(text.replace("本法自2018年1月1日起施行。", "本法自2018年1月2日起施行。"), encoding="utf-8")
    changed = build(corpus, index, lambda m: None, derivation=DERIVATION, workers=2)
    assert changed.updated == ["d06_env_tax_law"] and not changed.added
    rows = _contents(index)["clauses"]
    assert rows[:5] == before["clauses"][:5]  # the other documents keep their rows
    assert [r[4] for r in rows if r[2] == "d06_env_tax_law" and r[3] == "第二十八条"] == ["本法自2018年1月2日起施行。"]


def test_a_build_whose_workers_cannot_start_still_finishes(mixed_corpus: Path, tmp_path: Path) -> None:
    """A script piped to `python -` has no main module a spawned worker could import: the pool breaks, and the
    build processes the files itself instead of failing."""
    import json
    import subprocess
    import sys

    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from policy_kb.build import build\n"
        "from policy_kb.pipeline import DERIVATION\n"
        f"r = build(Path({str(mixed_corpus)!r}), Path({str(tmp_path / 'idx')!r}), derivation=DERIVATION, workers=2)\n"
        "print(json.dumps({'added': r.added, 'errors': [e.file for e in r.errors]}))\n"
    )
    root = CORPUS.parent
    proc = subprocess.run([sys.executable, "-"], input=script, cwd=root, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "d05_coal_law" in out["added"] and out["errors"] == ["zz-broken.pdf"]
    assert "worker processes failed" in proc.stderr
    assert _contents(tmp_path / "idx")["clauses"]
