"""Web-app handlers (policy_kb.app.handlers) called as plain functions of a Service — no Gradio server, no browser.

Knowledge bases are built with the fake embedder in tmp dirs: the shared ``seed_index`` (read-only here), a small
one with the markup fixtures of ``tests/fixtures/app/`` and, for uploads, a writable copy of ``corpus/``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import CORPUS, ROOT, SEED_IDS

from policy_kb import places
from policy_kb.answer.understand import understand
from policy_kb.app import handlers
from policy_kb.app.handlers import ALL, UserError, safe_name
from policy_kb.app.service import Paths, Service
from policy_kb.export import csv_fields
from policy_kb.records import Penalty
from policy_kb.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "app"
JIEXIU = "jiexiu-2023-43m-oven-closure"
JIEXIU_CLAUSE = f"{JIEXIU}:二/（一）"
XINZHOU = "xinzhou-2022-71-coking-hq"
XSS_DOC = "changzhi-2030-xss-coal-yard"
TITLE_DOC = "datong-2025-xss-title"
QUESTION = "我们厂在介休，4.3米焦炉最晚什么时候关？"
TODAY = date(2026, 11, 23)


def _quiet(_msg: str) -> None:
    pass


class _FixedDate(date):
    """`date` whose today() is TODAY, so passed/upcoming statuses do not depend on the clock."""

    @classmethod
    def today(cls) -> _FixedDate:  # type: ignore[override]
        return cls(TODAY.year, TODAY.month, TODAY.day)


@pytest.fixture(scope="module", autouse=True)
def _fake_embedder():
    with pytest.MonkeyPatch.context() as mp:
        if not os.environ.get("POLICY_KB_EMBED_MODEL"):
            mp.setenv("POLICY_KB_EMBED_MODEL", "fake")
        yield


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> date:
    monkeypatch.setattr(handlers, "date", _FixedDate)
    return TODAY


@pytest.fixture(scope="module")
def service(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Service:
    """The seed KB (read-only: no upload goes through this service), exports into a tmp dir."""
    tmp = tmp_path_factory.mktemp("app-seed")
    corpus = tmp / "corpus"
    shutil.copytree(CORPUS, corpus)
    return Service(Paths(index=seed_index, corpus=corpus, exports=tmp / "exports"))


@pytest.fixture(scope="module")
def xss_service(tmp_path_factory: pytest.TempPathFactory) -> Service:
    """jiexiu + the two markup fixtures (future deadlines, `<script>`/`<b>` in headings, text and a title)."""
    from policy_kb.pipeline import build_all

    tmp = tmp_path_factory.mktemp("app-xss")
    corpus = tmp / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / f"{JIEXIU}.txt", corpus)
    for name in (f"{XSS_DOC}.txt", f"{TITLE_DOC}.txt"):
        shutil.copy(FIXTURES / name, corpus)
    report = build_all(corpus, tmp / "index", progress=_quiet)
    assert not report.errors, report.errors
    assert sorted(report.added) == sorted([JIEXIU, XSS_DOC, TITLE_DOC])
    return Service(Paths(index=tmp / "index", corpus=corpus, exports=tmp / "exports"))


def _answer(history: list[dict]) -> dict:
    return next(
        m
        for m in history
        if m["role"] == "assistant" and not (m.get("metadata") or {}).get("title", "").startswith("来源")
    )


def _sources(history: list[dict]) -> list[dict]:
    return [
        m for m in history if m["role"] == "assistant" and (m.get("metadata") or {}).get("title", "").startswith("来源")
    ]


def _hits(html: str) -> list[str]:
    return html.split("<div class='hit'>")[1:]


# ---- chat ------------------------------------------------------------------------------------------------
def test_chat_answers_with_the_cited_clause(service: Service) -> None:
    history = handlers.chat(service, QUESTION, [], ALL, "2026-11-23")
    assert history[0] == {"role": "user", "content": QUESTION}
    answer = _answer(history)
    assert "2023年10月31日" in answer["content"]
    assert answer["content"].startswith("✅ **已找到**\n\n") and "metadata" not in answer  # outcome in words, open
    assert "[1]" in answer["content"]
    assert "已过期" in answer["content"]  # as of 2026-11-23 the deadline has passed
    sources = _sources(history)
    assert sources, history
    first = sources[0]
    assert first["metadata"]["title"].startswith("来源 [1]")
    assert first["metadata"]["status"] == "done"
    assert JIEXIU_CLAUSE not in first["content"]  # no ids on the page: a link opens the clause in context
    assert f"href='#clause={quote(JIEXIU_CLAUSE, safe='')}'>查看上下文" in first["content"]
    assert "<mark>" in first["content"] and "</mark>" in first["content"]
    marked = re.search(r"<mark>(.*?)</mark>", first["content"]).group(1)
    assert "2023年10月31日前" in marked
    # one source block per [n] marker, numbered in order
    numbers = [int(re.match(r"来源 \[(\d+)\]", s["metadata"]["title"]).group(1)) for s in sources]
    assert numbers == list(range(1, len(sources) + 1))
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer["content"])} == set(numbers)


def test_chat_markers_open_their_clause(service: Service) -> None:
    from policy_kb.app.render import linked_citations

    history = handlers.chat(service, QUESTION, [], ALL, "2026-11-23")
    answer = _answer(history)["content"]
    cited = linked_citations(answer)
    assert cited[0] == (1, JIEXIU_CLAUSE)
    assert [n for n, _ in cited] == list(range(1, len(_sources(history)) + 1))
    assert not re.search(r"(?<!>)\[\d+\](?!</a>)", answer)  # every [n] is a link


def test_copy_text_is_plain_with_citations_written_out(service: Service) -> None:
    history = handlers.chat(service, QUESTION, [], ALL, "2026-11-23")
    history = handlers.chat(service, "忻州市的4.3米焦炉要在什么时候前全部关停？", history, ALL, "2026-11-23")
    text = handlers.copy_text(service, history)
    assert text.startswith("✅ 已找到")
    assert "忻州市" in text and "2023年底前" in text  # the last answer, not the first
    assert not re.search(r"<[a-z/]|\*\*|\\|&[a-z]+;|href", text), text  # no HTML, markdown or escapes
    sources = text.split("来源 / sources:\n", 1)[1].splitlines()
    assert sources[0].startswith("[1] 忻政办发〔2022〕71号 ")
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", text.split("来源 / sources:")[0])}
    assert cited == {int(line[1 : line.index("]")]) for line in sources}
    assert handlers.copy_text(service, []) == ""


def test_chat_as_of_changes_the_deadline_status(service: Service) -> None:
    answer = _answer(handlers.chat(service, QUESTION, [], ALL, "2023-06-01"))["content"]
    assert "〔截止 2023-10-31，还剩 152 天〕" in answer


@pytest.mark.parametrize(
    "as_of", ["2026-11-23T08:00:00", "20261123", " 2026-11-23 ", datetime(2026, 11, 23, 12, tzinfo=UTC).timestamp()]
)
def test_chat_accepts_as_of_forms(service: Service, as_of: str | float) -> None:
    answer = _answer(handlers.chat(service, QUESTION, [], None, as_of))["content"]
    assert "〔截止 2023-10-31，已过期 1119 天〕" in answer


def test_chat_appends_to_existing_history(service: Service) -> None:
    first = handlers.chat(service, QUESTION, [], ALL, "2026-11-23")
    second = handlers.chat(service, "压减焦化产能的补偿标准是多少？", first, ALL, "2026-11-23")
    assert second[: len(first)] == first
    assert second[len(first)] == {"role": "user", "content": "压减焦化产能的补偿标准是多少？"}
    assert len(second) > len(first) + 1


def test_chat_jurisdiction_scopes_the_answer(service: Service) -> None:
    answer = _answer(handlers.chat(service, "4.3米焦炉什么时候关停？", [], "忻州市", "2026-11-23"))["content"]
    assert "**忻州市**" in answer and "2023年底前" in answer
    assert "**介休市**" not in answer  # a 介休 rule does not apply in 忻州


def test_chat_follow_up_is_read_with_the_previous_question(service: Service) -> None:
    history = handlers.chat(service, "介休4.3米焦炉什么时候关停？", [], ALL, "2026-11-23")
    history = handlers.chat(service, "那忻州呢？", history, ALL, "2026-11-23")
    follow_up = history.index({"role": "user", "content": "那忻州呢？"})
    answer = _answer(history[follow_up:])
    assert "忻州" in answer["content"] and "2023年底前" in answer["content"], answer["content"]
    assert "**介休市**" not in answer["content"]


def test_chat_not_found_is_marked(service: Service) -> None:
    history = handlers.chat(service, "北京市焦化企业关停有什么规定？", [], ALL, "2026-11-23")
    answer = history[1]
    assert answer["role"] == "assistant"
    assert answer["content"].startswith("🔍 **文件中没有答案** — 知识库中没有北京市的政策文件")
    assert "北京市" in answer["content"]
    assert not answer.get("metadata")  # not collapsed: the reason shows without a click
    assert "2023年10月31日" not in answer["content"]


@pytest.mark.parametrize("message", ["", "   \n\t", None])
def test_chat_empty_message_leaves_history_unchanged(service: Service, message: str | None) -> None:
    before = [{"role": "user", "content": "之前的问题"}, {"role": "assistant", "content": "之前的回答"}]
    snapshot = json.loads(json.dumps(before))
    assert handlers.chat(service, message, before, ALL, "2026-11-23") == snapshot  # type: ignore[arg-type]
    assert before == snapshot
    assert handlers.chat(service, message, None, ALL, "2026-11-23") == []  # type: ignore[arg-type]


def test_chat_question_length_limit(service: Service) -> None:
    with pytest.raises(UserError, match="问题太长"):
        handlers.chat(service, "焦" * 501, [], ALL, "2026-11-23")
    assert len(handlers.chat(service, "焦" * 500, [], ALL, "2026-11-23")) >= 2  # the limit itself is allowed


@pytest.mark.parametrize("as_of", ["2026-13-45", "yesterday", "23/11/2026", "2026年11月23日"])
def test_chat_bad_as_of_is_a_user_error(service: Service, as_of: str) -> None:
    with pytest.raises(UserError, match="YYYY-MM-DD"):
        handlers.chat(service, QUESTION, [], ALL, as_of)


# ---- search -----------------------------------------------------------------------------------------------
def _search(service: Service, *args: object) -> tuple[str, list[str]]:
    """handlers.search with the picker's values (clause ids) instead of its (label, id) choices."""
    html, choices = handlers.search(service, *args)  # type: ignore[arg-type]
    return html, [value for _, value in choices]


def test_search_picker_names_results_as_the_list_does(service: Service) -> None:
    html, choices = handlers.search(service, "补偿", "hybrid", ALL, ALL, None, None)
    label, value = choices[0]
    assert value == "sx-2019-66-coking-overcapacity:四/（一）"
    assert label == "1. 晋政办发〔2019〕66号 四、（一）"
    assert all(":" not in label for label, _ in choices)  # no ids in what users read
    # every hit's heading is a link that opens the clause (the id only inside the link's target)
    assert f"href='#clause={quote(value, safe='')}'" in _hits(html)[0]


def test_search_highlights_and_lists_clause_ids(service: Service) -> None:
    html, ids = _search(service, "补偿", "hybrid", ALL, ALL, None, None)
    assert "<mark>补偿</mark>" in html
    assert ids and all(isinstance(i, str) for i in ids)
    assert ids[0] == "sx-2019-66-coking-overcapacity:四/（一）"
    assert "四、（一）" in _hits(html)[0]
    assert len(_hits(html)) == len(ids) <= 20
    for i, hit in zip(ids, _hits(html)):  # place and level for people; ids and scores stay out of the page
        assert i not in hit and "score" not in hit
        assert re.search(r"<div class='clause-id'>\S+ · (?:国家级|省级|市级|县级) · <a class='open-clause'", hit), hit


@pytest.mark.parametrize("mode", ["keyword", "semantic"])
def test_search_modes(service: Service, mode: str) -> None:
    html, ids = _search(service, "补偿标准", mode, None, None, None, None)
    assert ids and len(_hits(html)) == len(ids)


def test_search_jurisdiction_filter_marks_higher_level_rules(service: Service) -> None:
    html, ids = _search(service, "4.3米焦炉关停", "hybrid", "介休市", ALL, None, None)
    allowed = set(places.ancestors("介休市"))
    seen = set()
    for clause_id, hit in zip(ids, _hits(html)):
        place = re.search(r"<div class='clause-id'>(\S+) · ", hit).group(1)
        assert place in allowed, (clause_id, place)
        seen.add(place)
        if place == "介休市":
            assert "上级规定" not in hit
        else:
            assert "上级规定（" in hit, hit
    assert {"介休市", "山西省"} <= seen
    assert not any(i.startswith(XINZHOU) for i in ids)


def test_search_document_and_year_filters(service: Service) -> None:
    _, ids = _search(service, "焦炉", "hybrid", ALL, XINZHOU, None, None)
    assert ids and all(i.startswith(XINZHOU + ":") for i in ids)
    _, ids = _search(service, "焦炉", "hybrid", ALL, ALL, 2022, 2022.0)  # gr.Number gives floats
    assert ids and all(i.startswith(XINZHOU + ":") for i in ids)
    _, ids = _search(service, "焦炉", "hybrid", ALL, ALL, 2019, 2019)
    assert ids and all(i.startswith(("sx-2019-39", "sx-2019-66")) for i in ids)


def test_search_empty_query_and_bad_year(service: Service) -> None:
    assert handlers.search(service, "  ", "hybrid", ALL, ALL, None, None) == (
        "<p class='empty'>请输入关键词 / type a query</p>",
        [],
    )
    with pytest.raises(UserError):
        handlers.search(service, "焦炉", "hybrid", ALL, ALL, "abc", None)


def test_clause_context_shows_current_clause_with_neighbours(service: Service) -> None:
    html = handlers.clause_context(service, JIEXIU_CLAUSE)
    assert html.startswith("<div class='context'>")
    assert "<h4>介休市全面关停炭化室高度4.3米焦炉工作方案" in html
    current = re.findall(r"<p class='current'>(.*?)</p>", html, re.DOTALL)
    assert len(current) == 1
    assert current[0].startswith("<b>二、（一）</b>") and "2023年10月31日前" in current[0]
    labels = re.findall(r"<p class='[a-z]*'><b>([^<]*)</b>", html)
    assert labels == ["一、", "二、", "二、（一）", "二、（二）", "二、（三）"]  # two neighbours either side, in order
    assert "<details><summary>原文 / original text" in html


def test_clause_context_parent_heading_and_edges(service: Service) -> None:
    html = handlers.clause_context(service, f"{JIEXIU}:六/16")
    assert re.search(r"<p class='parent'>六、 工作职责 …</p>", html), html[:400]
    first = handlers.clause_context(service, f"{JIEXIU}:title")
    assert re.search(r"<p class='current'><b>标题</b>", first)
    assert handlers.clause_context(service, None) == ""
    assert handlers.clause_context(service, "") == ""
    assert handlers.clause_context(service, "nope:<b>") == "<p>未找到条款 / no clause nope:&lt;b&gt;</p>"


# ---- escaping: documents are data, never markup ------------------------------------------------------------
# the fixtures' markup as it would appear unescaped (the app's own <b>/<mark> tags are fine)
RAW_MARKUP = re.compile(r"<\s*/?\s*script|<b>x</b>", re.IGNORECASE)


def _no_raw_markup(text: str) -> None:
    assert not RAW_MARKUP.search(text), RAW_MARKUP.search(text)


def test_markup_fixture_really_carries_markup(xss_service: Service) -> None:
    """Guard for the tests below: the stored clauses do contain literal `<script>` / `<b>`."""
    clauses = {c.id: c for c in xss_service.store().clauses(XSS_DOC)}
    assert "<script>" in clauses[f"{XSS_DOC}:一"].text
    assert "<b>x</b>" in clauses[f"{XSS_DOC}:二/（一）"].heading
    assert "<b>x</b>" in xss_service.store().find_document(TITLE_DOC).title


def test_search_results_escape_document_markup(xss_service: Service) -> None:
    html, ids = _search(xss_service, "煤场全封闭改造", "hybrid", ALL, ALL, None, None)
    assert f"{XSS_DOC}:一" in ids
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    _no_raw_markup(html)
    html, _ = handlers.search(xss_service, "alert", "keyword", ALL, ALL, None, None)
    assert "&lt;script&gt;" in html
    _no_raw_markup(html)
    html, _ = handlers.search(xss_service, "焦炉整治", "hybrid", ALL, TITLE_DOC, None, None)
    assert "关于&lt;b&gt;x&lt;/b&gt;焦炉整治的通知" in html  # the document title in the hit head
    _no_raw_markup(html)


def test_clause_context_escapes_document_markup(xss_service: Service) -> None:
    html = handlers.clause_context(xss_service, f"{XSS_DOC}:一")
    # the stored text keeps `(1)` as written (docs/data-model.md)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;工作目标" in html
    assert "&lt;b&gt;x&lt;/b&gt;排查煤场扬尘" in html
    assert "&amp;lt;script&amp;gt;" in html  # the raw text in <pre> holds the entities as written
    _no_raw_markup(html)
    html = handlers.clause_context(xss_service, f"{XSS_DOC}:二/（一）")
    assert "<p class='current'><b>二、（一）</b> &lt;b&gt;x&lt;/b&gt;排查煤场扬尘" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;字样" in html  # the raw `<script>` line, shown in <pre>
    _no_raw_markup(html)
    _no_raw_markup(handlers.clause_context(xss_service, f"{TITLE_DOC}:一"))


def test_clause_tree_escapes_document_markup(xss_service: Service) -> None:
    md = handlers.clause_tree_md(xss_service, XSS_DOC)
    assert "**一、** &lt;script&gt;alert(1)&lt;/script&gt;工作目标" in md
    assert "**二、（一）** &lt;b&gt;x&lt;/b&gt;排查煤场扬尘" in md
    _no_raw_markup(md)
    _no_raw_markup(handlers.clause_tree_md(xss_service, TITLE_DOC))
    assert handlers.clause_tree_md(xss_service, "<script>") == "未找到文件 / no document &lt;script&gt;"


def test_chat_sources_escape_document_markup(xss_service: Service) -> None:
    history = handlers.chat(xss_service, "煤场全封闭改造什么时候完成？", [], ALL, "2026-11-23")
    answer, sources = _answer(history), _sources(history)
    assert "2031年6月30日" in answer["content"]
    for m in history:
        _no_raw_markup(m["content"])
    cited = next(s for s in sources if quote(f"{XSS_DOC}:一", safe="") + "'" in s["content"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in cited["content"]
    assert "<mark>" in cited["content"]
    assert "&lt;b&gt;x&lt;/b&gt;" in answer["content"]


def test_chat_source_titles_escape_document_markup(xss_service: Service) -> None:
    history = handlers.chat(xss_service, "焦炉整治什么时候完成？", [], ALL, "2026-11-23")
    titles = [s["metadata"]["title"] for s in _sources(history)]
    assert any("焦炉整治的通知" in t for t in titles), titles
    for t in titles:
        _no_raw_markup(t)


# ---- answer markdown ---------------------------------------------------------------------------------------
def test_answer_place_headings_are_not_swallowed_by_the_previous_list(service: Service) -> None:
    from markdown_it import MarkdownIt

    answer = _answer(handlers.chat(service, "4.3米焦炉什么时候必须关停？", [], ALL, "2026-11-23"))["content"]
    assert len(re.findall(r"^\*\*", answer, re.M)) >= 2  # rules of several places, each under its heading
    html = MarkdownIt("commonmark", {"breaks": True}).render(answer)
    items = re.findall(r"<li>(.*?)</li>", html, re.DOTALL)
    assert items
    assert not any("<strong>" in li for li in items), [li for li in items if "<strong>" in li]


# ---- obligations --------------------------------------------------------------------------------------------
def _ids(service: Service, *filters: object) -> list[str]:
    """The obligation ids behind the table rows for these filters (the table shows no ids)."""
    return [o.id for o in handlers.obligation_records(service, *filters)]


def test_obligations_table_unfiltered(service: Service, fixed_today: date) -> None:
    rows = handlers.obligations_table(service)
    records = handlers.obligation_records(service)
    assert len(rows[0]) == len(handlers.OBLIGATION_COLUMNS) == len(handlers.OBLIGATION_TYPES)
    assert [o.id for o in records] == [o.id for o in service.store().obligations()]
    assert [r[5] for r in rows] == [o.text for o in records]  # one row per record, same order
    for (due, status, *_), o in zip(rows, records):
        assert o.id not in "".join(_)  # no ids in the table
        if not due:
            assert status == ""
        else:
            assert status == ("已过期 passed" if due < fixed_today.isoformat() else "未到期 upcoming")
    assert handlers.obligations_table(service, ALL, ALL, "", "", "", ALL) == rows  # the UI's "no filter" values


def test_obligations_table_rows_name_documents_and_open_their_clause(service: Service) -> None:
    from policy_kb.app.render import linked_clause

    rows = handlers.obligations_table(service, ALL, JIEXIU)
    records = handlers.obligation_records(service, ALL, JIEXIU)
    # the document by its title when it has no 文号; the 条款 cell is a link to the record's clause
    assert {r[3] for r in rows} == {"介休市全面关停炭化室高度4.3米焦炉工作方案"}
    assert [linked_clause(r[4]) for r in rows] == [o.clause_id for o in records]
    assert any(">二、（一）</a>" in r[4] for r in rows)


def test_obligations_table_filters(service: Service) -> None:
    store = service.store()
    by_id = {o.id: o for o in store.obligations()}

    rows = handlers.obligations_table(service, "介休市")
    assert {r[2] for r in rows} <= set(places.ancestors("介休市"))
    assert {"介休市", "山西省"} <= {r[2] for r in rows}

    rows = handlers.obligations_table(service, ALL, XINZHOU)
    ids = _ids(service, ALL, XINZHOU)
    assert rows and all(i.startswith(XINZHOU + ":") for i in ids) and {r[3] for r in rows} == {"忻政办发〔2022〕71号"}

    ids = _ids(service, ALL, ALL, "市工信局")
    assert ids and len(ids) == len(handlers.obligations_table(service, ALL, ALL, "市工信局"))
    for i in ids:
        o = by_id[i]
        names = set(o.departments.names()) | set(o.department_names.values())
        assert any("工信局" in n or "工业和信息化局" in n for n in names), (i, names)

    rows = handlers.obligations_table(service, ALL, ALL, None, "2023-12-31", "2023-01-01")
    assert rows and all("2023-01-01" <= r[0] <= "2023-12-31" for r in rows)
    assert "2023-10-31" in {r[0] for r in rows}

    ids = _ids(service, ALL, ALL, None, None, None, "must_not")
    assert ids and all(by_id[i].modality == "must_not" for i in ids)

    combined = handlers.obligations_table(service, "介休市", JIEXIU, None, "2023-12-31", None, "must")
    ids = _ids(service, "介休市", JIEXIU, None, "2023-12-31", None, "must")
    assert combined and all(i.startswith(JIEXIU) for i in ids) and all(r[0] <= "2023-12-31" for r in combined)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"due_before": "2023-13-01"}, "2023-13-01"),
        ({"due_after": "soon"}, "soon"),
        ({"doc": "no-such-doc"}, "no-such-doc"),
    ],
)
def test_obligations_table_bad_filters_are_user_errors(service: Service, kwargs: dict, message: str) -> None:
    with pytest.raises(UserError, match=message):
        handlers.obligation_records(service, **kwargs)


def test_obligations_department_filter_ignores_surrounding_spaces(service: Service) -> None:
    wanted = handlers.obligations_table(service, department="市工信局")
    assert wanted
    assert handlers.obligations_table(service, department=" 市工信局 ") == wanted


FILTER_CASES = [
    pytest.param((ALL, ALL, "", "", "", ALL), id="all"),
    pytest.param(("介休市", ALL, "", "", "", ALL), id="jurisdiction"),
    pytest.param((ALL, XINZHOU, "", "", "", ALL), id="doc"),
    pytest.param((ALL, ALL, "市工信局", "", "", ALL), id="department"),
    pytest.param((ALL, ALL, "", "2023-12-31", "2023-01-01", ALL), id="due-range"),
    pytest.param((ALL, ALL, "", "", "", "encouraged"), id="modality"),
    pytest.param(("忻州市", ALL, "", "2030-01-01", "", "must"), id="combined"),
    pytest.param(("忻州市", JIEXIU, "", "", "", ALL), id="empty-result"),
]


def _read_export(path: Path, fmt: str) -> list[str]:
    data = path.read_bytes()
    if fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(text, newline=""))
        assert reader.fieldnames == csv_fields()
        return [row["id"] for row in reader]
    text = data.decode("utf-8")
    if fmt == "json":
        return [r["id"] for r in json.loads(text)]
    return [json.loads(line)["id"] for line in text.splitlines()]


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
@pytest.mark.parametrize("filters", FILTER_CASES)
def test_export_writes_exactly_the_filtered_rows(service: Service, filters: tuple, fmt: str) -> None:
    place, doc, dept, before, after, modality = filters
    path = Path(handlers.export_obligations(service, place, doc, dept, before, after, modality, fmt))
    assert path.parent.resolve() == service.paths.exports.resolve()
    assert path.name.startswith("obligations-") and path.suffix == f".{fmt}"
    assert _read_export(path, fmt) == _ids(service, place, doc, dept, before, after, modality)
    assert len(handlers.obligations_table(service, place, doc, dept, before, after, modality)) == len(
        _read_export(path, fmt)
    )


def test_export_files_are_reused_per_request_and_bad_format_refused(service: Service) -> None:
    """The same rows in the same format are one cached file (written once, atomically); other rows another."""
    a = handlers.export_obligations(service, ALL, XINZHOU, "", "", "", ALL, "csv")
    written = Path(a).stat().st_mtime_ns, Path(a).read_bytes()
    b = handlers.export_obligations(service, ALL, XINZHOU, "", "", "", ALL, "csv")
    assert a == b and Path(b).read_bytes() == written[1]
    assert handlers.export_obligations(service, ALL, XINZHOU, "", "", "", ALL, "json") != a
    assert handlers.export_obligations(service, ALL, ALL, "", "", "", ALL, "csv") != a
    with pytest.raises(UserError, match="csv"):
        handlers.export_obligations(service, ALL, ALL, "", "", "", ALL, "xlsx")
    with pytest.raises(UserError):
        handlers.export_obligations(service, ALL, ALL, "", "bad-date", "", ALL, "csv")


# ---- timeline -----------------------------------------------------------------------------------------------
def test_timeline_rows_have_passed_upcoming_and_today(xss_service: Service, fixed_today: date) -> None:
    rows = handlers.timeline_rows(xss_service)
    statuses = {r["status"] for r in rows}
    assert statuses == {"已过期 passed", "未到期 upcoming", "今天 today"}
    today_rows = [r for r in rows if r["status"] == "今天 today"]
    dated = [r for r in rows if r["status"] != "今天 today"]
    assert {r["place"] for r in today_rows} == {r["place"] for r in dated} == {"介休市", "长治市", "大同市"}
    assert all(r["date"] == fixed_today.isoformat() and r["source"] == "" for r in today_rows)
    for r in dated:
        date.fromisoformat(r["date"])
        assert r["status"] == ("已过期 passed" if r["date"] < fixed_today.isoformat() else "未到期 upcoming")
        assert r["source"] and ":" not in r["source"] and len(r["obligation"]) <= 80  # 文号 and path, not an id
    assert {"2031-06-30", "2031-03-31", "2031-09-30"} <= {r["date"] for r in dated}
    assert "2023-10-31" in {r["date"] for r in dated}


def test_timeline_rows_jurisdiction_filter(service: Service, fixed_today: date) -> None:
    rows = handlers.timeline_rows(service, "忻州市")
    assert rows and {r["place"] for r in rows} <= {"忻州市", "山西省"}
    assert handlers.timeline_rows(service, ALL) == handlers.timeline_rows(service, None)


# ---- documents ----------------------------------------------------------------------------------------------
def test_documents_table(service: Service) -> None:
    rows = handlers.documents_table(service)
    docs = {d.id: d for d in service.store().documents()}
    assert [r[0] for r in rows] == [docs[i].title for i in SEED_IDS]  # titles, not ids
    assert all(len(r) == len(handlers.DOCUMENT_COLUMNS) and all(isinstance(x, str) for x in r) for r in rows)
    by_title = {r[0]: r for r in rows}
    sx66 = by_title[docs["sx-2019-66-coking-overcapacity"].title]
    assert sx66[1:5] == ["晋政办发〔2019〕66号", "2019-08-12", "山西省", "省级"]
    jiexiu = by_title[docs[JIEXIU].title]
    assert jiexiu[1] == "—" and jiexiu[3:5] == ["介休市", "县级"]
    assert "文中未写明文号" in jiexiu[6] and "sidecar" not in jiexiu[6]  # warnings in users' words
    for doc_id, d in docs.items():
        assert int(by_title[d.title][5]) == len(service.store().clauses(doc_id))


def test_document_choices_show_titles_and_send_ids(service: Service) -> None:
    choices = dict((value, label) for label, value in handlers.document_choices(service))
    assert list(choices) == SEED_IDS
    assert choices[XINZHOU] == "忻州市人民政府办公室关于推动焦化行业高质量发展的意见（忻政办发〔2022〕71号）"
    assert choices[JIEXIU] == "介休市全面关停炭化室高度4.3米焦炉工作方案"


@pytest.mark.parametrize(
    "warning, shown",
    [
        ("doc_number not stated in the text (add it in a .meta.json sidecar if known)", "文中未写明文号"),
        ("mojibake at 2685-2693: 'é\x80\x9a' (garbled characters, not real text)", "含乱码字符"),
        ("removed 3 page-number/running-header line(s)", "已去除 3 行页码或页眉"),
        ("第三章/第十一一条: numbering: 第十一一条 is not a well-formed number", "编号「第十一一条」写法有误"),
        ("numbering: 第九条 skips (expected 第八条)", "编号「第九条」跳号（应为第八条）"),
    ],
)
def test_build_warnings_are_shown_in_users_words(warning: str, shown: str) -> None:
    from policy_kb.app.render import user_warning

    assert user_warning(warning).startswith(shown)
    assert not re.search(r"[a-z]{4,}", user_warning(warning).split("（可在")[0])  # no English developer words


def test_missing_citations_lists_uncollected_documents(service: Service) -> None:
    md = handlers.missing_citations_md(service)
    lines = md.splitlines()
    assert lines[0].startswith("| 被引用文件") and lines[1] == "|---|---|---|"
    row = next(line for line in lines if "晋政办发〔2022〕51号" in line)
    assert "《山西省人民政府办公厅关于推动焦化行业高质量发展的意见》" in row
    assert (
        "介休市全面关停炭化室高度4.3米焦炉工作方案" in row
        and "忻州市人民政府办公室关于推动焦化行业高质量发展的意见" in row
    )
    assert "晋政办发〔2019〕66号" not in md  # cited, but in the corpus


def test_clause_tree(service: Service) -> None:
    md = handlers.clause_tree_md(service, JIEXIU)
    lines = md.splitlines()
    assert lines[0].startswith("**〔标题〕** 介休市全面关停炭化室高度4.3米焦炉工作方案")
    assert "**二、** 目标任务  " in lines
    assert "&nbsp;&nbsp;&nbsp;&nbsp;**二、（一）** 关停退出4.3米焦炉  " in lines
    assert lines.index("**二、** 目标任务  ") < lines.index(
        "&nbsp;&nbsp;&nbsp;&nbsp;**二、（一）** 关停退出4.3米焦炉  "
    )
    assert handlers.clause_tree_md(service, None) == "" and handlers.clause_tree_md(service, "") == ""


def test_jurisdiction_choices(service: Service) -> None:
    assert handlers.jurisdiction_choices(service) == [ALL, "山西省", "忻州市", "晋中市", "介休市"]


# ---- upload ---------------------------------------------------------------------------------------------------
PASSWORD = "s3cret-管理员"
UPLOAD_KEYWORD = "琥珀酸"
UPLOAD_PARAGRAPHS = [
    "阳泉市人民政府办公室关于开展焦化企业琥珀酸泄漏排查的通知",
    "阳政办发〔2025〕3号",
    "各县（区）人民政府，市直有关单位：",
    "为防范焦化企业琥珀酸泄漏风险，经市人民政府同意，现就有关事项通知如下。",
    "一、工作目标",
    "2027年12月31日前，全市焦化企业必须完成琥珀酸储罐泄漏排查。",
    "二、重点任务",
    "（一）开展全面排查",
    "各县（区）要组织开展琥珀酸储罐全面排查，建立问题清单，实行销号管理。",
    "（二）加强监督检查",
    "市应急局要加强监督检查，对整改不力的企业依法查处。",
    "阳泉市人民政府办公室",
    "2025年5月6日",
]


@pytest.fixture(scope="module")
def upload_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from policy_kb.pipeline import build_all

    base = tmp_path_factory.mktemp("app-upload-template")
    shutil.copytree(CORPUS, base / "corpus")
    report = build_all(base / "corpus", base / "index", progress=_quiet)
    assert not report.errors
    return base


@pytest.fixture
def upload_service(upload_template: Path, tmp_path: Path) -> Service:
    """A fresh writable KB per test: a copy of the template (corpus copy + index)."""
    base = tmp_path / "kb"
    shutil.copytree(upload_template, base)
    return Service(Paths(index=base / "index", corpus=base / "corpus", exports=base / "exports"))


@pytest.fixture
def admin(upload_service: Service) -> str:
    """Uploads enabled: the service's settings carry the admin password (as $POLICY_KB_ADMIN_PASSWORD would)."""
    upload_service.settings = replace(upload_service.settings, admin_password=PASSWORD)
    return PASSWORD


@pytest.fixture
def notice(tmp_path: Path, make_docx) -> Path:
    return make_docx(tmp_path / "upload" / "阳泉 琥珀酸通知.docx", UPLOAD_PARAGRAPHS)


def _listing(service: Service) -> list[str]:
    return sorted(p.name for p in service.paths.corpus.iterdir())


def _new_doc_hits(service: Service) -> list[str]:
    _, ids = _search(service, UPLOAD_KEYWORD, "hybrid", ALL, ALL, None, None)
    return [i for i in ids if i.startswith("阳泉")]


def test_upload_refused_when_admin_password_unset(
    upload_service: Service, notice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POLICY_KB_ADMIN_PASSWORD", raising=False)
    upload_service.settings = Settings.from_env()
    assert not handlers.admin_enabled(upload_service)
    before = _listing(upload_service)
    for password in ("", "anything", None):
        with pytest.raises(UserError, match="POLICY_KB_ADMIN_PASSWORD"):
            handlers.upload(upload_service, str(notice), password)  # type: ignore[arg-type]
    assert _listing(upload_service) == before


@pytest.mark.parametrize("password", ["", "wrong", PASSWORD.upper(), PASSWORD + " ", None])
def test_upload_refused_with_wrong_password(
    upload_service: Service, notice: Path, admin: str, password: str | None
) -> None:
    assert handlers.admin_enabled(upload_service)
    before = _listing(upload_service)
    with pytest.raises(UserError, match="密码错误"):
        handlers.upload(upload_service, str(notice), password)  # type: ignore[arg-type]
    assert _listing(upload_service) == before


def test_upload_docx_is_searchable_without_a_new_service(
    upload_service: Service, notice: Path, admin: str, fixed_today: date
) -> None:
    service = upload_service
    assert _new_doc_hits(service) == []
    docs_before = [r[0] for r in handlers.documents_table(service)]
    # a worker thread that already holds an Answerer must also see the new document after the upload
    worker = ThreadPoolExecutor(max_workers=1)
    try:
        assert worker.submit(_new_doc_hits, service).result() == []
        message = handlers.upload(service, str(notice), admin)
        assert message.startswith("✅ 已入库")
        assert "**阳泉-琥珀酸通知.docx**" in message and "1 added" in message
        assert (service.paths.corpus / "阳泉-琥珀酸通知.docx").is_file()
        hits = _new_doc_hits(service)
        assert hits, "uploaded document not searchable through the same Service"
        assert worker.submit(_new_doc_hits, service).result() == hits
    finally:
        worker.shutdown()
    html, ids = _search(service, UPLOAD_KEYWORD, "keyword", ALL, ALL, None, None)
    assert f"<mark>{UPLOAD_KEYWORD}</mark>" in html and ids[0].startswith("阳泉")
    new_docs = [r for r in handlers.documents_table(service) if r[0] not in docs_before]
    assert len(new_docs) == 1
    assert new_docs[0][1] == "阳政办发〔2025〕3号" and new_docs[0][3] == "阳泉市"
    doc_id = next(v for label, v in handlers.document_choices(service) if "阳政办发〔2025〕3号" in label)
    assert f"`{doc_id}`" in message
    assert "**二、（一）** 开展全面排查" in handlers.clause_tree_md(service, doc_id)
    rows = handlers.obligations_table(service, doc=doc_id)
    assert any(r[0] == "2027-12-31" and r[1] == "未到期 upcoming" for r in rows)
    answer = _answer(handlers.chat(service, "琥珀酸储罐泄漏排查什么时候完成？", [], ALL, "2026-11-23"))["content"]
    assert "2027年12月31日" in answer
    assert service.answerer().searcher.dense is not None  # the dense index was rebuilt, not left stale
    # the same file again: refused, nothing changes
    with pytest.raises(UserError, match="已存在"):
        handlers.upload(service, str(notice), admin)


def _assert_refused(service: Service, path: Path, password: str, match: str) -> None:
    before = _listing(service)
    docs_before = handlers.documents_table(service)
    with pytest.raises(UserError, match=match):
        handlers.upload(service, str(path), password)
    assert _listing(service) == before
    assert handlers.documents_table(service) == docs_before


def test_upload_oversized_file_refused(upload_service: Service, admin: str, tmp_path: Path) -> None:
    upload_service.settings = replace(upload_service.settings, max_upload_bytes=1024)
    big = tmp_path / "big.txt"
    big.write_text("\n".join(UPLOAD_PARAGRAPHS) * 10, encoding="utf-8")
    assert big.stat().st_size > 1024
    _assert_refused(upload_service, big, admin, "文件过大")


@pytest.mark.parametrize("extra, shown", [(1, "20.0"), (512 * 1024, "20.5")])
def test_upload_oversized_message_is_consistent(
    upload_service: Service, admin: str, tmp_path: Path, extra: int, shown: str
) -> None:
    upload_service.settings = replace(upload_service.settings, max_upload_bytes=20 * 1024 * 1024)  # the default
    big = tmp_path / "just-over.txt"
    with open(big, "wb") as fh:
        fh.truncate(upload_service.settings.max_upload_bytes + extra)  # sparse: no 20 MB written
    with pytest.raises(UserError) as info:
        handlers.upload(upload_service, str(big), admin)
    # the size with one decimal, then the limit: never a size that reads as smaller than the limit
    assert str(info.value).endswith(f"文件过大 / file too large: {shown} MB, limit 20 MB"), str(info.value)


@pytest.mark.parametrize(
    "name, content, match",
    [
        pytest.param("binary.txt", bytes(range(256)) * 40, "文件无法读取", id="binary-renamed-txt"),
        pytest.param("empty.txt", b"", "文件无法读取", id="empty"),
        pytest.param("blank.md", b"  \n\n\t \n", "文件无法读取", id="whitespace-only"),
        pytest.param("broken.docx", b"PK\x03\x04 not really a zip", "文件无法读取", id="not-a-docx"),
        pytest.param("setup.exe", b"MZ\x90\x00" * 64, "不支持的文件类型", id="exe"),
        pytest.param("notes", "焦炉".encode() * 50, "不支持的文件类型", id="no-suffix"),
    ],
)
def test_upload_bad_files_refused(
    upload_service: Service, admin: str, tmp_path: Path, name: str, content: bytes, match: str
) -> None:
    path = tmp_path / "bad" / name
    path.parent.mkdir()
    path.write_bytes(content)
    _assert_refused(upload_service, path, admin, match)


def test_upload_without_a_file(upload_service: Service, admin: str) -> None:
    for value in (None, ""):
        with pytest.raises(UserError, match="请选择文件"):
            handlers.upload(upload_service, value, admin)


def test_upload_leaves_no_temp_files(
    upload_service: Service, admin: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    with pytest.raises(UserError):
        handlers.upload(upload_service, str(bad), admin)
    assert [p.name for p in scratch.iterdir()] == []


@pytest.mark.parametrize(
    "make_path",
    [
        pytest.param(lambda d: (d / "a" / "b" / ".." / ".." / "evil 文件.txt", d / "evil 文件.txt"), id="dotdot-path"),
        pytest.param(lambda d: (d / "..\\..\\evil 文件.txt",) * 2, id="backslash-name"),
    ],
)
def test_upload_traversal_name_stored_safely_in_corpus(
    upload_service: Service, admin: str, tmp_path: Path, make_path
) -> None:
    src_dir = tmp_path / "src"
    (src_dir / "a" / "b").mkdir(parents=True)
    given, real = make_path(src_dir)
    real.write_text("\n".join(UPLOAD_PARAGRAPHS), encoding="utf-8")
    corpus = upload_service.paths.corpus
    before = set(_listing(upload_service))
    outside_before = {p for p in corpus.parent.parent.rglob("*evil*")}
    message = handlers.upload(upload_service, str(given), admin)
    added = set(_listing(upload_service)) - before
    assert added == {"evil-文件.txt"}
    stored = corpus / "evil-文件.txt"
    assert stored.resolve().parent == corpus.resolve()
    assert stored.read_text(encoding="utf-8") == real.read_text(encoding="utf-8")
    assert "evil-文件.txt" in message
    assert {p for p in corpus.parent.parent.rglob("*evil*")} - outside_before == {stored}
    _, ids = _search(upload_service, UPLOAD_KEYWORD, "keyword", ALL, ALL, None, None)
    assert ids and ids[0].startswith("evil-文件:")


# Separators are not cut at: every readable part of the name stays (`</b>` once cut a name down to `b-…`)
@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../evil 文件.txt", "evil-文件.txt"),
        ("..\\..\\win.TXT", "win.txt"),
        ("C:\\Windows\\system32\\x.html", "C-Windows-system32-x.html"),
        ("/etc/passwd", "etc-passwd"),
        ("a/b/c.docx", "a-b-c.docx"),
        ("通知.DOCX", "通知.docx"),
        ("晋政办发〔2022〕51号（附件）.pdf", "晋政办发-2022-51号-附件.pdf"),
        ("  .hidden.txt", "hidden.txt"),
        ("-rf.txt", "rf.txt"),
        ("bad\x07name\n.txt", "bad-name.txt"),
        ("evil\u202etxt.exe", "eviltxt.exe"),  # a bidi override is removed, not turned into a visible `-`
        ("补\u200b偿\u200d标准.txt", "补偿标准.txt"),
        ("大同市关于<b>x</b>焦炉整治的通知$(id)whoami.txt", "大同市关于-b-x-b-焦炉整治的通知-id-whoami.txt"),
        ("", "document"),
        ("..", "document"),
        (".txt", "document.txt"),
        ("a" * 200 + ".md", "a" * 80 + ".md"),
    ],
)
def test_safe_name(name: str, expected: str) -> None:
    assert safe_name(name) == expected


@pytest.mark.parametrize("name", ["../../x.t\x07xt", "x.\u202etxt", "x.t xt", "x./txt", "../..", "a/..", "./.txt"])
def test_safe_name_never_returns_separators_or_dotdot(name: str) -> None:
    out = safe_name(name)
    assert "/" not in out and "\\" not in out and out not in (".", "..") and not out.startswith(".")


@pytest.mark.parametrize("name", ["report.t\x07xt", "report.\u202etxt", "report.t xt"])
def test_safe_name_suffix_has_no_control_characters(name: str) -> None:
    import unicodedata

    out = safe_name(name)
    assert not any(unicodedata.category(ch).startswith(("C", "Z")) for ch in out), repr(out)


# fmt: off
PENALTY_SUMMARIES = [
    ("fine-range-and-escalation",
     [{"kind": "order", "text": "责令限期改正"}, {"kind": "fine", "text": "…", "min": 20000.0, "max": 200000.0},
      {"kind": "order", "text": "责令停产整治", "condition": "逾期不改正的"}],
     "责令限期改正；罚款 2万–20万元；责令停产整治（逾期不改正的）"),
    ("percent-of-income", [{"kind": "fine_multiple", "text": "…", "min": 0.6, "max": 1.0, "basis": "上一年年收入"}],
     "罚款 上一年年收入60–100%"),
    ("multiple-and-detention",
     [{"kind": "fine_multiple", "text": "…", "min": 1.0, "max": 3.0, "basis": "违法所得"},
      {"kind": "detention", "text": "…", "max": 15.0}],
     "罚款 违法所得1–3倍；拘留 15日以下"),
    ("upper-bound-only", [{"kind": "fine", "text": "…", "max": 50000.0}], "罚款 5万元以下"),
]
# fmt: on


@pytest.mark.parametrize(
    "penalties, expected", [c[1:] for c in PENALTY_SUMMARIES], ids=[c[0] for c in PENALTY_SUMMARIES]
)
def test_penalty_summary_in_the_obligations_table(penalties: list[dict], expected: str) -> None:
    assert handlers.penalty_summary([Penalty.from_dict(p) for p in penalties]) == expected


# ---- feedback ---------------------------------------------------------------------------------------------------
@pytest.fixture
def voting(service: Service, tmp_path: Path) -> Service:
    """The seed service with its votes in a tmp folder (the shared seed index stays untouched)."""
    return Service(
        Paths(index=service.paths.index, corpus=service.paths.corpus, exports=service.paths.exports, feedback=tmp_path)
    )


def test_feedback_on_an_answer_is_stored_and_survives_a_restart(voting: Service) -> None:
    from policy_kb.store.feedback import FeedbackStore

    service = voting
    history = handlers.chat(service, QUESTION, [], "介休市", "2026-11-23")
    answer_at = history.index(_answer(history))
    source_at = history.index(_sources(history)[0])
    before = len(FeedbackStore(service.paths.feedback).all())
    assert handlers.feedback(service, history, answer_at, True, "介休市", "2026-11-23").startswith("感谢")
    assert handlers.feedback(service, history, [source_at], False, "介休市", "2026-11-23")  # a source: its answer
    votes = FeedbackStore(service.paths.feedback).all()[before:]  # a new connection, as after a restart
    assert [v.vote for v in votes] == ["up", "down"]
    assert all(v.question == QUESTION and "2023年10月31日" in v.answer for v in votes)
    assert votes[0].citations and votes[0].citations[0].startswith("来源 [1]")
    assert (votes[0].jurisdiction, votes[0].as_of) == ("介休市", "2026-11-23")
    with pytest.raises(handlers.UserError):
        handlers.feedback(service, history, 0, True)  # the question itself cannot be rated


def test_feedback_export(voting: Service, capsys) -> None:  # type: ignore[no-untyped-def]
    from policy_kb.cli import main

    history = handlers.chat(voting, QUESTION, [], ALL, "2026-11-23")
    handlers.feedback(voting, history, history.index(_answer(history)), False)
    assert main(["feedback", "export", "--index", str(voting.paths.feedback)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[-1]["vote"] == "down" and rows[-1]["question"] == QUESTION
    assert main(["feedback", "export", "--format", "csv", "--index", str(voting.paths.feedback)]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert table[0] == ["at", "vote", "question", "answer", "citations", "jurisdiction", "as_of"]
    assert table[-1][1:3] == ["down", QUESTION]


def test_search_year_range_is_checked_and_results_counted(service: Service) -> None:
    with pytest.raises(handlers.UserError, match="年份范围不成立"):
        handlers.search(service, "补偿", "hybrid", ALL, ALL, 2025, 2019)
    with pytest.raises(handlers.UserError, match="1949–2100"):
        handlers.search(service, "补偿", "hybrid", ALL, ALL, 1e300, None)  # no SQLite overflow reaches the user
    html, ids = _search(service, "补偿", "hybrid", ALL, ALL, 0, None)  # 0: an empty number box
    assert ids and f"共 {len(ids)} 条结果" in html


# ---- my obligations -----------------------------------------------------------------------------------------
def test_my_obligations_marks_what_is_new_since_the_last_view(service: Service) -> None:
    profile = handlers.profile_from_form("介休示例", "介休市", ["焦化"], [["焦炉", "2", "4.3米", "12年", ""]])
    assert profile.facilities[0].count == 2 and profile.facilities[0].attributes["炭化室高度"].value == 4.3
    first, ids, _, _ = handlers.my_checklist(service, profile, "2026-12-06", [])
    assert "2023年10月31日前，全面关停退出" in first and "🆕" not in first  # a first view marks nothing
    assert "<h4>逾期（" in first and first.index("<h4>逾期") < first.index("<h4>长期")
    again, same, _, _ = handlers.my_checklist(service, profile, "2026-12-06", ids)
    assert same == ids and "🆕" not in again
    # an obligation added since (here: one the last view did not have) is marked new
    marked, _, _, _ = handlers.my_checklist(service, profile, "2026-12-06", ids[1:])
    assert marked.count("🆕 新") == 1 and "其中 1 项是上次查看后新增的" in marked


def test_my_obligations_form_errors_name_the_field(service: Service) -> None:
    with pytest.raises(UserError, match=r"facilities\[0\]\.attributes\.炭化室高度"):
        handlers.profile_from_form("x", "介休市", ["焦化"], [["焦炉", "1", "很高", "", ""]])
    with pytest.raises(UserError, match="place: unknown place"):
        handlers.profile_from_form("x", "火星", ["焦化"], [])


def test_checklist_files(service: Service) -> None:
    profile = handlers.profile_from_form("介休示例", "介休市", ["焦化"], [["焦炉", "2", "4.3米", "12年", ""]])
    _, _, csv_file, ics_file = handlers.my_checklist(service, profile, "2026-12-06", [])
    ics = Path(ics_file)
    assert ics.parent.resolve() == service.paths.exports.resolve()
    data = ics.read_bytes().decode("utf-8")  # (CRLF line ends, as RFC 5545 requires)
    assert data.startswith("BEGIN:VCALENDAR\r\n") and "DTSTART;VALUE=DATE:20231031" in data
    rows = Path(csv_file).read_text(encoding="utf-8-sig")
    assert rows.startswith("group,due,due_status") and "2023-10-31" in rows


def test_search_says_when_no_result_contains_the_words(service: Service) -> None:
    """补偿 within 2022–2023: no clause of those years contains it, so the semantic neighbours are labelled as such."""
    html, ids = _search(service, "补偿", "hybrid", ALL, ALL, "2022", "2023")
    assert ids and "<mark>" not in html
    assert "所选范围内没有条款包含「补偿」" in html
    html, _ = _search(service, "补偿", "hybrid", ALL, ALL, None, None)
    assert "<mark>补偿</mark>" in html and "没有条款包含" not in html


def test_answer_bullets_are_never_only_a_roster_line_or_a_department_list(service: Service) -> None:
    """Issue 14, item 9: over all 120 seed questions, no bullet is a roster line (`组长：赵辉…`) or a bare
    parenthesised department list (`（市工信局、…按职责分工负责）`) — unless the question asks for that role
    (`…领导小组组长是谁`), which a roster line answers (`answerable.choose`)."""
    questions = [
        json.loads(line)["question"]
        for line in (ROOT / "tests/gold/questions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    roster = re.compile(r"^\s*[-*] (?:“)?(?:组长|副组长|成员|办公室主任)[：:]")
    bare = re.compile(r"^\s*[-*] (?:“)?[（(][^）)]*[）)][。；;]?(?:”)?\s*(?:\[\d+\])")
    for q in questions:
        answer = service.answerer().ask(q, None, date(2026, 11, 23))
        role = understand(q).role
        bad = [
            line
            for line in answer.answer.splitlines()
            if (roster.match(line) and not (role and role in line[:8])) or bare.match(line)
        ]
        assert not bad, (q, bad)
