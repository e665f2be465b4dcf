"""Cleaning (policy_kb.ingest.clean): extraction artefacts removed, paragraphs rebuilt, offsets kept.

Expected values are what the source documents say, not what the code happened to print.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CORPUS, SEED_IDS
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from policy_kb.ingest.clean import CleanText, _running_header_lines, clean, for_matching
from policy_kb.ingest.loaders import load_text

CJK_RE = re.compile(r"[\u4e00-\u9fff]")
PUNCT_AS_WRITTEN = ",;:()!，；：（）！〈〉"


def cjk_only(s: str) -> str:
    return "".join(CJK_RE.findall(s))


# ---- artefact removal on snippets taken from the corpus -----------------------------------------------------
# fmt: off
CLEAN_CASES = [
    # watermark URL line between a heading and its paragraph (jiexiu 二/（一）); PDF line wrap inside （以\n下简称…）
    ("watermark-url",
     "（一）关停退出 4.3米焦炉\n\nhttps://huanbao.bjx.com.cn/topics/jiaohuaxingye/\n\n\n"
     "2023年10月31日前，全面关停退出介休市昌盛煤气化有限公司（以\n\n下简称昌盛公司）60万吨/年焦炉。",
     "（一）关停退出4.3米焦炉\n2023年10月31日前，全面关停退出介休市昌盛煤气化有限公司（以下简称昌盛公司）60万吨/年焦炉。"),
    ("word-bookmark",
     "[bookmark: _GoBack]为推动全市焦化行业高质量发展，现提出以下意见。",
     "为推动全市焦化行业高质量发展，现提出以下意见。"),
    ("markdown-headings-and-bold",
     "## 一、总体思路\n\n以习近平生态文明思想为统领，深入推进产业结构调整。\n\n#### **四、保障措施**\n\n### (一)加强组织领导。",
     "一、总体思路\n以习近平生态文明思想为统领，深入推进产业结构调整。\n四、保障措施\n（一）加强组织领导。"),
    ("markdown-rules",
     "---\n\n抄送：省委各部门。\n\n---",
     "抄送：省委各部门。"),
    ("html-sub",
     "深入开展区域大气环境承载能力研究、PM<sub>2.5</sub>和 O<sub>3</sub> 精细化来源解析。",
     "深入开展区域大气环境承载能力研究、PM2.5和O3精细化来源解析。"),
    ("latex",
     "加强扬尘在线监测数据的应用,现场在线监控  $PM_{10}$  小时均值达到  $250\\mu g/m^3$  时,施工单位应立即停止扬尘作业。",
     "加强扬尘在线监测数据的应用，现场在线监控PM10小时均值达到250μg/m³时，施工单位应立即停止扬尘作业。"),
    ("angle-brackets",
     "（市工信局、市能源局按职责分工负责，有关县〈市、区〉人民政府负责组织落实）",
     "（市工信局、市能源局按职责分工负责，有关县（市、区）人民政府负责组织落实）"),
    ("spaces-in-numbers-and-dates",
     "为确保我市在产 4.3米焦炉按期关停。2023年 10月 1日前完成替代工作。全省 11 个设区市浓度同比下降 30%；减排 20%以上。",
     "为确保我市在产4.3米焦炉按期关停。2023年10月1日前完成替代工作。全省11个设区市浓度同比下降30%；减排20%以上。"),
    ("space-in-number-and-unit",
     "介休市全面关停炭化室高度 4.3 米焦炉工作方案",
     "介休市全面关停炭化室高度4.3米焦炉工作方案"),
    ("standard-number-keeps-its-space",
     "暂按《工业炉窑大气污染物排放标准》（GB 9078—1996）规定执行。",
     "暂按《工业炉窑大气污染物排放标准》（GB 9078—1996）规定执行。"),
    ("half-width-punctuation",
     "各市、县人民政府,省人民政府各委、办、厅、局:",
     "各市、县人民政府，省人民政府各委、办、厅、局："),
    ("numbers-keep-their-punctuation",
     "按照2011-2013年标准,补偿30元/吨,顶装焦炉必须达到炭化室高度6.98米及以上,完成1,000万吨任务,于10:30召开会议。",
     "按照2011-2013年标准，补偿30元/吨，顶装焦炉必须达到炭化室高度6.98米及以上，完成1,000万吨任务，于10:30召开会议。"),
    ("pdf-line-wraps-joined",
     "为做好中央生态环境保护督察“回头看”及大气污染防治专项\n\n督察问题整改,以最大决心压减过剩焦化产能,以整改促发展,以\n"
     "整改促转型,根据省委、省政府安排部署,制定本行动方案。",
     "为做好中央生态环境保护督察“回头看”及大气污染防治专项督察问题整改，以最大决心压减过剩焦化产能，以整改促发展，"
     "以整改促转型，根据省委、省政府安排部署，制定本行动方案。"),
    ("heading-line-stays-alone",
     "一、总体目标\n全省焦化总产能压减至14768万吨以内,并在此基础上保持\n\n建成产能只减不增。",
     "一、总体目标\n全省焦化总产能压减至14768万吨以内，并在此基础上保持建成产能只减不增。"),
    ("number-wrapped-before-unit",
     "（二）协调配合，形成合力。各相关部门要强化协同配合，树立 4.3\n\n米焦炉关停退出“一盘棋”的思想。",
     "（二）协调配合，形成合力。各相关部门要强化协同配合，树立4.3米焦炉关停退出“一盘棋”的思想。"),
    ("year-wrapped-before-month",
     "供热方面，要督促茂胜二期焦炉加快建设速度，力争 2023\n\n\n\n年 8月前 1号炉投产，11月中旬前 2号炉投产。",
     "供热方面，要督促茂胜二期焦炉加快建设速度，力争2023年8月前1号炉投产，11月中旬前2号炉投产。"),
    ("name-list-keeps-its-lines",
     "组 长：赵 辉 市委常委、常务副市长\n\nhttps://huanbao.bjx.com.cn/topics/guoshengchanneng/\n\n\n杨宝民 副市长\n\n"
     "副组长：甄永亮 开发区管委会副主任",
     "组长：赵辉市委常委、常务副市长\n杨宝民副市长\n副组长：甄永亮开发区管委会副主任"),
    ("signature-lines-stay-apart",
     "《山西省焦化行业压减过剩产能打好污染防治攻坚战行动方\n\n案》已经省委、省政府同意,现印发给你们,请认真组织实施。\n\n"
     "山西省人民政府办公厅   \n2019年8月12日    \n\n(此件公开发布)",
     "《山西省焦化行业压减过剩产能打好污染防治攻坚战行动方案》已经省委、省政府同意，现印发给你们，请认真组织实施。\n"
     "山西省人民政府办公厅\n2019年8月12日\n（此件公开发布）"),
    ("cc-list-wrap-joined",
     "抄送:省委各部门,省人大常委会办公厅,省政协办公厅,省法院,省\n检察院,各人民团体,各新闻单位。\n各民主党派山西省委。\n\n"
     " 山西省人民政府办公厅 2019年8月12日印发 ",
     "抄送：省委各部门，省人大常委会办公厅，省政协办公厅，省法院，省检察院，各人民团体，各新闻单位。\n各民主党派山西省委。\n"
     "山西省人民政府办公厅2019年8月12日印发"),
    ("bom-crlf-tabs-ideographic-space",
     "\ufeff一、目标\r\n全面\u3000完成\t任务。\r\n",
     "一、目标\n全面完成任务。"),
    pytest.param(
        "half-width-comma-before-digits",
        "开展有色烟羽治理,2019年力争完成36台发电机组(1153万千瓦装机),9家钢铁企业(2760万吨产能),14家煤化工企业有色烟羽治理。",
        "开展有色烟羽治理，2019年力争完成36台发电机组（1153万千瓦装机），9家钢铁企业（2760万吨产能），14家煤化工企业有色烟羽治理。"),
    pytest.param(
        "html-entity-nbsp-markup-kept",  # markup is text as written (escaped on display), entities are decoded
        "太原 &amp; 晋中&nbsp;两市<b>加强</b>联防联控。",
        "太原&晋中两市<b>加强</b>联防联控。"),
]
# fmt: on


@pytest.mark.parametrize("name, raw, expected", CLEAN_CASES, ids=[getattr(c, "values", c)[0] for c in CLEAN_CASES])
def test_clean_snippet(name: str, raw: str, expected: str) -> None:
    """Expected values are written with uniform punctuation: the stored text keeps the punctuation as written, its
    for_matching() form is what rules see."""
    ct = clean(raw)
    assert for_matching(ct.text) == expected
    assert len(ct.src) == len(ct.text)
    assert all(raw[ct.src[i]] == ch for i, ch in enumerate(ct.text) if ch in PUNCT_AS_WRITTEN)


def test_clean_empty_text() -> None:
    ct = clean("")
    assert ct.text == "" and ct.src == [] and ct.warnings == []
    assert ct.raw_span(0, 0) == (0, 0)


# ---- mojibake -----------------------------------------------------------------------------------------------
def test_mojibake_is_flagged_not_silently_kept() -> None:
    raw = "3。独立焦化企业比重大,且化产厥丈枋┎唤∪?资源综合利用程度低\n我省生产商品焦炭的独立焦化企业占90%以上。"
    ct = clean(raw)
    assert len(ct.mojibake) == 1
    a, b = ct.mojibake[0]
    assert "┎" in ct.text[a:b] and "厥丈枋" in ct.text[a:b]
    assert len(ct.warnings) == 1 and "mojibake" in ct.warnings[0] and "厥丈枋┎唤∪" in ct.warnings[0]


@pytest.mark.parametrize(
    "raw",
    [
        "全省焦化总产能压减至14768万吨以内。",
        "颗粒物排放限值分别不高于30、200、300毫克/立方米执行。",
        "降尘量超过国家考核标准（9吨/月·平方公里）的市、县（市、区）政府要制定专项整改方案。",
        "什么时候关停？请问4.3米焦炉何时关停?",
    ],
)
def test_no_mojibake_on_clean_text(raw: str) -> None:
    ct = clean(raw)
    assert ct.mojibake == [] and ct.warnings == []


# ---- offsets: CleanText.src ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cleaned_corpus() -> dict[str, tuple[str, CleanText]]:
    out = {}
    for path in sorted(CORPUS.glob("*.txt")):
        raw = load_text(path)
        out[path.stem] = (raw, clean(raw))
    return out


def test_corpus_files_are_the_seed_documents(cleaned_corpus) -> None:
    assert sorted(cleaned_corpus) == SEED_IDS


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_src_has_one_entry_per_cleaned_char(cleaned_corpus, doc_id: str) -> None:
    raw, ct = cleaned_corpus[doc_id]
    assert len(ct.src) == len(ct.text) > 0
    assert all(0 <= s <= len(raw) for s in ct.src)


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_src_is_non_decreasing(cleaned_corpus, doc_id: str) -> None:
    _, ct = cleaned_corpus[doc_id]
    drops = [i for i in range(1, len(ct.src)) if ct.src[i] < ct.src[i - 1]]
    assert drops == []


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_src_points_at_the_same_cjk_character(cleaned_corpus, doc_id: str) -> None:
    raw, ct = cleaned_corpus[doc_id]
    wrong = [(i, ch, raw[ct.src[i]]) for i, ch in enumerate(ct.text) if CJK_RE.match(ch) and raw[ct.src[i]] != ch]
    assert wrong == []


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_cleaning_loses_no_cjk_character(cleaned_corpus, doc_id: str) -> None:
    raw, ct = cleaned_corpus[doc_id]
    # URLs hold no CJK; everything else CJK must survive cleaning, in order
    assert cjk_only(ct.text) == cjk_only(raw)


def test_raw_span_covers_the_cleaned_span(cleaned_corpus) -> None:
    raw, ct = cleaned_corpus["sx-2019-39-blue-sky-2019"]
    start = ct.text.index("现场在线监控PM10")
    end = start + len("现场在线监控PM10小时均值达到250μg/m³时")
    a, b = ct.raw_span(start, end)
    assert raw[a:b].startswith("现场在线监控")
    assert raw[a:b].endswith("时")
    assert "$PM_{10}$" in raw[a:b] and "$250\\mu g/m^3$" in raw[a:b]


ORDINARY = st.lists(
    st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
        st.sampled_from(list("，。；：、（）“”0123456789.% ")),
        st.sampled_from(["\n", "\n\n", "一、", "（二）", "3."]),
    ),
    max_size=150,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(ORDINARY)
def test_src_properties_hold_for_any_ordinary_text(raw: str) -> None:
    """Every CJK character survives cleaning — except, by design, a running header that splits a sentence (a short
    repeated line; tests/test_real_structure.py), which such texts are generated without."""
    assume(not _running_header_lines(raw))
    ct = clean(raw)
    assert len(ct.src) == len(ct.text)
    assert all(ct.src[i] >= ct.src[i - 1] for i in range(1, len(ct.src)))
    assert all(raw[ct.src[i]] == ch for i, ch in enumerate(ct.text) if CJK_RE.match(ch))
    assert cjk_only(ct.text) == cjk_only(raw)


MARKUP = st.lists(
    st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
        st.sampled_from(list("，。；,;:()〈〉$#*_-<>&0123456789 ")),
        st.sampled_from(
            [
                "\n",
                "\r\n",
                "https://a.cn/x ",
                "<sub>3</sub>",
                "$PM_{10}$",
                "**",
                "[bookmark: _GoBack]",
                "&nbsp;",
                "\u3000",
                "\ufeff",
                "## ",
                "---\n",
            ]
        ),
        st.text(max_size=3),
    ),
    max_size=100,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(MARKUP)
def test_clean_never_breaks_the_offset_map(raw: str) -> None:
    ct = clean(raw)
    assert len(ct.src) == len(ct.text)
    assert all(0 <= s <= len(raw) for s in ct.src)
    assert all(raw[ct.src[i]] == ch for i, ch in enumerate(ct.text) if CJK_RE.match(ch))


# ---- the stored corpus: no artefact reaches a clause --------------------------------------------------------
ARTEFACTS = [
    "http",
    "www.",
    "[bookmark",
    "#",
    "**",
    "<sub>",
    "</sub>",
    "<sup>",
    "$",
    "\\mu",
    "\r",
    "\t",
    "\u3000",
    "\u00a0",
    "\ufeff",
    "&nbsp;",
]


def test_no_clause_contains_extraction_artefacts(seed_clauses) -> None:
    found = [(cid, a) for cid, c in seed_clauses.items() for a in ARTEFACTS if a in c.text]
    assert found == []


def test_no_private_use_characters_in_clauses(seed_clauses) -> None:
    found = [cid for cid, c in seed_clauses.items() if re.search(r"[\ue000-\uf8ff]", c.text)]
    assert found == []


def test_no_space_left_inside_numbers_or_dates(seed_clauses) -> None:
    pattern = re.compile(r"\d[ ]+[米年月日号%万亿吨台个家座]|[年月][ ]+\d|\d[ ]+\.|\.[ ]+\d")
    found = [(cid, m.group(0)) for cid, c in seed_clauses.items() for m in pattern.finditer(c.text)]
    assert found == []


SENTENCE_END = "。；：！？"


def bad_line_breaks(clause) -> list[str]:
    """Line breaks inside a sentence.  A `\\n` in clause text must follow the clause heading, a sentence end (also
    when a closing responsibility note such as `。（省能源局牵头）` follows it), or a short list line (name lists,
    signature lines: at most 25 characters and no comma)."""
    lines = for_matching(clause.text).split("\n")
    heading = for_matching(clause.heading) if clause.heading else None
    bad = []
    for i, line in enumerate(lines[:-1]):
        if i == 0 and heading and line.rstrip("。：:") == heading:
            continue
        if line and line[-1] in SENTENCE_END:
            continue
        if re.search(r"[。；！？]（[^（）]*）$", line):
            continue
        if len(line) <= 25 and "，" not in line:
            continue
        bad.append(f"{line[-15:]}⏎{lines[i + 1][:15]}")
    return bad


def test_line_break_check_catches_a_broken_sentence() -> None:
    from policy_kb.records import Clause

    broken = Clause(
        id="x:一",
        doc_id="x",
        parent_id=None,
        level=1,
        label="一、",
        path=["一、"],
        heading="总体目标",
        text="总体目标\n全省焦化总产能压减至14768万吨以内，并在此基础上保持\n建成产能只减不增。",
        kind="body",
        start=0,
        end=10,
    )
    assert bad_line_breaks(broken) == ["68万吨以内，并在此基础上保持⏎建成产能只减不增。"]


def test_no_line_break_inside_a_sentence(seed_clauses) -> None:
    found = {
        cid: bad for cid, c in seed_clauses.items() if c.kind in ("body", "preamble") and (bad := bad_line_breaks(c))
    }
    assert found == {}


def test_no_half_width_comma_left_between_cjk_and_digits_for_matching(seed_clauses) -> None:
    found = [cid for cid, c in seed_clauses.items() if re.search(r"[\u4e00-\u9fff）],(?=\d)", for_matching(c.text))]
    assert found == []


# ---- specific repairs the acceptance criteria name -----------------------------------------------------------
# fmt: off
REPAIRS = [
    ("jiexiu-2023-43m-oven-closure:二/（一）",   "2023年10月31日前，全面关停退出介休市昌盛煤气化有限公司"),
    ("jiexiu-2023-43m-oven-closure:二/（一）",   "96万吨/年炭化室高度4.3米焦炉"),
    ("jiexiu-2023-43m-oven-closure:二/（二）",   "2023年10月1日前，完成昌盛公司、茂胜公司关停退出4.3米焦炉产能"),
    ("jiexiu-2023-43m-oven-closure:二/（三）",   "2023年10月底前，配合完成晋中市级现场验收工作；2023年12月底前"),
    ("jiexiu-2023-43m-oven-closure:五/（四）",   "力争2023年8月前1号炉投产，11月中旬前2号炉投产"),
    ("jiexiu-2023-43m-oven-closure:七/（二）",   "树立4.3米焦炉关停退出“一盘棋”的思想"),
    ("sx-2019-39-blue-sky-2019:三/（五）/28",    "现场在线监控PM10小时均值达到250μg/m³时"),
    ("sx-2019-39-blue-sky-2019:三/（二）/10",    "鼓励O3超标严重城市"),
    ("sx-2019-39-blue-sky-2019:四/（六）",       "PM2.5和O3精细化来源解析"),
    ("sx-2019-39-blue-sky-2019:二/（二）/2",     "全省11个设区市环境空气质量二氧化硫平均浓度同比下降30%；"),
    ("sx-2019-39-blue-sky-2019:三/（二）/7",     "2019年10月1日起，焦化行业全面执行特别排放限值标准"),
    ("xinzhou-2022-71-coking-hq:二/（一）",      "有关县（市、区）人民政府负责组织落实）"),
    ("xinzhou-2022-71-coking-hq:preamble",      "为推动全市焦化行业高质量发展，根据《山西省人民政府办公厅关于推动焦化行业高质量发展的意见》"),
    ("sx-2019-66-coking-overcapacity:preamble-2", "为做好中央生态环境保护督察“回头看”及大气污染防治专项督察问题整改，以最大决心"),
    ("sx-2019-66-coking-overcapacity:三/（三）",  "（炭化室高度4.3米机焦炉、热回收焦炉）；优先压减已备案大型焦化项目"),
]
# fmt: on


@pytest.mark.parametrize("clause_id, fragment", REPAIRS)
def test_repaired_text(seed_clauses, clause_id: str, fragment: str) -> None:
    assert fragment in for_matching(seed_clauses[clause_id].text)


def test_mojibake_warning_on_clause_and_document(seed_store, seed_clauses) -> None:
    flagged = {cid for cid, c in seed_clauses.items() if c.warnings}
    assert flagged == {"sx-2006-coking-11th-plan:一/（二）/3"}
    (warning,) = seed_clauses["sx-2006-coking-11th-plan:一/（二）/3"].warnings
    assert "厥丈枋┎唤∪" in warning
    doc = seed_store.find_document("sx-2006-coking-11th-plan")
    assert any("mojibake" in w and "厥丈枋┎唤∪" in w for w in doc.warnings)
    others = [d for d in seed_store.documents() if d.id != "sx-2006-coking-11th-plan"]
    assert not any("mojibake" in w for d in others for w in d.warnings)


# ---- Store.raw_context -------------------------------------------------------------------------------------
def test_raw_context_contains_the_clause_start_and_end(seed_store, seed_clauses) -> None:
    missing = []
    for cid, c in seed_clauses.items():
        raw, a, b = seed_store.raw_context(c)
        span = cjk_only(raw[a:b])
        if cjk_only(c.text)[:5] not in span or cjk_only(c.text)[-5:] not in span:
            missing.append(cid)
    assert missing == []


def test_raw_context_shows_the_original_markup(seed_store, seed_clauses) -> None:
    raw, a, b = seed_store.raw_context(seed_clauses["sx-2019-39-blue-sky-2019:三/（五）/28"])
    assert raw[a:b].startswith("28. 强化扬尘综合治理")
    assert "$PM_{10}$" in raw[a:b]
    raw, a, b = seed_store.raw_context(seed_clauses["jiexiu-2023-43m-oven-closure:二/（一）"])
    assert raw[a:b].startswith("（一）关停退出 4.3米焦炉")
    assert "https://huanbao.bjx.com.cn/topics/jiaohuaxingye/" in raw[a:b]
    assert raw[a:b].rstrip().endswith("提前关停 4.3米焦炉。")


def test_raw_context_of_each_document_comes_from_its_own_file(seed_store) -> None:
    for doc_id in SEED_IDS:
        clause = seed_store.clauses(doc_id)[0]
        raw, _, _ = seed_store.raw_context(clause)
        assert raw == load_text(CORPUS / f"{doc_id}.txt")


def test_raw_context_of_a_docx(tmp_path: Path, notice_docx: Path) -> None:
    from policy_kb.build import build
    from policy_kb.store import Store

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / notice_docx.name).write_bytes(notice_docx.read_bytes())
    build(corpus, tmp_path / "idx", progress=lambda m: None)
    store = Store(tmp_path / "idx")
    try:
        clause = store.clause("changzhi-2024-gas-flaring:二/（一）/1")
        raw, a, b = store.raw_context(clause)
        assert raw[a:b] == "1.排查范围\n4.5米及以下焦炉全部纳入排查范围，重点排查以下内容："
    finally:
        store.close()
