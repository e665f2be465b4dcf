"""The real-corpus benchmark (benchmarks/lawrefbook.py) on a 10-file sample of LawRefBook: the build's phases, the
article counts against the source, the distractor check.  The whole corpus is `python -m benchmarks.run --only
lawrefbook` (minutes; not part of the tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS

from benchmarks import lawrefbook
from benchmarks.common import Context


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if not lawrefbook.ARCHIVE.is_file():
        pytest.skip(f"{lawrefbook.ARCHIVE} not found")
    ctx = Context(None, CORPUS, quick=True)
    try:
        src = lawrefbook._unpack(ctx)
        corpus, links = lawrefbook.corpus_folder(ctx, src, 10)
        index = ctx.scratch("index")
        run = lawrefbook.run_build(ctx, corpus, index, 2)
        yield ctx, src, links, index, run
    finally:
        ctx.close()


def test_document_types_come_from_the_source_folders(tmp_path: Path) -> None:
    root = tmp_path
    cases = {
        "LawRefBook/经济法/环境保护税法(2018-10-26).md": "law",
        "LawRefBook/行政法规/中华人民共和国环境保护税法实施条例.md": "administrative regulation",
        "LawRefBook/DLC/北京地方法规/北京市物业管理条例.md": "local regulation",
        "LawRefBook/部门规章/公安部/x.md": "department rule",
        "LawRefBook/司法解释/x.md": "judicial interpretation",
    }
    for rel, kind in cases.items():
        assert lawrefbook.doc_type(root / rel, root) == kind, rel


def test_sample_build_reports_its_phases_and_is_never_silent(sample) -> None:  # type: ignore[no-untyped-def]
    _, _, links, index, run = sample
    assert len(links) == 10
    assert sorted(run.report["added"])[:1] and not run.report["errors"]
    assert len(run.report["added"]) == 10 + 5  # the sample and the seeds
    names = [p["name"] for p in run.report["phases"]]
    assert names[:3] == ["checking files", "parsing, extraction and storing (2 workers)", "commit"]
    assert run.max_silence < lawrefbook.SILENCE_TARGET_S
    rows = {r.name: r for r in lawrefbook.build_rows(run, index)}
    assert rows["phase: parsing, extraction and storing"].n == 15
    assert rows["stage: extraction (per document)"].median > 0


def test_sample_article_counts_match_the_source(sample) -> None:  # type: ignore[no-untyped-def]
    _, _, links, index, _ = sample
    rows = lawrefbook.article_rows(index, links, set())
    overall = rows[0]
    assert overall.name == "article count equal to the source: all types"
    assert overall.n >= 8 and overall.median == 100.0, overall.extra


def test_the_jiexiu_deadline_survives_the_distractors(sample) -> None:  # type: ignore[no-untyped-def]
    from policy_kb.ingest.document import doc_id_for

    ctx, _, _, index, _ = sample
    rows = lawrefbook.distractor_rows(index, {doc_id_for(p) for p in ctx.corpus.iterdir()})
    assert rows[0].median == 1.0, rows[0].note
