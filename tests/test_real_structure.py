"""Structure of real laws and regulations (LawRefBook texts in ../shared/real-dev/) and of page-furniture fixtures.

Expected values are counted or read in the source texts, never taken from the program's output.  The real texts are
read where they are (skipped when absent), never copied into the repository.  Only the development split is used.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_kb.ingest.clauses import cn_to_int, int_to_cn, label_style, parse_clauses, text_spans
from policy_kb.ingest.clean import clean, for_matching
from policy_kb.ingest.document import process_file

REAL_DEV = ROOT.parent / "shared" / "real-dev"
DEV_TEXTS = [
    "d01_water_pollution_law",
    "d03_work_safety_law",
    "d06_env_tax_law",
    "d07_project_env_regulation",
    "d09_henan_air_regulation",
    "d11_shandong_safety_regulation",
]
FURNITURE = ROOT / "tests" / "fixtures" / "ingest" / "page-furniture.txt"
CN_NUM = "[一二三四五六七八九十百千零〇]"


def _real(name: str) -> str:
    path = REAL_DEV / f"{name}.md"
    if not path.is_file():
        pytest.skip(f"{path} not present (real texts live outside the repository)")
    return path.read_text(encoding="utf-8")


def _parse(raw: str, doc_id: str = "x"):
    ct = clean(raw)
    return ct, parse_clauses(doc_id, ct.text, ct.mojibake)


def _count(clauses, style: str) -> int:
    return sum(1 for c in clauses if c.label and label_style(c.label) == style)


# ---- counts equal the source --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", DEV_TEXTS)
def test_article_chapter_section_counts_equal_the_source(name: str) -> None:
    raw = _real(name)
    _, clauses = _parse(raw, name)
    assert _count(clauses, "article") == len(re.findall(rf"(?m)^第{CN_NUM}+条", raw))
    assert _count(clauses, "chapter") == len(re.findall(rf"(?m)^#*\s*第{CN_NUM}+章", raw))
    assert _count(clauses, "section") == len(re.findall(rf"(?m)^#*\s*第{CN_NUM}+节", raw))


@pytest.mark.parametrize("name", DEV_TEXTS)
def test_articles_are_numbered_one_by_one_without_warnings(name: str) -> None:
    _, clauses = _parse(_real(name), name)
    numbers = [cn_to_int(c.label[1:-1]) for c in clauses if c.label and label_style(c.label) == "article"]
    assert numbers == list(range(1, len(numbers) + 1))
    assert [w for c in clauses for w in c.warnings if w.startswith("numbering")] == []


def test_seed_corpus_has_no_article_lines_and_keeps_its_clause_count() -> None:
    for path in sorted(CORPUS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        _, clauses = _parse(raw, path.stem)
        assert _count(clauses, "article") == len(re.findall(rf"(?m)^第{CN_NUM}+条", raw))


def test_five_numeral_article_is_its_own_clause_under_its_chapter() -> None:
    _, clauses = _parse(_real("d03_work_safety_law"), "d03")
    by_id = {c.id: c for c in clauses}
    article = by_id["d03:第六章/第一百一十一条"]  # d03 line 495, under `## 第六章 法律责任` (line 365)
    assert article.parent_id == "d03:第六章" and article.level == 2
    assert article.text.startswith("有关地方人民政府、负有安全生产监督管理职责的部门，对生产安全事故隐瞒不报")
    assert "d03:第七章/第一百一十九条" in by_id


def test_large_numbers_in_a_fixture() -> None:
    raw = "第一章 总则\n" + "".join(f"第{int_to_cn(n)}条 第{n}条的内容。\n" for n in range(1, 1002))
    _, clauses = _parse(raw)
    articles = [c for c in clauses if c.label and c.label.endswith("条")]
    assert len(articles) == 1001 and articles[-1].id == "x:第一章/第一千零一条"
    assert articles[999].label == "第一千条" and articles[999].text == "第1000条的内容。"
    assert not any(c.warnings for c in clauses)


# ---- an article's closing paragraph belongs to the article --------------------------------------------------
def test_closing_paragraph_after_items_belongs_to_the_article() -> None:
    ct, clauses = _parse(_real("d03_work_safety_law"), "d03")
    by_id = {c.id: c for c in clauses}
    article = by_id["d03:第二章/第二十五条"]
    closing = "生产经营单位可以设置专职安全生产分管负责人，协助本单位主要负责人履行安全生产管理职责。"
    assert article.text.endswith("\n" + closing)
    assert article.text.startswith("生产经营单位的安全生产管理机构以及安全生产管理人员履行下列职责")
    assert by_id["d03:第二章/第二十五条/（七）"].text == "督促落实本单位安全生产整改措施。"
    assert len(article.spans) == 2 and ct.text[slice(*article.spans[1])] == closing


def test_closing_paragraph_offsets_find_the_sentences() -> None:
    """Sentences of every span can be located in the document text (what extraction does)."""
    ct, clauses = _parse(_real("d01_water_pollution_law"), "d01")
    article = next(c for c in clauses if c.id == "d01:第七章/第九十一条")
    spans = text_spans(ct.text, article)
    assert len(spans) == 2
    assert ct.text[slice(*spans[1])].startswith("在饮用水水源一级保护区内从事网箱养殖")
    item3 = next(c for c in clauses if c.id == "d01:第七章/第九十一条/（三）")
    assert "网箱养殖" not in item3.text


def test_paragraphs_between_items_and_after_them() -> None:
    raw = (
        "第一章 总则\n第一条 单位应当履行下列义务：\n（一）甲；\n（二）乙。\n前款规定的义务，由单位负责人落实。\n"
        "违反前款规定的，依法处理。\n第二条 下一条。\n"
    )
    ct, clauses = _parse(raw)
    by_id = {c.id: c for c in clauses}
    first = by_id["x:第一章/第一条"]
    assert first.text == "单位应当履行下列义务：\n前款规定的义务，由单位负责人落实。\n违反前款规定的，依法处理。"
    assert by_id["x:第一章/第一条/（二）"].text == "乙。"
    assert first.end == ct.text.index("\n第二条")
    assert ["\n".join(ct.text[a:b] for a, b in c.spans) for c in clauses] == [c.text for c in clauses]


def test_gongwen_paragraph_after_an_item_still_belongs_to_the_item() -> None:
    """Outside articles (一、/（一）/1. documents) nothing changes: an unnumbered paragraph continues the clause
    before it (docs/data-model.md)."""
    _, clauses = _parse("一、目标\n（一）任务\n第一段。\n第二段。\n")
    assert [c.text for c in clauses] == ["目标", "任务\n第一段。\n第二段。"]


# ---- markup and page furniture -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", DEV_TEXTS)
def test_comments_never_reach_the_text(name: str) -> None:
    ct, clauses = _parse(_real(name), name)
    assert "<!--" not in ct.text and "INFO END" not in ct.text
    assert not any("INFO END" in c.text or "#" in c.text for c in clauses)


def test_page_numbers_and_running_headers_inside_sentences_are_removed() -> None:
    raw = FURNITURE.read_text(encoding="utf-8")
    ct, clauses = _parse(raw)
    for furniture in ("- 4 -", "— 6 —", "第5页", "运城市人民政府公报"):
        assert furniture not in ct.text
    by_id = {c.id: c for c in clauses}
    assert "周边15公里范围内不得新建、扩建焦化、钢铁等高排放项目" in by_id["x:一/（一）"].text
    assert "严格环评审批，凡不符合规划环评要求的项目" in by_id["x:一/（二）"].text
    assert "检查结果在市政府门户网站公开。" in by_id["x:二/（一）"].text
    assert by_id["x:二/（二）"].text.endswith("台账保存期限不少于五年。")
    assert "运城市人民政府办公室" in by_id["x:signature"].text  # a real line, not a header
    assert any("page-number" in w for w in ct.warnings)
    # the offset map still points every character at the same character of the raw text
    assert len(ct.src) == len(ct.text)
    assert all(raw[ct.src[i]] == ch for i, ch in enumerate(ct.text) if ch != "\n")


def test_running_header_line_is_kept_where_it_does_not_split_a_sentence() -> None:
    raw = "甲市通报\n一、情况\n各地要抓紧落实整改，\n甲市通报\n确保按期完成。\n二、要求\n甲市通报\n"
    ct, _ = _parse(raw)
    assert "抓紧落实整改，确保按期完成。" in ct.text
    assert ct.text.startswith("甲市通报\n") and ct.text.endswith("\n甲市通报")


def test_page_number_between_a_short_line_and_its_continuation() -> None:
    """A page break after a short first line (`1.大宗物料…铁路或管` / `- 3 -` / `道运输…`): a word runs across it."""
    raw = "（三）优化运输结构\n1.大宗物料最大程度采用铁路或管\n- 3 -\n道运输，短距离运输优先采用封闭式皮带通廊。\n"
    ct, _ = _parse(raw)
    assert "1.大宗物料最大程度采用铁路或管道运输，短距离" in ct.text


# ---- text kept as written -------------------------------------------------------------------------------------
def test_half_width_punctuation_is_kept_and_offsets_stay_valid() -> None:
    raw = _real("d03_work_safety_law")
    ct, clauses = _parse(raw, "d03")
    article = next(c for c in clauses if c.id == "d03:第二章/第二十一条")
    assert article.text.endswith("负有下列职责:")  # half-width colon as in the source (line 79)
    assert for_matching(article.text).endswith("负有下列职责：")
    assert all(raw[ct.src[i]] == ch for i, ch in enumerate(ct.text) if ch != "\n")
    for c in clauses:
        assert "\n".join(ct.text[a:b] for a, b in c.spans) == c.text


def test_clause_ids_and_labels_stay_normalised() -> None:
    _, clauses = _parse("一、目标\n(一)任务,2019年完成(牵头单位:市工信局)。\n")
    item = clauses[1]
    assert item.id == "x:一/（一）" and item.label == "（一）"
    assert item.text == "任务,2019年完成(牵头单位:市工信局)。"


# ---- malformed numbering --------------------------------------------------------------------------------------
BAD = (
    "第一章 总则\n第一条 为了保护环境，制定本条例。\n第二条 本条例适用于本省。\n第二条 重复的条文。\n"
    "第十一一条 编号写错的条文。\n第五条 跳号的条文。\n第三条 倒退的条文。\n第二章 附则\n第六条 本条例自发布之日起施行。\n"
)


def test_malformed_numbering_warns_and_keeps_every_article() -> None:
    _ct, clauses = _parse(BAD)
    articles = [c for c in clauses if c.label and c.label.endswith("条")]
    assert [c.text for c in articles] == [
        "为了保护环境，制定本条例。",
        "本条例适用于本省。",
        "重复的条文。",
        "编号写错的条文。",
        "跳号的条文。",
        "倒退的条文。",
        "本条例自发布之日起施行。",
    ]
    warned = {c.label: c.warnings[0] for c in articles if c.warnings}
    assert set(warned) == {"第二条", "第十一一条", "第五条", "第三条"}
    assert "repeats" in warned["第二条"] and "not a well-formed" in warned["第十一一条"]
    assert "skips" in warned["第五条"] and "backwards" in warned["第三条"]
    assert [c.id for c in articles][2] == "x:第一章/第二条~2"


def test_numbering_warnings_reach_the_document(tmp_path: Path) -> None:
    path = tmp_path / "bad-numbering.txt"
    path.write_text(BAD, encoding="utf-8")
    doc, _, _ = process_file(path)
    assert sum(w.split(": ", 1)[1].startswith("numbering") for w in doc.warnings if ": " in w) == 4


# ---- numerals and the matching form --------------------------------------------------------------------------
# fmt: off
CN_TO_INT_CASES = [
    ("一", 1), ("十", 10), ("一十", 10), ("十一", 11), ("二十", 20), ("一百", 100), ("一百零一", 101),
    ("一百一十", 110), ("一百一十一", 111), ("一千", 1000), ("一千零一", 1001), ("一千零一十", 1010),
    ("12", 12), ("十一一", None), ("一百十", None), ("百", None), ("零", None), ("二十二十", None),
]
# fmt: on


@pytest.mark.parametrize("written, value", CN_TO_INT_CASES)
def test_cn_to_int(written: str, value: int | None) -> None:
    assert cn_to_int(written) == value


@given(st.integers(min_value=1, max_value=9999))
def test_cn_numerals_round_trip(n: int) -> None:
    assert cn_to_int(int_to_cn(n)) == n


@given(st.text(alphabet=",;:()!〈〉，；：（）0123456789 工作任务a\n", max_size=60))
def test_for_matching_is_one_to_one(text: str) -> None:
    out = for_matching(text)
    assert len(out) == len(text)
    assert all(a == b or a in ",;:()!〈〉（" for a, b in zip(text, out))
    assert for_matching(out) == out


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), min_size=1, max_size=12))
def test_generated_laws_keep_every_article_and_paragraph(shape: list[tuple[int, int]]) -> None:
    """Articles with n items and m closing paragraphs: one clause per article and item, closing words in the
    article, nothing lost."""
    lines = ["第一章 总则"]
    for k, (items, closing) in enumerate(shape, 1):
        lines.append(f"第{int_to_cn(k)}条 第{k}条应当遵守下列规定：" if items else f"第{int_to_cn(k)}条 第{k}条正文。")
        lines += [f"（{int_to_cn(i)}）第{k}条第{i}项；" for i in range(1, items + 1)]
        lines += [f"依照第{k}条第{j}段结尾。" for j in range(1, closing + 1)]
    _ct, clauses = _parse("\n".join(lines))
    articles = [c for c in clauses if c.label and c.label.endswith("条")]
    assert len(articles) == len(shape)
    for (items, closing), article in zip(shape, articles):
        k = cn_to_int(article.label[1:-1])
        assert all(f"依照第{k}条第{j}段结尾。" in article.text for j in range(1, closing + 1))
        assert sum(c.parent_id == article.id for c in clauses) == items
    assert "\n".join(c.text for c in clauses if c.kind == "body").count("结尾") == sum(m for _, m in shape)


def test_spans_survive_the_index(tmp_path: Path) -> None:
    """The index stores each clause's spans, so a clause read back locates its closing paragraph too."""
    from policy_kb.store import Store

    path = tmp_path / "closing.txt"
    path.write_text(
        "第一章 总则\n第一条 单位应当履行下列义务：\n（一）甲；\n（二）乙。\n违反前款规定的，依法处理。\n",
        encoding="utf-8",
    )
    doc, ct, raw = process_file(path)
    store = Store(tmp_path / "index", create=True)
    with store.transaction():
        store.put_document(doc, path.name, raw, ct.src)
    article = next(c for c in store.find_document(doc.id).clauses if c.id.endswith("第一章/第一条"))
    assert article.text == "单位应当履行下列义务：\n违反前款规定的，依法处理。"
    assert len(article.spans) == 2 and article.spans == next(c.spans for c in doc.clauses if c.id == article.id)
    store.close()
