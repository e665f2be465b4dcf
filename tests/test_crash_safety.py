"""Kill `policy-kb build` (SIGKILL) at every stage of a build and show that the previous knowledge base still
answers and that the next build recovers to exactly the state of a clean build."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from policy_kb.search.dense import read_manifest
from policy_kb.search.hybrid import Searcher
from policy_kb.store import Store

REPO = Path(__file__).resolve().parent.parent
STAGES = ["before_write", "mid_transaction", "after_commit", "dense_before_swap", "dense_between_swaps"]
EXTRA = """晋城市焦化企业检修安全管理办法
一、总体要求
（一）2025年6月30日前，全市焦化企业完成检修安全管理制度修订。
二、保障措施
市应急局牵头，市工信局配合。
"""


def _build(corpus: Path, index: Path, fault: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, POLICY_KB_EMBED_MODEL="fake")
    env.pop("POLICY_KB_FAULT_INJECT", None)
    if fault:
        env["POLICY_KB_FAULT_INJECT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "policy_kb.cli", "build", "--corpus", str(corpus), "--index", str(index)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _snapshot(index: Path) -> tuple[list[str], list[str], int]:
    store = Store(index)
    try:
        docs = [d.id for d in store.documents()]
        clauses = [r[0] for r in store.conn.execute("SELECT id FROM clauses ORDER BY id")]
        obligations = store.conn.execute("SELECT count(*) FROM obligations").fetchone()[0]
        return docs, clauses, obligations
    finally:
        store.close()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("crash")
    corpus = root / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    index = root / "index"
    assert _build(corpus, index).returncode == 0
    return corpus, index


@pytest.mark.parametrize("stage", STAGES)
def test_kill_during_build_keeps_previous_kb_and_next_build_recovers(base, tmp_path, stage, monkeypatch):
    corpus0, index0 = base
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(corpus0, corpus)
    shutil.copytree(index0, index)
    before = _snapshot(index)
    (corpus / "jincheng-2025-maintenance.txt").write_text(EXTRA, encoding="utf-8")

    crashed = _build(corpus, index, fault=stage)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert f"fault injected at {stage}" in crashed.stderr

    # the knowledge base still opens and answers; before the commit nothing of the new document is visible
    after_crash = _snapshot(index)
    if stage in ("before_write", "mid_transaction"):
        assert after_crash == before
    else:
        assert "jincheng-2025-maintenance" in after_crash[0]
    monkeypatch.setenv("POLICY_KB_EMBED_MODEL", "fake")
    searcher = Searcher(index)
    hits = searcher.search("补偿标准", k=3)
    assert hits and hits[0].clause_id == "sx-2019-66-coking-overcapacity:四/（一）"

    # the next build finishes the job: same state as a clean build, dense index consistent again
    assert _build(corpus, index).returncode == 0
    clean = tmp_path / "clean"
    assert _build(corpus, clean).returncode == 0
    assert _snapshot(index) == _snapshot(clean)
    assert read_manifest(index)["count"] == read_manifest(clean)["count"]
    assert not list(index.glob("*.tmp"))
    assert Searcher(index).dense is not None


def test_two_builds_at_once_are_serialised(base, tmp_path):
    corpus0, index0 = base
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(corpus0, corpus)
    shutil.copytree(index0, index)
    (corpus / "jincheng-2025-maintenance.txt").write_text(EXTRA, encoding="utf-8")
    results: list[subprocess.CompletedProcess[str]] = []
    threads = [threading.Thread(target=lambda: results.append(_build(corpus, index))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.returncode for r in results] == [0, 0]
    summaries = sorted(r.stderr.strip().splitlines()[-1] for r in results)
    assert summaries[0].startswith("0 added") and "1 added" in summaries[1]  # the second saw the first's work
    docs, clauses, _ = _snapshot(index)
    assert len(clauses) == len(set(clauses)) and "jincheng-2025-maintenance" in docs
