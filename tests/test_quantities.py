"""Thresholds: numbers with units and comparators (`policy_kb.extract.quantities.find_thresholds`).

Golden table rows: every threshold in the sentence, in order, as (metric, comparator, value, unit, scope).
``ANY`` in the metric position means the metric is not part of the expectation for that row.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_kb.extract.quantities import Threshold, find_thresholds


def known_bug(reason: str) -> pytest.MarkDecorator:
    """A bug in policy_kb shown by a test: strict xfail, and only an assertion failure counts as the bug."""
    return pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)


ANY = object()


def _check(found: list[Threshold], expected: list[tuple]) -> None:
    got = [(t.metric, t.comparator, t.value, t.unit, t.scope) for t in found]
    assert len(got) == len(expected), got
    for g, e in zip(got, expected):
        if e[0] is ANY:
            g, e = g[1:], e[1:]
        assert g == e, (got, expected)


# fmt: off
THRESHOLDS = [
    # (id, sentence, expected thresholds)
    ("height-6",        "新建焦化项目捣固焦炉必须达到炭化室高度6米及以上",      [("炭化室高度", ">=", 6.0, "米", None)]),
    ("height-6.98",     "顶装焦炉必须达到炭化室高度6.98米及以上，配套干熄焦装置", [("炭化室高度", ">=", 6.98, "米", None)]),
    ("oven-size",       "加快推动4.3米焦炉关停工作",                           [("炭化室高度", "=", 4.3, "米", None)]),
    ("list-30-200-300", "颗粒物、二氧化硫、氮氧化物排放限值分别不高于30、200、300毫克/立方米执行",
                                                                              [("颗粒物排放限值", "<=", 30.0, "毫克/立方米", None),
                                                                               ("二氧化硫排放限值", "<=", 200.0, "毫克/立方米", None),
                                                                               ("氮氧化物排放限值", "<=", 300.0, "毫克/立方米", None)]),
    ("list-paired",     "颗粒物、二氧化硫、氮氧化物排放浓度分别不高于10、35、50毫克/立方米",
                                                                              [("颗粒物排放浓度", "<=", 10.0, "毫克/立方米", None),
                                                                               ("二氧化硫排放浓度", "<=", 35.0, "毫克/立方米", None),
                                                                               ("氮氧化物排放浓度", "<=", 50.0, "毫克/立方米", None)]),
    ("curtail-pct",     "属于限制类的生产设施，限产40%，其中，位于设区市建成区的，限产50%",
                                                                              [("限产", "=", 40.0, "%", None), ("限产", "=", 50.0, "%", None)]),
    ("price-30",        "仅建有焦炉未进行过市场化交易的产能按照30元/吨标准予以补偿", [(None, "=", 30.0, "元/吨", None)]),
    ("price-48",        "通过市场化交易取得的产能按照48元/吨标准予以补偿",     [(None, "=", 48.0, "元/吨", None)]),
    ("cap-within",      "全省焦化总产能压减至14768万吨以内，并在此基础上保持建成产能只减不增",
                                                                              [("焦化总产能", "<=", 14768.0, "万吨", None)]),
    ("height-and-age",  "全面启动炭化室高度4.3米及以下且运行寿命超过10年的机焦炉淘汰工作",
                                                                              [("炭化室高度", "<=", 4.3, "米", None), ("运行寿命", ">", 10.0, "年", None)]),
    ("height-age-bare", "关停4.3米及以下且运行寿命超过10年的焦炉",             [(ANY, "<=", 4.3, "米", None), ("运行寿命", ">", 10.0, "年", None)]),
    ("city-scopes",     "太原市压减429万吨，忻州市压减24万吨",                 [("压减", "=", 429.0, "万吨", "太原市"), ("压减", "=", 24.0, "万吨", "忻州市")]),
    ("energy-caps",     "全市焦化行业年能耗总量控制在44万吨标准煤以内，单位产品能耗控制在110千克标准煤/吨以内",
                                                                              [("焦化行业年能耗总量", "<=", 44.0, "万吨标准煤", None),
                                                                               ("单位产品能耗", "<=", 110.0, "千克标准煤/吨", None)]),
    ("at-least",        "循环水处理能力不低于300立方米/小时",                  [("循环水处理能力", ">=", 300.0, "立方米/小时", None)]),
    ("not-less",        "新增供热面积不少于120万平方米",                       [("新增供热面积", ">=", 120.0, "万平方米", None)]),
    ("decimal-yi",      "总投资不低于1.2亿元",                                 [("总投资", ">=", 1.2, "亿元", None)]),
    ("boiler-65",       "2019年10月1日前，全省在用65蒸吨及以上燃煤锅炉全部完成超低排放改造", [(ANY, ">=", 65.0, "蒸吨", None)]),
    ("year-in-text",    "2019年，全省淘汰焦化产能1000万吨以上",                [(ANY, ">=", 1000.0, "万吨", None)]),
    ("less-than",       "硫分低于0.5%",                                        [("硫分", "<", 0.5, "%", None)]),
    ("not-below",       "原煤入洗能力不得低于120万吨/年",                      [("原煤入洗能力", ">=", 120.0, "万吨/年", None)]),
    ("not-exceed",      "燃气锅炉氮氧化物排放浓度不得超过50毫克/立方米",       [("燃气锅炉氮氧化物排放浓度", "<=", 50.0, "毫克/立方米", None)]),
    ("within-km",       "完成城市建成区周边3公里范围内燃煤锅炉拆除",           [(ANY, "<=", 3.0, "公里", None)]),
    ("per-unit",        "按照每蒸吨3万元标准给予补助",                         [(ANY, "=", 3.0, "万元/蒸吨", None)]),
    # the metric is what is measured, not a verb, a place or a fragment of the sentence (gold: tests/gold/real)
    ("staff-in",        "从业人员在一百人以下的，应当配备专职或者兼职的安全生产管理人员", [("从业人员", "<=", 100.0, "人", None)]),
    ("boiler-sized",    "禁止新建每小时二十蒸吨以下的燃烧煤炭、重油、渣油以及直接燃用生物质的锅炉",
                                                                              [("锅炉容量", "<=", 20.0, "蒸吨/小时", None)]),
    ("boiler-modifier", "完成辖区内35蒸吨以下燃煤锅炉淘汰",                     [("燃煤锅炉容量", "<=", 35.0, "蒸吨", None)]),
    ("change-baseline", "主要大气污染物排放总量较2024年下降20%以上",           [("主要大气污染物排放总量较2024年", ">=", 20.0, "%", None)]),
    ("counter-left",    "形成30个产量百万吨产值十亿元以上的项目",               [("产值", ">=", 10.0, "亿元", None)]),
    ("year-kept",       "单个焦化企业年产能不低于100万吨",                     [("单个焦化企业年产能", ">=", 100.0, "万吨", None)]),
    ("year-after-date", "2019年全省完成232台燃煤锅炉改造",                      [(ANY, "=", 232.0, "台", None)]),
    ("word-not-modal",  "主要污染物排放浓度不高于30毫克/立方米", [("主要污染物排放浓度", "<=", 30.0, "毫克/立方米", None)]),
    ("no-date-1",       "2019年10月1日起执行",                                 []),
    ("no-date-2",       "2023年10月31日前，全面关停",                          []),
    ("no-date-3",       "2019年，完成搬迁",                                    []),
    ("no-recurring",    "每月10日前报送",                                      []),
    ("no-unit",         "完成第3批任务",                                       []),
    # laws write their numbers in Chinese (real texts: d09, d11, d07, l02)
    ("cn-boiler",       "超过每小时十蒸吨以上的锅炉污染物排放应当符合",         [(ANY, ">=", 10.0, "蒸吨/小时", None)]),
    ("cn-people",       "从业人员超过一百人的，应当设置安全生产管理机构",       [("从业人员", ">", 100.0, "人", None)]),
    ("cn-years",        "监测数据保存的时间不得少于三年",                       [(ANY, ">=", 3.0, "年", None)]),
    ("cn-months",       "超过三个月未开工的，应当采取绿化",                     [(ANY, ">", 3.0, "个月", None)]),
    ("cn-two",          "监督检查人员不得少于两人",                             [("监督检查人员", ">=", 2.0, "人", None)]),
    ("cn-wan-unit",     "年产二十万吨以上的企业",                               [(ANY, ">=", 20.0, "万吨", None)]),
    ("cn-compound",     "储存量一万二千吨以上",                                 [("储存量", ">=", 12000.0, "吨", None)]),
    ("reach-years",     "自批准之日起满5年，建设项目方开工建设的",               [(ANY, ">=", 5.0, "年", None)]),
    ("cn-no-ordinal",   "在第三年完成",                                         []),
    ("cn-no-same",      "同一家企业",                                           []),
    ("cn-no-date",      "本条例自二〇二〇年九月一日起施行",                     []),
]
# fmt: on


@pytest.mark.parametrize("sentence, expected", [c[1:] for c in THRESHOLDS], ids=[c[0] for c in THRESHOLDS])
def test_find_thresholds_golden(sentence: str, expected: list[tuple]) -> None:
    _check(find_thresholds(sentence), expected)


def test_list_thresholds_share_text_and_span() -> None:
    s = "颗粒物、二氧化硫、氮氧化物排放浓度分别不高于10、35、50毫克/立方米"
    found = find_thresholds(s)
    assert {t.text for t in found} == {"分别不高于10、35、50毫克/立方米"}
    assert all(s[t.start : t.end] == t.text for t in found)


def test_to_dict() -> None:
    (t,) = find_thresholds("全省焦化总产能压减至14768万吨以内")
    assert t.to_dict() == {
        "metric": "焦化总产能",
        "comparator": "<=",
        "value": 14768,
        "unit": "万吨",
        "text": "压减至14768万吨以内",
    }
    assert isinstance(t.to_dict()["value"], int)
    (s,) = find_thresholds("忻州市压减24万吨")
    assert s.to_dict()["scope"] == "忻州市"
    (f,) = find_thresholds("炭化室高度6.98米及以上")
    assert f.to_dict()["value"] == 6.98


def test_huge_number_is_not_infinite() -> None:
    assert all(math.isfinite(t.value) for t in find_thresholds("压减" + "9" * 400 + "万吨"))


# ---- properties ---------------------------------------------------------------------------------------------------
_ALPHABET = list(
    "0123456789.、，,和及年月日号前起万亿千毫克微吨元米平方立公里蒸小时天倍%‰/以上下内之左右不高低于超过大"
    "少多至达到控制在压减降分别市县省太原忻州炭化室高度焦炉"
)
_TEXT = st.one_of(st.lists(st.sampled_from(_ALPHABET), max_size=50).map("".join), st.text(max_size=60))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_find_thresholds_never_raises_and_values_are_finite(sentence: str) -> None:
    for t in find_thresholds(sentence):
        assert math.isfinite(t.value) and t.value >= 0
        assert t.comparator in (">=", "<=", "<", ">", "=")
        assert t.unit
        assert 0 <= t.start <= t.end <= len(sentence)
        assert sentence[t.start : t.end] == t.text
