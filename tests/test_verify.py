"""The citation check (`policy_kb.answer.verify.check`): every date, number and department of an answer line must be
in a clause the line cites; [n] markers and citations must match; derived 〔…〕 annotations must follow arithmetically
from a cited deadline and the as-of date.

Citations are written by hand from the seed clauses (texts verbatim), so no knowledge base is needed.
"""

from __future__ import annotations

from datetime import date

import pytest

from policy_kb.answer.verify import check
from policy_kb.records import Citation

AS_OF = date(2026, 11, 23)
JIEXIU = "jiexiu-2023-43m-oven-closure"
BLUE_SKY = "sx-2019-39-blue-sky-2019"
DOC_YEAR = {JIEXIU: 2023, BLUE_SKY: 2019}
JIEXIU_TITLE = "介休市全面关停炭化室高度4.3米焦炉工作方案"
BLUE_SKY_TITLE = "山西省人民政府办公厅关于印发山西省打赢蓝天保卫战2019年行动计划的通知"

CLOSURE_TEXT = (
    "关停退出4.3米焦炉\n2023年10月31日前，全面关停退出介休市昌盛煤气化有限公司（以下简称昌盛公司）60万吨/年、"
    "山西茂胜煤化集团有限公司（以下简称茂胜公司）96万吨/年炭化室高度4.3米焦炉；同时，支持新建大机焦项目提前投产，"
    "具备投产条件后提前关停4.3米焦炉。"
)
GAS_TEXT = "落实气源、热源替代\n2023年10月1日前，完成昌盛公司、茂胜公司关停退出4.3米焦炉产能涉及的煤气、热源替代工作。"
ELIMINATION_TEXT = (
    "全面启动炭化室高度4.3米及以下且运行寿命超过10年的机焦炉淘汰工作。（省工业和信息化厅牵头，省发展改革委、"
    "省生态环境厅、省应急厅、省市场监管局配合，市县政府落实）"
)
DUTY_TEXT = (
    "昌盛公司、茂胜公司：负责落实关停焦炉主体责任，加快推动“上大关小”项目实施，会同焦化行业专家研究制定4.3米焦炉"
    "停产/拆除工作方案，要科学周密论证，广泛征求意见，并建立工作台账。"
)


def closure(n: int = 1) -> Citation:
    return Citation(
        n=n,
        clause_id=f"{JIEXIU}:二/（一）",
        doc_id=JIEXIU,
        doc_title=JIEXIU_TITLE,
        doc_number=None,
        jurisdiction="介休市",
        path=["二、", "（一）"],
        text=CLOSURE_TEXT,
    )


def gas(n: int = 2) -> Citation:
    return Citation(
        n=n,
        clause_id=f"{JIEXIU}:二/（二）",
        doc_id=JIEXIU,
        doc_title=JIEXIU_TITLE,
        doc_number=None,
        jurisdiction="介休市",
        path=["二、", "（二）"],
        text=GAS_TEXT,
    )


def elimination(n: int = 1) -> Citation:
    return Citation(
        n=n,
        clause_id=f"{BLUE_SKY}:三/（一）/3",
        doc_id=BLUE_SKY,
        doc_title=BLUE_SKY_TITLE,
        doc_number="晋政办发〔2019〕39号",
        jurisdiction="山西省",
        path=["三、", "（一）", "3."],
        text=ELIMINATION_TEXT,
    )


def duty(n: int = 1) -> Citation:
    return Citation(
        n=n,
        clause_id=f"{JIEXIU}:六/16",
        doc_id=JIEXIU,
        doc_title=JIEXIU_TITLE,
        doc_number=None,
        jurisdiction="介休市",
        path=["六、", "16."],
        text=DUTY_TEXT,
    )


CLOSURE_LINE = (
    "- 2023年10月31日前，全面关停退出介休市昌盛煤气化有限公司（以下简称昌盛公司）60万吨/年、山西茂胜煤化集团有限公司"
    "（以下简称茂胜公司）96万吨/年炭化室高度4.3米焦炉； [1]〔截止 2023-10-31，已过期 1119 天〕"
    f"（{JIEXIU_TITLE} 二、（一））"
)


def problems(answer: str, citations: list[Citation], as_of: date = AS_OF) -> list[str]:
    return check(answer, citations, as_of, DOC_YEAR)


# ---- passes -----------------------------------------------------------------------------------------------------
def test_well_formed_answer_passes() -> None:
    answer = "\n".join(
        [
            "各地规定不同：请按所在地区的规定执行，同时遵守上级规定。",
            "**介休市**",
            CLOSURE_LINE,
            (
                "- 2023年10月1日前，完成昌盛公司、茂胜公司关停退出4.3米焦炉产能涉及的煤气、热源替代工作。 [2]"
                f"〔截止 2023-10-01，已过期 1149 天〕（{JIEXIU_TITLE} 二、（二））"
            ),
            "**山西省**（上级规定，同样适用）",
            f"- {ELIMINATION_TEXT} [3]〔未规定具体期限〕（晋政办发〔2019〕39号 三、（一）3.）",
        ]
    )
    assert problems(answer, [closure(1), gas(2), elimination(3)]) == []


def test_english_answer_passes() -> None:
    answer = (
        f"- {JIEXIU_TITLE} 二、（一）: “2023年10月31日前，全面关停退出介休市昌盛煤气化有限公司（以下简称昌盛公司）"
        "60万吨/年、山西茂胜煤化集团有限公司（以下简称茂胜公司）96万吨/年炭化室高度4.3米焦炉；” [1] "
        "〔due 2023-10-31: passed 1119 days ago〕"
    )
    assert problems(answer, [closure()]) == []


def test_department_alias_of_a_cited_department_passes() -> None:
    # 省工信厅 is the short form of 省工业和信息化厅, which the clause names
    assert problems("- 省工信厅牵头 [1]", [elimination()]) == []


def test_upcoming_deadline_counts_forward() -> None:
    line = "- 2023年10月31日前关停 [1]〔截止 2023-10-31，还剩 303 天〕"
    assert problems(line, [closure()], date(2023, 1, 1)) == []


def test_deadline_on_the_as_of_day() -> None:
    assert problems("- 2023年10月31日前关停 [1]〔截止 2023-10-31，还剩 0 天〕", [closure()], date(2023, 10, 31)) == []


def test_iso_date_equal_to_cited_deadline_is_accepted() -> None:
    assert problems("- due 2023-10-31 [1]", [closure()]) == []
    assert problems("- 截止日期 2023-10-01 [1]", [gas(1)]) == []


@pytest.mark.parametrize(
    "line, citation",
    [
        (
            "- 昌盛公司、茂胜公司负责制定停产/拆除工作方案 [1]（介休市全面关停炭化室高度4.3米焦炉工作方案 六、16.）",
            duty,
        ),
        ("- 全面启动淘汰工作 [1]（晋政办发〔2019〕39号 三、（一）3.）", elimination),
    ],
)
def test_location_labels_are_not_flagged(line: str, citation) -> None:  # type: ignore[no-untyped-def]
    # `16.`, `3.` and 〔2019〕39号 are the clause's location and 文号, not claims
    assert problems(line, [citation()]) == []


def test_a_line_without_marker_is_checked_against_all_citations() -> None:
    # a heading or note line has no [n]: its facts may come from any citation of the answer
    assert problems("- 关停 [1]\n- 替代 [2]\n注：2023年10月1日前完成替代", [closure(1), gas(2)]) == []


# ---- flags ------------------------------------------------------------------------------------------------------
def test_flags_date_not_in_cited_clause() -> None:
    out = problems("- 2023年12月31日前关停 [1]", [closure()])
    assert out == ["date '2023年12月31日' not in a cited clause: - 2023年12月31日前关停 [1]"]


def test_flags_date_from_another_line_citation() -> None:
    # 2023年10月1日 is in citation [2], but this line cites [1] only
    out = problems("- 2023年10月1日前关停 [1]\n- 替代 [2]", [closure(1), gas(2)])
    assert out == ["date '2023年10月1日' not in a cited clause: - 2023年10月1日前关停 [1]"]


def test_flags_number_not_in_cited_clause() -> None:
    out = problems("- 关停80万吨/年焦炉 [1]", [closure()])
    assert out == ["number '80万吨/年焦炉' not in a cited clause: - 关停80万吨/年焦炉 [1]"]


def test_flags_number_that_is_only_part_of_a_cited_number() -> None:
    assert problems("- 关停6万吨/年焦炉 [1]", [closure()]) != []


def test_flags_department_not_in_cited_clause() -> None:
    out = problems("- 市水利局负责关停 [1]", [closure()])
    assert out == ["department '市水利局' not in a cited clause: - 市水利局负责关停 [1]"]


def test_flags_unused_citation() -> None:
    assert problems(CLOSURE_LINE, [closure(1), gas(2)]) == ["citation [2] is not used in the answer"]


def test_flags_marker_without_citation() -> None:
    assert problems(CLOSURE_LINE + "\n- 替代工作 [3]", [closure(1)]) == ["[3] refers to no citation"]


def test_flags_iso_date_not_a_cited_deadline() -> None:
    assert problems("- due 2023-11-30 [1]", [closure()]) == [
        "date 2023-11-30 not in a cited clause: - due 2023-11-30 [1]"
    ]


# ---- derived 〔…〕 annotations -------------------------------------------------------------------------------------
def test_derived_status_accepted_when_arithmetic_matches() -> None:
    assert problems("- 2023年10月31日前关停 [1]〔截止 2023-10-31，已过期 1119 天〕", [closure()]) == []


@pytest.mark.parametrize("as_of", [date(2026, 11, 22), date(2026, 11, 24), date(2023, 1, 1)])
def test_derived_status_rejected_for_another_as_of(as_of: date) -> None:
    out = problems("- 2023年10月31日前关停 [1]〔截止 2023-10-31，已过期 1119 天〕", [closure()], as_of)
    assert out == [
        "day count 1119 does not follow from 2023-10-31: - 2023年10月31日前关停 [1]〔截止 2023-10-31，已过期 1119 天〕"
    ]


def test_derived_day_count_off_by_one() -> None:
    out = problems("- 关停 [1]〔截止 2023-10-31，已过期 1118 天〕", [closure()])
    assert out == ["day count 1118 does not follow from 2023-10-31: - 关停 [1]〔截止 2023-10-31，已过期 1118 天〕"]


def test_derived_date_not_a_cited_deadline() -> None:
    # the day count follows from its own date (2023-11-30 is 1089 days before the as-of date): only the date is wrong
    out = problems("- 关停 [1]〔截止 2023-11-30，已过期 1089 天〕", [closure()])
    assert out == ["derived date 2023-11-30 matches no cited deadline: - 关停 [1]〔截止 2023-11-30，已过期 1089 天〕"]
    out = problems("- 关停 [1]〔截止 2023-11-30，已过期 1119 天〕", [closure()])
    assert out == [
        "derived date 2023-11-30 matches no cited deadline: - 关停 [1]〔截止 2023-11-30，已过期 1119 天〕",
        "day count 1119 does not follow from 2023-11-30: - 关停 [1]〔截止 2023-11-30，已过期 1119 天〕",
    ]


def test_derived_status_direction_is_checked() -> None:
    assert problems("- 关停 [1]〔截止 2023-10-31，还剩 1119 天〕", [closure()]) != []


def test_derived_day_count_belongs_to_its_own_date() -> None:
    answer = "- 关停 [1] [2]〔截止 2023-10-31，已过期 1149 天〕"
    assert problems(answer, [closure(1), gas(2)]) != []


def test_derived_date_equal_to_as_of_is_accepted() -> None:
    # an annotation may name the as-of date itself (`截至 2026-11-23`) …
    assert problems("- 关停 [1]〔截至 2026-11-23〕", [closure()]) == []
    # … but a day count must follow from the annotation's own date, and it is 0 days from the as-of date
    assert problems("- 关停 [1]〔截至 2026-11-23，已过期 1119 天〕", [closure()]) == [
        "day count 1119 does not follow from 2026-11-23: - 关停 [1]〔截至 2026-11-23，已过期 1119 天〕"
    ]


def test_derived_future_status_accepted_when_arithmetic_matches() -> None:
    # 2023-10-31 is 303 days after 2023-01-01
    assert problems("- 关停 [1]〔截止 2023-10-31，还剩 303 天〕", [closure()], date(2023, 1, 1)) == []
    assert problems("- 关停 [1]〔截止 2023-10-31，已过期 303 天〕", [closure()], date(2023, 1, 1)) == [
        "day count 303 does not follow from 2023-10-31: - 关停 [1]〔截止 2023-10-31，已过期 303 天〕"
    ]


def test_derived_day_count_without_its_date_is_flagged() -> None:
    assert problems("- 关停 [1]〔已过期 1119 天〕", [closure()]) == [
        "day count without its date: - 关停 [1]〔已过期 1119 天〕"
    ]


def test_iso_date_next_to_chinese_text_is_checked() -> None:
    assert problems("- 2023-10-31起关停 [1]", [closure()]) == []
    assert problems("- 2023-11-30起关停 [1]", [closure()]) == [
        "date 2023-11-30 not in a cited clause: - 2023-11-30起关停 [1]"
    ]


def _plan(text: str) -> Citation:
    return Citation(
        n=1,
        clause_id=f"{BLUE_SKY}:三/（一）",
        doc_id=BLUE_SKY,
        doc_title=BLUE_SKY_TITLE,
        doc_number=None,
        jurisdiction="山西省",
        path=["三、", "（一）"],
        text=text,
    )


def test_a_distributed_name_is_supported_by_its_coordinated_list() -> None:
    """Extraction reports `各市、县人民政府` as two governments; an answer naming them one by one is grounded."""
    cite = _plan("各市、县人民政府要明确本地区焦化行业的行业管理工作由经委系统负责。")
    answer = "- 各市、县人民政府要明确本地区焦化行业的行业管理工作由经委系统负责。（县人民政府、各市人民政府负责） [1]"
    assert check(answer, [cite], AS_OF, DOC_YEAR) == []


def test_punctuation_as_written_does_not_fail_the_check() -> None:
    """The stored text keeps half-width brackets; an answer that writes them full-width cites the same words."""
    cite = _plan("全市焦化行业年能耗总量控制在44万吨标准煤以内(有关县(市、区)人民政府落实,市工信局负责)")
    answer = "- 全市焦化行业年能耗总量控制在44万吨标准煤以内（有关县（市、区）人民政府落实，市工信局负责） [1]"
    assert check(answer, [cite], AS_OF, DOC_YEAR) == []


def test_an_invented_government_still_fails() -> None:
    cite = _plan("各市、县人民政府要明确本地区焦化行业的行业管理工作由经委系统负责。")
    answer = "- 行业管理工作由经委系统负责。（省应急厅负责） [1]"
    assert any("省应急厅" in p for p in check(answer, [cite], AS_OF, DOC_YEAR))
