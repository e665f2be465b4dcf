"""Search over the seed knowledge base: exact queries, hit shape, filters and the `policy-kb search` CLI.

The knowledge base is built once for this module from corpus/ with the fake embedder (no model download), in a tmp
dir.  The semantic route is therefore bigram-hash based here; ranking assertions only rely on the keyword and exact
routes, which hybrid fuses with the semantic one.  tests/test_search_real_model.py covers the real model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policy_kb.search.filters import SearchFilter
from policy_kb.search.hybrid import HIGHLIGHT, MODES, Searcher
from policy_kb.search.text import exact_terms, normalise, query_terms

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

SX66 = "sx-2019-66-coking-overcapacity"
SX39 = "sx-2019-39-blue-sky-2019"
SX06 = "sx-2006-coking-11th-plan"
JIEXIU = "jiexiu-2023-43m-oven-closure"
XINZHOU = "xinzhou-2022-71-coking-hq"

HIT_KEYS = {
    "clause_id",
    "doc_id",
    "doc_title",
    "doc_number",
    "jurisdiction",
    "path",
    "heading",
    "text",
    "snippet",
    "score",
    "scores",
    "applies_via",
}
PROBE_QUERIES = [
    "4.3米",
    "晋政办发〔2019〕66号",
    "14768万吨",
    "干熄焦",
    "补偿",
    "小焦炉啥时候必须停",
    "重点任务",
    "保障措施",
    "介休 4.3米焦炉 关停",
    "When must 4.3 m coke ovens in Jiexiu be shut down?",
    "职工安置",
    "焦炉煤气",
    "超低排放改造",
    "１４７６８万吨",
    "忻洲4.3米焦炉啥时候关完",
]


@pytest.fixture(autouse=True)
def _fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_KB_EMBED_MODEL", "fake")


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from policy_kb.pipeline import build_all

    index = tmp_path_factory.mktemp("search-kb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLICY_KB_EMBED_MODEL", "fake")
        report = build_all(CORPUS, index, progress=lambda m: None)
    assert not report.errors
    assert len(report.added) == 5
    return index


@pytest.fixture(scope="module")
def searcher(kb: Path) -> Searcher:
    s = Searcher(kb, embedder_name="fake")
    yield s
    s.store.close()


@pytest.fixture(scope="module")
def obligation_clauses(searcher: Searcher) -> set[str]:
    return {r[0] for r in searcher.store.conn.execute("SELECT DISTINCT clause_id FROM obligations")}


def ids(hits) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.clause_id for h in hits]


# ---- exact queries ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["hybrid", "keyword"])
def test_number_with_unit_rank_one(searcher: Searcher, mode: str) -> None:
    hits = searcher.search("4.3米", mode=mode)
    assert hits and "4.3米" in normalise(hits[0].text)
    assert f"{HIGHLIGHT[0]}4.3米{HIGHLIGHT[1]}" in hits[0].snippet


@pytest.mark.parametrize("mode", ["hybrid", "keyword"])
@pytest.mark.parametrize(
    "query, expected, top",
    [
        ("晋政办发〔2019〕66号", f"{SX66}:title", 1),
        ("晋政办发[2019]66号", f"{SX66}:title", 1),  # ASCII brackets as people type them
        ("14768万吨", f"{SX66}:一", 1),
        ("１４７６８万吨", f"{SX66}:一", 1),  # full-width digits
        ("补偿", f"{SX66}:四/（一）", 1),  # two characters
        ("干熄焦", f"{XINZHOU}:二/（一）", 3),
    ],
)
def test_exact_query_finds_clause(searcher: Searcher, mode: str, query: str, expected: str, top: int) -> None:
    hits = searcher.search(query, mode=mode)
    assert expected in ids(hits)[:top], ids(hits)[:5]


@pytest.mark.parametrize("mode", ["hybrid", "keyword"])
@pytest.mark.parametrize(
    "query, term",
    [
        ("晋政办发〔2019〕66号", "晋政办发〔2019〕66号"),
        ("14768万吨", "14768万吨"),
        ("补偿", "补偿"),
        ("干熄焦", "干熄焦"),
    ],
)
def test_exact_query_snippet_highlights_term(searcher: Searcher, mode: str, query: str, term: str) -> None:
    top = searcher.search(query, mode=mode)[0]
    assert f"{HIGHLIGHT[0]}{term}{HIGHLIGHT[1]}" in top.snippet


def test_keyword_only_query_hits_all_contain_term(searcher: Searcher) -> None:
    """Keyword mode has no semantic filler: a one-word query returns only clauses containing the word (or one of
    its listed synonyms, e.g. 干熄焦 ↔ 干法熄焦), highlighted in the snippet."""
    for q in ["补偿", "干熄焦"]:
        terms = query_terms(q)
        assert q in terms
        hits = searcher.search(q, mode="keyword", k=50)
        assert hits
        lacking = [h.clause_id for h in hits if not any(t in normalise(h.text) for t in terms)]
        assert lacking == []
        assert all(any(f"{HIGHLIGHT[0]}{t}{HIGHLIGHT[1]}" in h.snippet for t in terms) for h in hits)


def _lacking(searcher: Searcher, query: str, mode: str) -> list[str]:
    term = exact_terms(query)[0]
    return [
        h.clause_id
        for h in searcher.search(query, mode=mode, k=10)
        if term not in normalise(h.text) and h.doc_number != term
    ]


@pytest.mark.parametrize("mode", ["hybrid", "keyword"])
@pytest.mark.parametrize("query", ["14768万吨", "晋政办发〔2019〕66号"])
def test_exact_query_every_hit_contains_term(searcher: Searcher, query: str, mode: str) -> None:
    # hits of the document that carries the 文号 are accepted as containing it
    assert _lacking(searcher, query, mode) == []


def test_exact_query_every_hit_contains_term_43m_keyword(searcher: Searcher) -> None:
    assert _lacking(searcher, "4.3米", "keyword") == []


def test_exact_query_every_hit_contains_term_43m_hybrid(searcher: Searcher) -> None:
    assert _lacking(searcher, "4.3米", "hybrid") == []


@pytest.mark.parametrize("query", ["4.3 米", "4.3 m", "４．３米"])
def test_spelling_variants_reach_same_top_hit(searcher: Searcher, query: str) -> None:
    assert ids(searcher.search(query, mode="keyword", k=3)) == ids(searcher.search("4.3米", mode="keyword", k=3))


def test_typo_place_in_query(searcher: Searcher) -> None:
    hits = searcher.search("介修 4.3米焦炉 关停时间", mode="keyword", k=5)
    assert f"{JIEXIU}:二/（一）" in ids(hits)


def test_colloquial_synonym(searcher: Searcher) -> None:
    hits = searcher.search("小焦炉啥时候必须停", mode="keyword", k=5)
    assert any("4.3米" in h.text for h in hits)


# ---- typo correction (policy_kb.search.spell) ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typo, fixed",
    [
        ("干息焦", "干熄焦"),  # jieba splits the unknown word; the joined pair is corrected
        ("排放线值", "排放限值"),
        ("交化行业", "焦化行业"),
        ("焦碳出口", "焦炭出口"),  # a 2-character typo is corrected when its neighbour confirms it
        ("焦炉什么时侯关停", "焦炉什么时候关停"),  # a question word the documents never use (data/stopwords.txt)
        ("还能新建焦化工业圆区吗", "还能新建焦化工业园区吗"),  # no word of the language (jieba's dictionary): its
        ("焦化项目备按", "焦化项目备案"),  # one homophone in the corpus
    ],
)
def test_homophone_typos_corrected(searcher: Searcher, typo: str, fixed: str) -> None:
    assert searcher.correct(typo)[0] == fixed


@pytest.mark.parametrize(
    "query",
    [
        "碳排放",
        "环保税",
        "补偿",
        "4.3米焦炉",
        "晋政办发〔2019〕66号",
        "重点任务",
        "介休",
        "When must 4.3 m coke ovens in Jiexiu be shut down?",
        "小焦炉啥时候必须停",
        "介休哪两家企业的4.3米焦炉要关停，各是多大产能？",  # 各是: two words jieba ran together, not a typo of 各市
        "单位给不给补偿",  # 不给: a negation and a verb, not a typo of 补给
    ],
)
def test_correct_words_left_alone(searcher: Searcher, query: str) -> None:
    assert searcher.correct(query) == (query, {})


@pytest.mark.parametrize("mode", ["hybrid", "keyword"])
def test_typo_query_finds_same_clauses(searcher: Searcher, mode: str) -> None:
    assert ids(searcher.search("干息焦", mode=mode, k=5)) == ids(searcher.search("干熄焦", mode=mode, k=5))


def test_lone_two_character_typo_corrected(searcher: Searcher) -> None:
    """spell.py's own example: a lone 2-character typo with a single homophone candidate."""
    assert searcher.correct("焦碳")[0] == "焦炭"


# ---- hit shape ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_hit_shape(searcher: Searcher, mode: str) -> None:
    hits = searcher.search("4.3米焦炉关停", mode=mode, k=10)
    assert 0 < len(hits) <= 10
    for h in hits:
        d = h.to_dict()
        assert set(d) >= HIT_KEYS, HIT_KEYS - set(d)
        json.dumps(d, ensure_ascii=False)
        assert set(d["scores"]) == {"keyword", "semantic", "exact"}
        assert any(v is not None for v in d["scores"].values())
        assert d["clause_id"].startswith(d["doc_id"] + ":")
        assert isinstance(d["score"], float) and d["score"] > 0
        assert d["snippet"] and d["text"]
        assert d["applies_via"] is None  # no jurisdiction filter
    used = {r for h in hits for r, v in h.scores.items() if v is not None}
    assert (
        used
        <= {"hybrid": {"keyword", "semantic", "exact"}, "keyword": {"keyword", "exact"}, "semantic": {"semantic"}}[mode]
    )


def test_hit_document_fields(searcher: Searcher) -> None:
    top = searcher.search("晋政办发〔2019〕66号", k=1)[0]
    assert top.doc_id == SX66 and top.doc_number == "晋政办发〔2019〕66号" and top.jurisdiction == "山西省"
    assert top.doc_title and "焦化" in top.doc_title
    assert top.path == [] and top.kind == "title"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("query", PROBE_QUERIES)
def test_ranking_invariants(searcher: Searcher, mode: str, query: str) -> None:
    hits = searcher.search(query, mode=mode, k=20)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert len(set(ids(hits))) == len(hits), "duplicate clause ids"
    texts = [normalise(h.text) for h in hits]
    assert len(set(texts)) == len(texts), "two hits with identical text"
    assert all(h.kind != "cc" for h in hits)  # 抄送 lines are never searched


def test_identical_texts_collapse(searcher: Searcher) -> None:
    # 重点任务 is the whole text of a heading clause in three documents; only one may be shown
    for mode in MODES:
        hits = searcher.search("重点任务", mode=mode, k=20)
        assert sum(normalise(h.text) == "重点任务" for h in hits) <= 1


@pytest.mark.parametrize("k", [1, 3, 7])
def test_k_limits_results(searcher: Searcher, k: int) -> None:
    for mode in MODES:
        assert len(searcher.search("焦炉", mode=mode, k=k)) == k


def test_top_k_is_prefix_of_larger_k(searcher: Searcher) -> None:
    assert ids(searcher.search("焦炉 关停", k=5)) == ids(searcher.search("焦炉 关停", k=10))[:5]


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_blank_query_gives_nothing(searcher: Searcher, query: str) -> None:
    for mode in MODES:
        assert searcher.search(query, mode=mode) == []


def test_nonsense_query_keyword_mode_empty(searcher: Searcher) -> None:
    assert searcher.search("zzzxxxqqq", mode="keyword") == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "'",
        'a"b',
        "AND OR NOT",
        "焦炉*",
        "(4.3米)",
        "NEAR(焦炉 关停)",
        "-焦炉",
        "关停 ^ 焦炉",
        "SELECT * FROM clauses;--",
        "焦炉" * 400,
        "？？？",
        "。",
        "🔥焦炉",
    ],
)
def test_awkward_queries_do_not_crash(searcher: Searcher, query: str) -> None:
    for mode in MODES:
        hits = searcher.search(query, mode=mode, k=5)
        assert len(hits) <= 5


def test_bad_mode(searcher: Searcher) -> None:
    with pytest.raises(ValueError, match="mode"):
        searcher.search("焦炉", mode="fuzzy")


# ---- filters ------------------------------------------------------------------------------------------------------
def test_jurisdiction_includes_places_above(searcher: Searcher) -> None:
    hits = searcher.search("4.3米焦炉 关停", k=30, flt=SearchFilter(jurisdiction="介休市"))
    assert hits
    assert {h.jurisdiction for h in hits} <= {"介休市", "晋中市", "山西省"}
    assert any(h.jurisdiction == "介休市" for h in hits) and any(h.jurisdiction == "山西省" for h in hits)
    for h in hits:
        if h.jurisdiction == "山西省":
            assert h.applies_via == "province", h.clause_id
        if h.jurisdiction == "介休市":
            assert h.applies_via is None, h.clause_id


@pytest.mark.parametrize("place", ["介休", "介修", "介休市"])
def test_jurisdiction_short_and_typo_names(searcher: Searcher, place: str) -> None:
    hits = searcher.search("焦炉", k=30, flt=SearchFilter(jurisdiction=place))
    assert hits and {h.jurisdiction for h in hits} <= {"介休市", "晋中市", "山西省"}
    assert any(h.doc_id == JIEXIU for h in hits)


@pytest.mark.parametrize("mode", MODES)
def test_jurisdiction_excludes_sibling_places(searcher: Searcher, mode: str) -> None:
    hits = searcher.search("介休 4.3米焦炉 关停", mode=mode, k=50, flt=SearchFilter(jurisdiction="忻州市"))
    assert hits
    assert not any(h.doc_id == JIEXIU for h in hits)
    assert {h.jurisdiction for h in hits} <= {"忻州市", "山西省"}
    assert all(h.applies_via == ("province" if h.jurisdiction == "山西省" else None) for h in hits)


def test_jurisdiction_outside_corpus_gives_nothing(searcher: Searcher) -> None:
    assert searcher.search("焦炉", flt=SearchFilter(jurisdiction="北京市")) == []


@pytest.mark.parametrize("doc", [SX66, f"{SX66}.txt", "000_204efd69bf078b52.txt"])
def test_doc_filter(searcher: Searcher, doc: str) -> None:
    for mode in MODES:
        hits = searcher.search("焦炉 4.3米", mode=mode, k=20, flt=SearchFilter(doc=doc))
        assert hits and {h.doc_id for h in hits} == {SX66}


def test_level_filter(searcher: Searcher) -> None:
    hits = searcher.search("焦炉", k=30, flt=SearchFilter(level="city"))
    assert hits and {h.doc_id for h in hits} == {XINZHOU}
    prov = searcher.search("焦炉", k=30, flt=SearchFilter(level="province"))
    assert prov and {h.jurisdiction for h in prov} == {"山西省"}


def test_year_from_excludes_undated_and_older(searcher: Searcher) -> None:
    for mode in MODES:
        hits = searcher.search("焦炉 关停", mode=mode, k=30, flt=SearchFilter(year_from=2020))
        assert hits and {h.doc_id for h in hits} == {XINZHOU}  # 2022; jiexiu and the 2006 plan have no date


def test_year_range(searcher: Searcher) -> None:
    hits = searcher.search("焦炉", k=50, flt=SearchFilter(year_from=2019, year_to=2019))
    assert hits and {h.doc_id for h in hits} <= {SX66, SX39}
    assert searcher.search("焦炉", flt=SearchFilter(year_to=2018)) == []
    assert searcher.search("焦炉", flt=SearchFilter(year_from=2023)) == []


def test_kind_filter(searcher: Searcher) -> None:
    hits = searcher.search("焦化 行动方案", k=20, flt=SearchFilter(kind="title"))
    assert hits and all(h.kind == "title" for h in hits)
    titles = {r[0] for r in searcher.store.conn.execute("SELECT id FROM clauses WHERE kind = 'title'")}
    assert {h.clause_id for h in hits} <= titles
    assert f"{SX66}:title" in ids(hits)


def test_has_obligation_filter(searcher: Searcher, obligation_clauses: set[str]) -> None:
    assert obligation_clauses
    for mode in MODES:
        hits = searcher.search("焦炉 关停", mode=mode, k=30, flt=SearchFilter(has_obligation=True))
        assert hits and all(h.clause_id in obligation_clauses for h in hits)


def test_filters_combine(searcher: Searcher) -> None:
    flt = SearchFilter(jurisdiction="介休市", level="province", kind="body")
    hits = searcher.search("焦炉 关停", k=30, flt=flt)
    assert hits and all(h.jurisdiction == "山西省" and h.kind == "body" and h.applies_via == "province" for h in hits)


def test_filter_keeps_top_hit_of_unfiltered_search(searcher: Searcher) -> None:
    # a filter that allows the best clause must not lose it
    top = searcher.search("14768万吨", k=1)[0]
    assert ids(searcher.search("14768万吨", k=1, flt=SearchFilter(doc=SX66))) == [top.clause_id]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"jurisdiction": "亚特兰蒂斯"}, "unknown place"),
        ({"jurisdiction": "nowhere"}, "unknown place"),
        ({"level": "village"}, "level"),
        ({"kind": "footnote"}, "kind"),
    ],
)
def test_bad_filter_raises(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SearchFilter(**kwargs)


def test_inactive_filter_allows_everything(searcher: Searcher) -> None:
    assert SearchFilter().allowed(searcher.store) is None
    assert not SearchFilter().active


# ---- CLI ----------------------------------------------------------------------------------------------------------------
def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from policy_kb.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "search", "补偿", "--json", "--index", str(kb))
    assert code == 0, err
    hits = json.loads(out)
    assert isinstance(hits, list) and 0 < len(hits) <= 10
    assert hits[0]["clause_id"] == f"{SX66}:四/（一）"
    assert set(hits[0]) >= HIT_KEYS
    assert "warning" not in err


def test_cli_nl(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "search", "14768万吨", "--nl", "-k", "3", "--index", str(kb))
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    # a query that is only an exact term lists just the clauses containing it (here exactly one)
    assert [r["clause_id"] for r in rows] == [f"{SX66}:一"]


def test_cli_text_output(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "search", "4.3米焦炉", "--jurisdiction", "介休市", "-k", "5", "--index", str(kb))
    assert code == 0
    assert out.startswith("1. ") and "【" in out


@pytest.mark.parametrize("mode", ["keyword"])
def test_cli_no_results_is_empty_array(kb: Path, capsys: pytest.CaptureFixture[str], mode: str) -> None:
    code, out, _ = run_cli(capsys, "search", "zzzxxxqqq", "--mode", mode, "--json", "--index", str(kb))
    assert code == 0 and json.loads(out) == []
    code, out, err = run_cli(capsys, "search", "zzzxxxqqq", "--mode", mode, "--index", str(kb))
    assert code == 0 and out == "" and "no results" in err


@pytest.mark.xfail(
    strict=True,
    reason="BUG: hybrid/semantic search has no similarity floor, so a query matching "
    "nothing (zzzxxxqqq) still returns k arbitrary nearest clauses",
)
@pytest.mark.parametrize("mode", ["hybrid", "semantic"])
def test_cli_nonsense_query_hybrid_is_empty(kb: Path, capsys: pytest.CaptureFixture[str], mode: str) -> None:
    code, out, _ = run_cli(capsys, "search", "zzzxxxqqq", "--mode", mode, "--json", "--index", str(kb))
    assert code == 0 and json.loads(out) == []


def test_cli_filters(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "search", "焦炉", "--json", "-k", "30", "--year-from", "2020", "--index", str(kb))
    assert code == 0 and {h["doc_id"] for h in json.loads(out)} == {XINZHOU}
    code, out, _ = run_cli(
        capsys, "search", "焦炉", "--json", "--kind", "title", "--level", "province", "--index", str(kb)
    )
    assert code == 0 and all(h["kind"] == "title" and h["jurisdiction"] == "山西省" for h in json.loads(out))
    code, out, _ = run_cli(capsys, "search", "焦炉", "--json", "--level", "national", "--index", str(kb))
    assert code == 0 and json.loads(out) == []  # the seeds hold no national document
    code, out, _ = run_cli(capsys, "search", "焦炉", "--json", "--doc", JIEXIU, "--has-obligation", "--index", str(kb))
    assert code == 0 and {h["doc_id"] for h in json.loads(out)} == {JIEXIU}
    code, out, _ = run_cli(
        capsys, "search", "4.3米焦炉", "--nl", "--jurisdiction", "忻州市", "-k", "40", "--index", str(kb)
    )
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and rows and not any(r["doc_id"] == JIEXIU for r in rows)
    assert {r["applies_via"] for r in rows if r["jurisdiction"] == "山西省"} == {"province"}


def test_cli_unknown_place_exit_1(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "search", "焦炉", "--jurisdiction", "亚特兰蒂斯", "--index", str(kb))
    assert code == 1 and out == ""
    assert "unknown place" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["--mode", "fuzzy"], ["--level", "village"], ["--kind", "footnote"], ["-k", "x"]])
def test_cli_bad_choice_is_usage_error(kb: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run_cli(capsys, "search", "焦炉", *argv, "--index", str(kb))
    assert exc.value.code == 2


def test_cli_query_and_batch_exit_1(kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "q.txt"
    batch.write_text("补偿\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "search", "焦炉", "--batch", str(batch), "--index", str(kb))
    assert code == 1 and out == "" and "error" in err
    code, out, err = run_cli(capsys, "search", "--index", str(kb))  # neither
    assert code == 1 and out == ""


def test_cli_missing_index_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "search", "焦炉", "--index", str(tmp_path / "nope"))
    assert code == 1 and out == "" and "Traceback" not in err


BATCH_LINES = ["补偿", "", "14768万吨", "   ", "zzzxxxqqq", "4.3 m coke ovens in Jiexiu", "晋政办发〔2019〕66号"]


@pytest.fixture
def load_spy(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts model loads (load_embedder calls), dense-index loads and query encodings."""
    from policy_kb.embed import embedder as emb
    from policy_kb.search import dense, hybrid

    calls = {"load_embedder": 0, "dense_index": 0, "encode_queries": 0, "searcher": 0}
    real_load, real_dense, real_encode = emb.load_embedder, dense.DenseIndex.__init__, emb.FakeEmbedder.encode_queries
    real_searcher = hybrid.Searcher.__init__

    def load(*a, **kw):  # type: ignore[no-untyped-def]
        calls["load_embedder"] += 1
        return real_load(*a, **kw)

    def dense_init(self, *a, **kw):  # type: ignore[no-untyped-def]
        calls["dense_index"] += 1
        real_dense(self, *a, **kw)

    def encode(self, texts):  # type: ignore[no-untyped-def]
        calls["encode_queries"] += 1
        return real_encode(self, texts)

    def searcher_init(self, *a, **kw):  # type: ignore[no-untyped-def]
        calls["searcher"] += 1
        real_searcher(self, *a, **kw)

    monkeypatch.setattr(emb, "load_embedder", load)
    monkeypatch.setattr(dense.DenseIndex, "__init__", dense_init)
    monkeypatch.setattr(emb.FakeEmbedder, "encode_queries", encode)
    monkeypatch.setattr(hybrid.Searcher, "__init__", searcher_init)
    return calls


@pytest.mark.parametrize("mode", MODES)
def test_cli_batch(
    kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], load_spy: dict[str, int], mode: str
) -> None:
    batch = tmp_path / "queries.txt"
    batch.write_text("\n".join(BATCH_LINES) + "\n", encoding="utf-8")
    code, out, err = run_cli(
        capsys, "search", "--batch", str(batch), "--nl", "--mode", mode, "-k", "5", "--index", str(kb)
    )
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["query"] for r in rows] == BATCH_LINES  # one row per input line, same order
    assert all(set(r) == {"query", "hits"} for r in rows)
    for r in rows:
        assert len(r["hits"]) <= 5
        if not r["query"].strip():
            assert r["hits"] == []
    by_query = {r["query"]: r["hits"] for r in rows}
    if mode != "semantic":
        assert by_query["补偿"][0]["clause_id"] == f"{SX66}:四/（一）"
        assert by_query["14768万吨"][0]["clause_id"] == f"{SX66}:一"
    # the model and the index are loaded once for the whole batch, not once per line
    assert load_spy["searcher"] == 1
    non_blank = sum(1 for q in BATCH_LINES if q.strip())
    if mode == "keyword":
        assert load_spy["load_embedder"] == 0 and load_spy["encode_queries"] == 0
    else:
        assert load_spy["load_embedder"] == 1
        assert load_spy["dense_index"] == 1
        assert load_spy["encode_queries"] == non_blank


def test_cli_batch_same_hits_as_single_queries(kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "queries.txt"
    batch.write_text("补偿\n4.3米\n", encoding="utf-8")
    _, out, _ = run_cli(capsys, "search", "--batch", str(batch), "--nl", "-k", "4", "--index", str(kb))
    batch_rows = [json.loads(line) for line in out.splitlines()]
    for row in batch_rows:
        _, single, _ = run_cli(capsys, "search", row["query"], "--json", "-k", "4", "--index", str(kb))
        assert [h["clause_id"] for h in json.loads(single)] == [h["clause_id"] for h in row["hits"]]


def test_cli_batch_stdin(kb: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("补偿\n\n干熄焦\n"))
    code, out, _ = run_cli(capsys, "search", "--batch", "-", "--index", str(kb))
    assert code == 0
    assert [json.loads(line)["query"] for line in out.splitlines()] == ["补偿", "", "干熄焦"]


def test_cli_batch_applies_filters(kb: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "queries.txt"
    batch.write_text("4.3米焦炉 关停\n介休 焦炉\n", encoding="utf-8")
    code, out, _ = run_cli(
        capsys, "search", "--batch", str(batch), "--jurisdiction", "忻州市", "-k", "20", "--index", str(kb)
    )
    assert code == 0
    for line in out.splitlines():
        hits = json.loads(line)["hits"]
        assert hits and not any(h["doc_id"] == JIEXIU for h in hits)
