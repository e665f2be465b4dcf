"""Dense index (policy_kb.search.dense): manifest, staleness check, incremental encoding through the embedding cache,
atomic file swap, and the sentence-aligned chunker.

Everything runs with the fake embedder on private copies of corpus/ in tmp dirs.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policy_kb.pipeline as pipeline
from policy_kb.build import build
from policy_kb.embed.embedder import FakeEmbedder
from policy_kb.pipeline import build_all
from policy_kb.search import dense
from policy_kb.search.dense import (
    CACHE_FILE,
    CHUNK_CHARS,
    INDEX_FILE,
    MANIFEST_FILE,
    DenseIndex,
    chunks,
    clause_passages,
    located_chunks,
    passage_texts,
    read_manifest,
)
from policy_kb.search.hybrid import Searcher
from policy_kb.store import Store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

NEW_ID = "jinzhong-2024-gas-pilot"
# A small notice written for these tests (not in the corpus); clause 二/（一） is long enough to be chunked.
NEW_DOC = """晋中市人民政府办公室文件
市政办发〔2024〕9号
晋中市人民政府办公室
关于开展焦炉煤气制氢综合利用试点的通知

各县（区、市）人民政府，市直有关单位：
为推进焦炉煤气高值化利用，培育氢能产业，经市人民政府同意，现就开展焦炉煤气制氢综合利用试点有关事项通知如下。
一、试点目标
2024年12月31日前，建成焦炉煤气制氢试点项目2个，年产氢气不低于5000吨。
二、重点任务
（一）加快项目建设。试点企业要按照批复的建设方案组织施工，倒排工期，挂图作战。项目建设期间，企业要落实安全生产主体责任，严格执行危险化学品管理规定。涉及压力容器和压力管道的，要依法办理使用登记。项目建成后，企业要及时组织竣工验收，验收合格后方可投入运行。各县（区、市）要为试点项目办理用地、环评、能评等手续开辟绿色通道，对符合条件的项目优先保障用地指标和能耗指标。市发展改革委要统筹协调试点项目纳入省级氢能产业发展规划，积极争取上级资金支持。
（二）强化要素保障。市财政局对按期建成的试点项目给予一次性奖励，每个项目奖励200万元。
三、保障措施
各县（区、市）要高度重视，明确责任分工，确保试点工作取得实效。
晋中市人民政府办公室
2024年3月1日
"""


def quiet(_msg: str) -> None:
    pass


@pytest.fixture(autouse=True)
def _fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_KB_EMBED_MODEL", "fake")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed KB built once; tests get private copies (see `built`)."""
    root = tmp_path_factory.mktemp("dense-kb")
    shutil.copytree(CORPUS, root / "corpus")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLICY_KB_EMBED_MODEL", "fake")
        report = build_all(root / "corpus", root / "index", progress=quiet)
    assert not report.errors and len(report.added) == 5
    return root


@pytest.fixture
def built(pristine: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A private (corpus, index) pair, as left by a completed build."""
    shutil.copytree(pristine / "corpus", tmp_path / "corpus")
    shutil.copytree(pristine / "index", tmp_path / "index")
    return tmp_path / "corpus", tmp_path / "index"


@pytest.fixture
def encoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every passage text the fake embedder is asked to encode."""
    seen: list[str] = []
    real = FakeEmbedder.encode_passages

    def spy(self: FakeEmbedder, texts: list[str]) -> np.ndarray:
        seen.extend(texts)
        return real(self, texts)

    monkeypatch.setattr(FakeEmbedder, "encode_passages", spy)
    return seen


def cache_rows(index: Path) -> int:
    with sqlite3.connect(index / CACHE_FILE) as conn:
        return conn.execute("SELECT count(*) FROM vectors WHERE model = 'fake'").fetchone()[0]


def searchable_count(index: Path) -> int:
    store = Store(index)
    try:
        return store.conn.execute("SELECT count(*) FROM clauses WHERE kind != 'cc'").fetchone()[0]
    finally:
        store.close()


def doc_passages(index: Path, doc_id: str) -> list[str]:
    store = Store(index)
    try:
        mine = {r[0] for r in store.conn.execute("SELECT rowid FROM clauses WHERE doc_id = ?", (doc_id,))}
        rowids, texts = clause_passages(store)
    finally:
        store.close()
    return [t for r, t in zip(rowids, texts) if r in mine]


def index_rowids(index: Path) -> set[int]:
    import faiss

    ix = faiss.read_index(str(index / INDEX_FILE))
    return set(faiss.vector_to_array(ix.id_map).tolist())


def store_rowids(index: Path) -> set[int]:
    store = Store(index)
    try:
        return {r[0] for r in store.conn.execute("SELECT rowid FROM clauses WHERE kind != 'cc'")}
    finally:
        store.close()


def snapshot(index: Path) -> dict[str, tuple[bytes, int]]:
    return {
        name: ((index / name).read_bytes(), (index / name).stat().st_mtime_ns) for name in (INDEX_FILE, MANIFEST_FILE)
    }


def no_tmp_files(index: Path) -> list[Path]:
    return [p for p in index.rglob("*") if p.name.endswith(".tmp")]


# ---- manifest ---------------------------------------------------------------------------------------------------
def test_manifest(built: tuple[Path, Path]) -> None:
    import faiss

    _, index = built
    manifest = read_manifest(index)
    assert manifest is not None
    assert manifest["model"] == "fake" and manifest["dim"] == FakeEmbedder().dim
    assert manifest["count"] == searchable_count(index)
    assert manifest["sha256"] == hashlib.sha256((index / INDEX_FILE).read_bytes()).hexdigest()
    ix = faiss.read_index(str(index / INDEX_FILE))
    assert ix.ntotal == manifest["vectors"] >= manifest["count"]
    assert ix.d == manifest["dim"]
    assert manifest["kind"] == "flat"
    assert index_rowids(index) == store_rowids(index)  # every searchable clause, nothing else
    assert json.loads((index / MANIFEST_FILE).read_text(encoding="utf-8")) == manifest
    assert no_tmp_files(index) == []


def test_manifest_vectors_match_passages(built: tuple[Path, Path]) -> None:
    _, index = built
    store = Store(index)
    rowids, _ = clause_passages(store)
    store.close()
    manifest = read_manifest(index)
    assert manifest["vectors"] == len(rowids)
    assert manifest["count"] == len(set(rowids))


def test_read_manifest_missing_or_corrupt(tmp_path: Path) -> None:
    assert read_manifest(tmp_path) is None
    (tmp_path / MANIFEST_FILE).write_text("{not json", encoding="utf-8")
    assert read_manifest(tmp_path) is None
    with pytest.raises(FileNotFoundError):
        DenseIndex(tmp_path)


def test_dense_search_returns_distinct_clauses(built: tuple[Path, Path]) -> None:
    _, index = built
    ix = DenseIndex(index)
    vec = FakeEmbedder().encode_queries(["4.3米焦炉关停"])[0]
    hits = ix.search(vec, 20)
    assert len(hits) == 20 and len({r for r, _ in hits}) == 20
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    allowed = set(list(store_rowids(index))[:5])
    assert {r for r, _ in ix.search(vec, 20, allowed)} <= allowed


# ---- is_current -------------------------------------------------------------------------------------------------
def _build_without_dense(corpus: Path, index: Path) -> None:
    """The SQLite part of a build only (as if the dense stage had not run yet)."""
    build(corpus, index, quiet, on_document=pipeline._derive)


def test_is_current_after_build(built: tuple[Path, Path]) -> None:
    _, index = built
    store = Store(index)
    assert DenseIndex(index).is_current(store, "fake")
    assert not DenseIndex(index).is_current(store, "some-other-model")
    store.close()


def test_is_current_false_after_adding_document(built: tuple[Path, Path]) -> None:
    corpus, index = built
    (corpus / f"{NEW_ID}.txt").write_text(NEW_DOC, encoding="utf-8")
    _build_without_dense(corpus, index)
    store = Store(index)
    assert not DenseIndex(index).is_current(store, "fake")
    store.close()
    # the searcher notices, warns and falls back to the keyword routes instead of returning wrong clauses
    searcher = Searcher(index, embedder_name="fake")
    assert searcher.search("焦炉煤气制氢", mode="semantic") == []
    assert searcher.warnings and "does not match" in searcher.warnings[0]
    assert any(h.doc_id == NEW_ID for h in searcher.search("焦炉煤气制氢", mode="hybrid"))


def _edit_one_clause(corpus: Path) -> None:
    f = corpus / "sx-2019-66-coking-overcapacity.txt"
    text = f.read_text(encoding="utf-8")
    assert "14768万吨" in text
    f.write_text(text.replace("14768万吨", "14999万吨"), encoding="utf-8")  # same clauses, one text changed


def test_is_current_false_after_updating_document(built: tuple[Path, Path]) -> None:
    """Same number of clauses, one text changed (the document's clauses get new rowids): the index is stale."""
    corpus, index = built
    _edit_one_clause(corpus)
    _build_without_dense(corpus, index)
    store = Store(index)
    assert not DenseIndex(index).is_current(store, "fake")
    store.close()


def test_next_build_repairs_interrupted_dense_stage(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The dense stage dies after the SQLite commit; the next build finds no changed document and the same clause
    count, and must still notice the stale index (the updated document's rowids are not in dense.faiss)."""
    corpus, index = built
    _edit_one_clause(corpus)

    def interrupted(*_a, **_kw):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    with monkeypatch.context() as mp:
        mp.setattr(pipeline, "build_index", interrupted)
        with pytest.raises(KeyboardInterrupt):
            build_all(corpus, index, progress=quiet)
    build_all(corpus, index, progress=quiet)  # nothing changed since: must still bring the dense index up to date
    assert index_rowids(index) == store_rowids(index)


# ---- incremental encoding -------------------------------------------------------------------------------------------
def test_adding_document_encodes_only_its_passages(built: tuple[Path, Path], encoded: list[str]) -> None:
    corpus, index = built
    before_rows = cache_rows(index)
    (corpus / f"{NEW_ID}.txt").write_text(NEW_DOC, encoding="utf-8")
    report = build_all(corpus, index, progress=quiet)
    assert report.added == [NEW_ID]

    new_passages = doc_passages(index, NEW_ID)
    store = Store(index)
    n_clauses = store.conn.execute(
        "SELECT count(*) FROM clauses WHERE doc_id = ? AND kind != 'cc'", (NEW_ID,)
    ).fetchone()[0]
    store.close()
    assert len(new_passages) > n_clauses >= 7  # the long clause 二/（一） is embedded as two passages
    assert sorted(encoded) == sorted(set(new_passages))
    assert cache_rows(index) == before_rows + len(set(new_passages))

    manifest = read_manifest(index)
    assert manifest["count"] == searchable_count(index)
    assert index_rowids(index) == store_rowids(index)
    assert manifest["sha256"] == hashlib.sha256((index / INDEX_FILE).read_bytes()).hexdigest()
    assert no_tmp_files(index) == []
    searcher = Searcher(index, embedder_name="fake")
    assert searcher.search("焦炉煤气制氢试点", mode="semantic", k=3)[0].doc_id == NEW_ID
    assert not searcher.warnings


def test_noop_rebuild_encodes_nothing_and_keeps_files(built: tuple[Path, Path], encoded: list[str]) -> None:
    corpus, index = built
    before = snapshot(index)
    rows = cache_rows(index)
    report = build_all(corpus, index, progress=quiet)
    assert not report.changed and len(report.unchanged) == 5
    assert encoded == []
    assert snapshot(index) == before  # neither rewritten nor touched
    assert cache_rows(index) == rows
    assert no_tmp_files(index) == []


def test_noop_rebuild_does_not_call_build_index(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, index = built
    calls: list[int] = []
    monkeypatch.setattr(pipeline, "build_index", lambda *a, **kw: calls.append(1))
    build_all(corpus, index, progress=quiet)
    assert calls == []


def test_updating_document_encodes_only_changed_text(built: tuple[Path, Path], encoded: list[str]) -> None:
    corpus, index = built
    _edit_one_clause(corpus)
    report = build_all(corpus, index, progress=quiet)
    assert report.updated == ["sx-2019-66-coking-overcapacity"]
    assert encoded and all("14999万吨" in t for t in encoded)  # only the edited clause's passage(s)
    assert index_rowids(index) == store_rowids(index)


def test_removing_document_encodes_nothing(built: tuple[Path, Path], encoded: list[str]) -> None:
    corpus, index = built
    (corpus / "jiexiu-2023-43m-oven-closure.txt").unlink()
    (corpus / "jiexiu-2023-43m-oven-closure.txt.meta.json").unlink()
    report = build_all(corpus, index, progress=quiet)
    assert report.removed == ["jiexiu-2023-43m-oven-closure"]
    assert encoded == []
    assert read_manifest(index)["count"] == searchable_count(index)
    assert index_rowids(index) == store_rowids(index)
    searcher = Searcher(index, embedder_name="fake")
    assert not any(h.doc_id == "jiexiu-2023-43m-oven-closure" for h in searcher.search("介休 4.3米焦炉", k=30))


def test_fresh_index_reuses_shared_cache_file(built: tuple[Path, Path], encoded: list[str]) -> None:
    """Deleting dense.faiss and the manifest (not the cache) rebuilds the index without encoding anything."""
    corpus, index = built
    (index / INDEX_FILE).unlink()
    (index / MANIFEST_FILE).unlink()
    build_all(corpus, index, progress=quiet)
    assert encoded == []
    assert read_manifest(index)["count"] == searchable_count(index)


def test_model_change_rebuilds(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from policy_kb.embed import embedder as emb

    corpus, index = built
    other = FakeEmbedder(dim=64)
    other.name = "fake-64"
    monkeypatch.setattr(emb, "load_embedder", lambda *_a, **_kw: other)
    if hasattr(emb, "embedder_name"):  # the cheap name lookup the build uses for its staleness check
        monkeypatch.setattr(emb, "embedder_name", lambda *_a, **_kw: other.name)
    build_all(corpus, index, progress=quiet)
    manifest = read_manifest(index)
    assert manifest["model"] == "fake-64" and manifest["dim"] == 64
    store = Store(index)
    assert DenseIndex(index).is_current(store, "fake-64") and not DenseIndex(index).is_current(store, "fake")
    store.close()


def test_noop_build_does_not_load_the_model(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading the real model costs seconds; an up-to-date knowledge base must not pay it on `policy-kb build`."""
    from policy_kb.embed import embedder as emb

    corpus, index = built
    loads: list[int] = []
    real = emb.load_embedder
    monkeypatch.setattr(emb, "load_embedder", lambda *a, **kw: loads.append(1) or real(*a, **kw))
    report = build_all(corpus, index, progress=quiet)
    assert not report.changed
    assert loads == []


# ---- atomic swap -------------------------------------------------------------------------------------------------------
def test_failed_index_write_keeps_previous_index(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import faiss

    _corpus, index = built
    before = snapshot(index)
    store = Store(index)
    real_write = faiss.write_index

    def half_written(ix, path):  # type: ignore[no-untyped-def]
        real_write(ix, path)
        raise OSError("disk full")

    monkeypatch.setattr(faiss, "write_index", half_written)
    with pytest.raises(OSError):
        dense.build_index(store, FakeEmbedder(), quiet)
    store.close()
    assert {k: v[0] for k, v in snapshot(index).items()} == {k: v[0] for k, v in before.items()}
    # the previous index still loads and matches its manifest
    assert DenseIndex(index).manifest["sha256"] == hashlib.sha256((index / INDEX_FILE).read_bytes()).hexdigest()


def test_rebuild_replaces_files_atomically(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    _, index = built
    replaced: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src, dst):  # type: ignore[no-untyped-def]
        replaced.append((Path(src).name, Path(dst).name))
        real_replace(src, dst)

    monkeypatch.setattr(dense.os, "replace", spy)
    store = Store(index)
    dense.build_index(store, FakeEmbedder(), quiet)
    store.close()
    assert replaced == [(INDEX_FILE + ".tmp", INDEX_FILE), (MANIFEST_FILE + ".tmp", MANIFEST_FILE)]
    assert no_tmp_files(index) == []


# ---- chunks ----------------------------------------------------------------------------------------------------------
SENTENCE = "各县（区）要组织开展全面排查，建立问题清单，实行销号管理。"  # 29 characters


def test_short_text_is_one_chunk() -> None:
    assert chunks("关停退出4.3米焦炉") == ["关停退出4.3米焦炉"]
    assert chunks(SENTENCE * 3) == [SENTENCE * 3]


def test_long_text_splits_at_sentence_ends() -> None:
    text = SENTENCE * 20
    parts = chunks(text)
    assert len(parts) > 1
    assert "".join(parts) == text
    for p in parts:
        assert p.endswith("。")
        assert len(p) <= CHUNK_CHARS
        assert p == SENTENCE * (len(p) // len(SENTENCE))  # whole sentences only


def test_run_on_sentence_is_hard_split() -> None:
    text = "甲" * 1000 + "。"
    parts = chunks(text)
    assert "".join(parts) == text
    assert len(parts) > 1 and all(len(p) <= 2 * CHUNK_CHARS for p in parts)


def test_small_size() -> None:
    text = "一。二；三！四？五。"
    assert chunks(text, size=2) == ["一。", "二；", "三！", "四？", "五。"]


# texts of whole sentences, and chunk sizes, for the property tests of `chunks` and `located_chunks`
SENTENCES = st.lists(
    st.tuples(st.text(alphabet="焦炉关停米4.3甲乙丙丁", min_size=1, max_size=120), st.sampled_from("。；！？")),
    max_size=30,
)
SIZES = st.integers(min_value=5, max_value=300)


@settings(max_examples=300, deadline=None)
@given(sentences=SENTENCES, size=SIZES)
def test_chunks_reassemble_property(sentences: list[tuple[str, str]], size: int) -> None:
    text = "".join(a + b for a, b in sentences) or "空"
    parts = chunks(text, size=size)
    assert "".join(parts) == text
    assert all(p for p in parts)
    # a sentence up to 2×size stays whole; a pending one is glued to the first slice of a run-on sentence
    assert all(len(p) <= 3 * size for p in parts)


@settings(max_examples=200, deadline=None)
@given(sentences=SENTENCES, size=SIZES)
def test_located_chunks_say_where_each_chunk_begins(sentences: list[tuple[str, str]], size: int) -> None:
    text = "".join(a + b for a, b in sentences) or "空"
    located = located_chunks(text, size=size)
    assert [c for _, c in located] == chunks(text, size=size)
    assert all(text[at : at + len(c)] == c for at, c in located)


def test_a_chunk_begins_at_its_first_sentence_not_at_a_dropped_newline() -> None:
    assert located_chunks("一二三。\n四五六。", size=4) == [(0, "一二三。"), (5, "四五六。")]
    assert located_chunks("一二三。\n四五六。") == [(0, "一二三。四五六。")]
    assert located_chunks(" \n") == [] and chunks(" \n") == [" \n"]


def test_chunk_cosines_are_the_cosines_of_each_chunk_in_order(built: tuple[Path, Path]) -> None:
    _, index = built
    store = Store(index)
    rowids, texts = clause_passages(store)
    store.close()
    passages: dict[int, list[str]] = {}
    for r, t in zip(rowids, texts):
        passages.setdefault(r, []).append(t)
    long = [r for r, ts in passages.items() if len(ts) >= 3][:5]
    assert len(long) == 5
    vec = FakeEmbedder().encode_queries(["剩余部分由焦炉输送煤气补足缺口"])[0]
    got = DenseIndex(index).chunk_cosines(vec, [*long, 10**9])
    assert set(got) == set(long)  # a rowid the index does not hold is left out
    for r in long:
        assert np.allclose(got[r], FakeEmbedder().encode_passages(passages[r]) @ vec, atol=1e-5)


def test_seed_clauses_reassemble_ignoring_whitespace(built: tuple[Path, Path]) -> None:
    _, index = built
    store = Store(index)
    try:
        for row in store.iter_clause_rows():
            joined = "".join(chunks(row["text"]))
            assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", row["text"]), row["id"]
    finally:
        store.close()


@pytest.mark.xfail(
    strict=True,
    reason="BUG: chunks() drops a newline that follows a sentence end (。；！？): the split "
    "makes it a whitespace-only piece, which is filtered out, so the chunks no longer "
    "reassemble to the clause text (55 of the seed clauses are affected)",
)
def test_chunks_keep_paragraph_breaks() -> None:
    text = "第一段。\n第二段；\n第三段。"
    assert "".join(chunks(text)) == text


def test_passage_texts_prefix_context() -> None:
    out = passage_texts("某某工作方案", ["重点任务", "（一）加快建设"], SENTENCE * 20)
    assert len(out) > 1
    assert all(p.startswith("某某工作方案 › 重点任务 › （一）加快建设\n") for p in out)
    assert passage_texts(None, [], "正文。") == ["正文。"]


# ---- the large-corpus index kinds, forced small ------------------------------------------------------------------
@pytest.mark.parametrize("kind, limits", [("flat16", (100, 10_000)), ("ivf", (50, 100))])
def test_large_index_kinds_agree_with_exact_search_and_update_in_place(
    built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, kind: str, limits: tuple[int, int]
) -> None:
    """float16 (exhaustive) and IVF indexes, used from 50k / 300k vectors on, forced here on the seed corpus: the
    top 10 agree with exact float32 search, a filter is honoured, and adding a document updates the index in place
    (no retraining) with the same agreement."""
    corpus, index = built
    monkeypatch.setattr(dense, "EXACT_F32_MAX", limits[0])
    monkeypatch.setattr(dense, "ANN_THRESHOLD", limits[1])
    store = Store(index)
    try:
        stats = dense.build_index(store, FakeEmbedder(), quiet)
        assert stats.kind == kind
        manifest = json.loads((index / MANIFEST_FILE).read_text(encoding="utf-8"))
        assert manifest["kind"] == kind
        if kind == "ivf":
            assert manifest["nlist"] >= 64 and manifest["trained_on"] == stats.total
    finally:
        store.close()

    def agreement() -> float:
        s = Store(index)
        try:
            rowids, texts = dense.clause_passages(s)
            matrix = FakeEmbedder().encode_passages(texts)
            loaded = dense.DenseIndex(index)
            queries = ["4.3米焦炉什么时候关停", "干熄焦改造", "焦炉煤气制氢", "排污许可总量核减", "职工安置"]
            got = []
            for q in queries:
                v = FakeEmbedder().encode_queries([q])[0]
                exact = list(dict.fromkeys(rowids[i] for i in np.argsort(-(matrix @ v))))[:10]
                approx = [r for r, _ in loaded.search(v, 10)]
                got.append(len(set(exact) & set(approx)) / 10)
            allowed = set(rowids[:40])
            assert all(r in allowed for r, _ in loaded.search(FakeEmbedder().encode_queries(["焦化"])[0], 10, allowed))
            return float(np.mean(got))
        finally:
            s.close()

    assert agreement() >= 0.95
    (corpus / f"{NEW_ID}.txt").write_text(NEW_DOC, encoding="utf-8")
    report = build_all(corpus, index, progress=quiet)
    assert report.added == [NEW_ID]
    manifest = json.loads((index / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["kind"] == kind
    if kind == "ivf":
        assert manifest["trained_on"] == stats.total  # updated in place, not retrained
    assert agreement() >= 0.95
