"""Deadline expressions → ISO dates (`policy_kb.extract.dates.find_deadlines`).

Golden table: every deadline found in the sentence, in order, as (text, date, precision, kind, resolved_from).
Only what the text fixes is resolved; relative, recurring and season deadlines keep their text and get no date.
"""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_kb.extract.dates import Deadline, find_deadlines


def known_bug(reason: str) -> pytest.MarkDecorator:
    """A bug in policy_kb shown by a test: strict xfail, and only an assertion failure counts as the bug."""
    return pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)


def _tuples(found: list[Deadline]) -> list[tuple]:
    return [(d.text, d.date, d.precision, d.kind, d.resolved_from) for d in found]


# fmt: off
DEADLINES = [
    # (id, sentence, doc_year, expected deadlines)
    ("day-from",         "2019年10月1日起，全省执行大气污染物特别排放限值",    None, [("2019年10月1日起", "2019-10-01", "day", "from", None)]),
    ("year-end-by",      "各市要在2023年底前完成焦炉关停",                     None, [("2023年底前", "2023-12-31", "year", "by", None)]),
    ("month-end-by",     "市区规划区范围内的现有铸造和洗煤企业全部于2019年6月底前退出", None, [("2019年6月底前", "2019-06-30", "month", "by", None)]),
    ("day-by",           "2023年10月31日前，全面关停退出4.3米焦炉",            None, [("2023年10月31日前", "2023-10-31", "day", "by", None)]),
    ("day-by-zai",       "企业要在2023年5月10日前，制定停产工作方案",          None, [("2023年5月10日前", "2023-05-10", "day", "by", None)]),
    ("jinnian-2019",     "未建焦炉及停产焦炉产能今年压减落实到位",             2019, [("今年", "2019-12-31", "year", "by", "今年")]),
    ("jinnian-unknown",  "未建焦炉及停产焦炉产能今年压减落实到位",             None, [("今年", None, None, "relative", None)]),
    ("mingnian",         "明年全部完成改造",                                   2019, [("明年", "2020-12-31", "year", "by", "明年")]),
    ("niandi-qian",      "年底前完成清理整顿",                                 2019, [("年底前", "2019-12-31", "year", "by", "年底前")]),
    ("two-years",        "运行焦炉产能分两年压减落实到位",                     2019, [("分两年", None, None, "relative", None)]),
    ("monthly",          "省工信厅负责每月组织召开例会",                       2019, [("每月", None, None, "recurring", None)]),
    ("weekly",           "每周调度各市压减工作进度",                           2019, [("每周", None, None, "recurring", None)]),
    ("quarterly",        "市交通运输局每季度对重点洗煤企业运输车辆开展一次抽查", 2024, [("每季度", None, None, "recurring", None)]),
    ("monthly-day",      "各县（区）人民政府要每月10日前将工作进展报市工信局", 2024, [("每月10日前", None, None, "recurring", None)]),
    ("mid-month",        "11月中旬前2号炉投产",                                2023, [("11月中旬前", None, None, "relative", None)]),
    ("before-august",    "力争2023年8月前1号炉投产，11月中旬前2号炉投产",      None, [("2023年8月前", "2023-07-31", "month", "by", None),
                                                                                  ("11月中旬前", None, None, "relative", None)]),
    ("before-january",   "2024年1月前完成排查",                                None, [("2024年1月前", "2023-12-31", "month", "by", None)]),
    ("feb-leap",         "2024年2月底前完成排查",                              None, [("2024年2月底前", "2024-02-29", "month", "by", None)]),
    ("status-date",      "截至2021年底，我市4.3米焦炉产能共249万吨",           2022, []),
    ("baseline",         "单位产品能耗较2020年下降5%",                         2022, []),
    ("year-label",       "2019年度目标任务",                                   2019, []),
    ("plan-11th",        "“十一五”期间，全省不再新增焦炭产能",                 None, [("“十一五”期间", "2010-12-31", "year", "during", "十一五")]),
    ("plan-13th-end",    "“十三五”末，全面完成升级改造",                       None, [("“十三五”末", "2020-12-31", "year", "during", "十三五")]),
    ("quarter-end",      "潞洁公司要于2025年第一季度末前完成智能化洗选改造",   2024, [("2025年第一季度末前", "2025-03-31", "quarter", "by", None)]),
    ("quarter-from",     "2019年第二季度起实施错峰生产",                       None, [("2019年第二季度起", "2019-04-01", "quarter", "from", None)]),
    ("month-from",       "2024年9月起，全市洗煤企业颗粒物有组织排放浓度不高于10毫克/立方米", 2024,
                                                                                 [("2024年9月起", "2024-09-01", "month", "from", None)]),
    ("to-year",          "到2022年，先进产能占比达到60%以上",                  2019, [("到2022年", "2022-12-31", "year", "by", None)]),
    ("year-during",      "2019年，完成山西同世达煤化工集团有限公司等5户企业的关闭退出", 2019,
                                                                                 [("2019年", "2019-12-31", "year", "during", None)]),
    ("season",           "学校、医院等公共机构2025年供暖季前完成改造",         2025, [("2025年供暖季前", None, None, "relative", None)]),
    ("ambiguous-year",   "2023年前完成改造",                                   None, [("2023年前", None, "year", "by", None)]),
    ("invalid-day",      "2023年2月30日前完成",                                None, []),
    ("invalid-feb29",    "2023年2月29日前完成",                                None, []),
    ("invalid-month",    "2023年13月底前完成",                                 None, []),
]
# fmt: on


@pytest.mark.parametrize("sentence, doc_year, expected", [c[1:] for c in DEADLINES], ids=[c[0] for c in DEADLINES])
def test_find_deadlines_golden(sentence: str, doc_year: int | None, expected: list[tuple]) -> None:
    assert _tuples(find_deadlines(sentence, doc_year)) == expected


# fmt: off
RANGES = [
    ("range-hyphen",   "2011-2013年，全省淘汰落后焦化产能"),
    ("range-dash",     "2011—2013年，全省淘汰落后焦化产能"),
    ("range-two-year", "2011年-2013年，全省淘汰落后焦化产能"),
]
# fmt: on


@pytest.mark.parametrize("sentence", [c[1] for c in RANGES], ids=[c[0] for c in RANGES])
def test_year_range_is_not_a_deadline(sentence: str) -> None:
    assert find_deadlines(sentence, 2019) == []


def test_year_range_mid_sentence_is_not_a_deadline() -> None:
    # the corpus form (sx-2019-66 四/（一）): no deadline, the range names a reference compensation standard
    assert (
        find_deadlines("原则上，按照2011-2013年焦化行业淘汰落后产能国家及省级奖励、补偿标准，对压减产能予以补偿", 2019)
        == []
    )


def test_effective_date_with_zi_qi() -> None:
    assert _tuples(find_deadlines("本办法自2024年5月1日起施行", 2024)) == [
        ("2024年5月1日起", "2024-05-01", "day", "from", None)
    ]


# ---- warnings and serialisation -------------------------------------------------------------------------------------
def test_unresolved_relative_year_carries_a_warning() -> None:
    (d,) = find_deadlines("今年完成压减任务", None)
    assert d.date is None and d.kind == "relative"
    assert d.warnings == ["'今年' not resolved: the document's issue date is unknown"]


def test_resolved_relative_year_has_no_warning() -> None:
    (d,) = find_deadlines("今年完成压减任务", 2019)
    assert d.warnings == []
    assert d.to_dict() == {
        "text": "今年",
        "date": "2019-12-31",
        "precision": "year",
        "kind": "by",
        "resolved_from": "今年",
    }


def test_season_and_part_of_month_warn() -> None:
    (season,) = find_deadlines("2025年供暖季前完成改造", 2025)
    assert season.warnings == ["'2025年供暖季前' depends on a season; no exact date"]
    (mid,) = find_deadlines("2023年11月中旬前完成", 2023)
    assert (mid.date, mid.kind, mid.warnings) == (
        None,
        "relative",
        ["'2023年11月中旬前' names part of a month; no exact date"],
    )


def test_ambiguous_year_before_warns() -> None:
    (d,) = find_deadlines("2023年前完成改造")
    assert d.warnings == ["'2023年前' may mean before or by the end of 2023; no date assigned"]


def test_to_dict_drops_offsets_and_empty_fields() -> None:
    (d,) = find_deadlines("2023年10月31日前，全面关停")
    assert d.to_dict() == {"text": "2023年10月31日前", "date": "2023-10-31", "precision": "day", "kind": "by"}


def test_offsets_locate_the_text() -> None:
    s = "要统筹关焦炉、防风险，企业要在2023年5月10日前，制定工作方案；力争2023年8月前1号炉投产"
    found = find_deadlines(s)
    assert [s[d.start : d.end] for d in found] == [d.text for d in found] == ["2023年5月10日前", "2023年8月前"]


# ---- properties ---------------------------------------------------------------------------------------------------
_ALPHABET = list(
    "0123456789年月日底末前起内后期间上中下旬半季度第一二三四五十两今明本当全份每周天号分个"
    '，,、；。“”"至到在于从自截止较比-—～ 供暖季节焦炉市'
)
_TEXT = st.one_of(st.lists(st.sampled_from(_ALPHABET), max_size=40).map("".join), st.text(max_size=60))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT, st.one_of(st.none(), st.integers(min_value=1900, max_value=2100)))
def test_find_deadlines_never_raises_and_dates_are_valid(sentence: str, doc_year: int | None) -> None:
    for d in find_deadlines(sentence, doc_year):
        if d.date is not None:
            assert datetime.date.fromisoformat(d.date).isoformat() == d.date
            assert d.precision in ("day", "month", "quarter", "year")
        assert d.kind in ("by", "from", "during", "relative", "recurring")
        assert 0 <= d.start <= d.end <= len(sentence)
        assert sentence[d.start : d.end] == d.text
