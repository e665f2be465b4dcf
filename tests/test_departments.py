"""Who is responsible: parenthetical assignments, canonical department names, running-text roles, 工作职责 holders
and company aliases (`policy_kb.extract.departments`, `policy_kb.extract.lexicon`)."""

from __future__ import annotations

import pytest

from policy_kb.extract.departments import (
    Assignment,
    assignments_in,
    duty_holders,
    expand_place_governments,
    find_aliases,
    is_department,
    parse_parenthetical,
    resolve_alias,
    roles_in_sentence,
)
from policy_kb.extract.lexicon import DEPT_RE, canonical_department


def known_bug(reason: str) -> pytest.MarkDecorator:
    """A bug in policy_kb shown by a test: strict xfail, and only an assertion failure counts as the bug."""
    return pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)


EMPTY = {"lead": [], "cooperate": [], "implement": [], "responsible": []}


def roles(**kw: list[str]) -> dict[str, list[str]]:
    return {**EMPTY, **kw}


# ---- parentheticals ------------------------------------------------------------------------------------------------
# fmt: off
PARENTHETICALS = [
    ("three-role",
     "省工业和信息化厅牵头，省发展改革委、省生态环境厅配合，市县政府落实",
     roles(lead=["省工业和信息化厅"], cooperate=["省发展和改革委员会", "省生态环境厅"], implement=["市县政府"])),
    ("three-role-corpus",
     "省工业和信息化厅牵头，省发展改革委、省国资委、省能源局配合，市县政府落实",
     roles(lead=["省工业和信息化厅"], cooperate=["省发展和改革委员会", "省国有资产监督管理委员会", "省能源局"],
           implement=["市县政府"])),
    ("by-duty",
     "市工信局、市生态环境局、市应急局、市能源局、忻州供电公司按职责分工负责，有关县（市、区）人民政府负责组织落实",
     roles(responsible=["市工业和信息化局", "市生态环境局", "市应急管理局", "市能源局", "忻州供电公司"],
           implement=["有关县（市、区）人民政府"])),
    ("by-duty-short",
     "市生态环境局、市水务局按职责分工负责",
     roles(responsible=["市生态环境局", "市水务局"])),
    ("lead-implement",
     "省生态环境厅牵头，市县政府落实",
     roles(lead=["省生态环境厅"], implement=["市县政府"])),
    ("county-gov",
     "市发展改革委牵头，市工信局、市自然资源局配合，各县（区）人民政府落实",
     roles(lead=["市发展和改革委员会"], cooperate=["市工业和信息化局", "市自然资源局"], implement=["各县（区）人民政府"])),
]

NOT_ASSIGNMENTS = [
    ("water",      "保留消防用水"),
    ("alias",      "以下简称昌盛公司"),
    ("gloss",      "即断水、断电、停止原料进场、停止生产运营、停止安全生产许可、停止排污许可"),
    ("standard",   "GB 9078—1996"),
    ("aside",      "不论原焦炉是否淘汰"),
    ("examples",   "设备设施、管道等"),
    ("empty",      ""),
]
# fmt: on


@pytest.mark.parametrize("inner, expected", [c[1:] for c in PARENTHETICALS], ids=[c[0] for c in PARENTHETICALS])
def test_parse_parenthetical(inner: str, expected: dict) -> None:
    a = parse_parenthetical(inner)
    assert a is not None
    assert a.roles == expected


def test_parse_parenthetical_keeps_written_forms() -> None:
    a = parse_parenthetical("省工业和信息化厅牵头，省发展改革委、省生态环境厅配合，市县政府落实")
    assert a.written == {
        "省工业和信息化厅": "省工业和信息化厅",
        "省发展和改革委员会": "省发展改革委",
        "省生态环境厅": "省生态环境厅",
        "市县政府": "市县政府",
    }


@pytest.mark.parametrize("inner", [c[1] for c in NOT_ASSIGNMENTS], ids=[c[0] for c in NOT_ASSIGNMENTS])
def test_parse_parenthetical_rejects_non_assignments(inner: str) -> None:
    assert parse_parenthetical(inner) is None


def test_parse_parenthetical_angle_brackets() -> None:
    a = parse_parenthetical("市工信局、市能源局按职责分工负责，有关县〈市、区〉人民政府负责组织落实")
    assert a is not None and a.roles["implement"] == ["有关县（市、区）人民政府"]


def test_assignments_in_clause_text() -> None:
    text = (
        "市区规划区范围内的现有铸造和洗煤企业全部于2019年6月底前退出。（省工业和信息化厅牵头，省发展改革委、省国资委、"
        "省能源局配合，市县政府落实）另需说明（保留消防用水）。"
    )
    found = assignments_in(text)
    assert len(found) == 1
    start, end, a = found[0]
    assert text[start:end].startswith("（省工业和信息化厅牵头") and text[start:end].endswith("市县政府落实）")
    assert a.roles["lead"] == ["省工业和信息化厅"]


def test_assignment_merge_and_bool() -> None:
    a = Assignment()
    assert not a
    a.add("responsible", "市工信局")
    b = Assignment()
    b.add("responsible", "市工业和信息化局")
    b.add("cooperate", "市应急局")
    a.merge(b)
    assert a and a.roles == roles(responsible=["市工业和信息化局"], cooperate=["市应急管理局"])
    assert a.written == {"市工业和信息化局": "市工信局", "市应急管理局": "市应急局"}


# ---- canonical names -----------------------------------------------------------------------------------------------
# fmt: off
CANONICAL = [
    ("省工信厅",               "省工业和信息化厅"),
    ("市工信局",               "市工业和信息化局"),
    ("市应急局",               "市应急管理局"),
    ("市住建局",               "市住房和城乡建设局"),
    ("市人社局",               "市人力资源和社会保障局"),
    ("市市场监管局",           "市市场监督管理局"),
    ("省国资委",               "省国有资产监督管理委员会"),
    ("省发展改革委",           "省发展和改革委员会"),
    ("市发改委",               "市发展和改革委员会"),
    ("市发改局",               "市发展和改革局"),
    ("省住房城乡建设厅",       "省住房和城乡建设厅"),
    ("市卫健委",               "市卫生健康委员会"),
    ("市交通局",               "市交通运输局"),
    ("市环保局",               "市生态环境局"),
    ("市科技局",               "市科学技术局"),
    ("省地方金融监管局",       "省地方金融监督管理局"),
    # already canonical or unknown: unchanged
    ("省工业和信息化厅",       "省工业和信息化厅"),
    ("市应急管理局",           "市应急管理局"),
    ("市交通运输局",           "市交通运输局"),
    ("晋中市生态环境局介休分局", "晋中市生态环境局介休分局"),
    ("国网介休市供电公司",     "国网介休市供电公司"),
    ("市能源局",               "市能源局"),
    # bracket normalisation
    ("有关县〈市、区〉人民政府", "有关县（市、区）人民政府"),
    ("有关县(市、区)人民政府",  "有关县（市、区）人民政府"),
]
# fmt: on


@pytest.mark.parametrize("name, canonical", CANONICAL, ids=[f"name{i}" for i in range(len(CANONICAL))])
def test_canonical_department(name: str, canonical: str) -> None:
    assert canonical_department(name) == canonical


def test_canonical_department_is_idempotent() -> None:
    for _, canonical in CANONICAL:
        assert canonical_department(canonical) == canonical


# fmt: off
DEPT_NAMES = ["省工信厅", "市住建局", "市应急管理局", "晋中市生态环境局介休分局", "国网介休市供电公司", "忻州供电公司",
              "市县政府", "有关县（市、区）人民政府", "各县（区）人民政府", "市消防救援大队", "省大气污染防治工作领导小组办公室"]
# fmt: on


@pytest.mark.parametrize("name", DEPT_NAMES, ids=[f"dept{i}" for i in range(len(DEPT_NAMES))])
def test_dept_re_matches_whole_name(name: str) -> None:
    assert DEPT_RE.fullmatch(name)


# ---- aliases ------------------------------------------------------------------------------------------------------
JIEXIU_ALIAS_TEXT = (
    "2023年10月31日前，全面关停退出介休市昌盛煤气化有限公司（以下简称昌盛公司）60万吨/年、山西茂胜煤化集团"
    "有限公司（以下简称茂胜公司）96万吨/年4.3米焦炉。"
)


def test_find_aliases_jiexiu() -> None:
    assert find_aliases(JIEXIU_ALIAS_TEXT) == {
        "昌盛公司": "介休市昌盛煤气化有限公司",
        "茂胜公司": "山西茂胜煤化集团有限公司",
    }


# fmt: off
ALIASES = [
    ("luojie",   "长治市潞洁洗选煤有限公司（以下简称潞洁公司）是全市规模最大的独立洗煤企业。", {"潞洁公司": "长治市潞洁洗选煤有限公司"}),
    ("quoted",   "孝义市城投集中供热有限公司（以下简称“城投热力公司”）要加快建设长输供热管网", {"城投热力公司": "孝义市城投集中供热有限公司"}),
    ("none",     "市工信局（牵头）负责", {}),
]
# fmt: on


@pytest.mark.parametrize("text, expected", [c[1:] for c in ALIASES], ids=[c[0] for c in ALIASES])
def test_find_aliases(text: str, expected: dict) -> None:
    assert find_aliases(text) == expected


def test_find_aliases_book_title_is_balanced() -> None:
    aliases = find_aliases("特别是2005年9月1日起正式实施的《山西省焦化产业管理条例》（以下简称《条例》）的颁布")
    full = aliases["《条例》"]
    assert "山西省焦化产业管理条例" in full and full.count("《") == full.count("》")


def test_resolve_alias() -> None:
    aliases = find_aliases(JIEXIU_ALIAS_TEXT)
    assert resolve_alias("昌盛公司、茂胜公司", aliases) == "介休市昌盛煤气化有限公司、山西茂胜煤化集团有限公司"
    assert resolve_alias("各市", aliases) == "各市"


# ---- running text -------------------------------------------------------------------------------------------------
# fmt: off
RUNNING = [
    ("responsible",   "省工信厅负责指导各市做好压减工作",
                      roles(responsible=["省工业和信息化厅"])),
    ("lead-coop",     "市生态环境局牵头，有关县（市、区）人民政府配合，开展专项执法检查",
                      roles(lead=["市生态环境局"], cooperate=["有关县（市、区）人民政府"])),
    ("huitong",       "市商务局要会同市交通运输局建立洗煤产品运销信息平台",
                      roles(responsible=["市商务局"], cooperate=["市交通运输局"])),
    ("huitong-2",     "市住建局要会同市发改局建立燃煤锅炉动态管理台账",
                      roles(responsible=["市住房和城乡建设局"], cooperate=["市发展和改革局"])),
    ("two-govs",      "忻府区、岢岚县人民政府要优先推进涉及4.3米焦炉关停的在建焦化升级改造项目建设",
                      roles(responsible=["忻府区人民政府", "岢岚县人民政府"])),
    ("two-depts",     "市住建局、市工信局要组织专家组",
                      roles(responsible=["市住房和城乡建设局", "市工业和信息化局"])),
    ("opening-dept",  "市交通运输局每季度对重点洗煤企业运输车辆开展一次抽查",
                      roles(responsible=["市交通运输局"])),
    ("recipient",     "各县（区）人民政府要切实履行属地管理责任，每月10日前将工作进展报市工信局",
                      roles(responsible=["各县（区）人民政府"])),
    ("nobody",        "全省焦化总产能压减至14768万吨以内",
                      EMPTY),
]
# fmt: on


@pytest.mark.parametrize("sentence, expected", [c[1:] for c in RUNNING], ids=[c[0] for c in RUNNING])
def test_roles_in_sentence(sentence: str, expected: dict) -> None:
    assert roles_in_sentence(sentence).roles == expected


def test_roles_in_sentence_ignores_parenthetical() -> None:
    s = "2019年6月底前退出。（省工业和信息化厅牵头，省发展改革委配合，市县政府落实）"
    assert not roles_in_sentence(s)


def test_roles_in_sentence_written_forms() -> None:
    a = roles_in_sentence("省工信厅负责指导各市做好压减工作")
    assert a.written == {"省工业和信息化厅": "省工信厅"}


def test_expand_place_governments() -> None:
    assert expand_place_governments("忻府区、岢岚县人民政府要") == "忻府区人民政府、岢岚县人民政府要"
    assert expand_place_governments("市工信局要") == "市工信局要"


# ---- 工作职责 holders ---------------------------------------------------------------------------------------------
# fmt: off
HOLDERS = [
    ("dept",       "市住建局",                    {}, ["市住房和城乡建设局"]),
    ("branch",     "晋中市生态环境局介休分局",     {}, ["晋中市生态环境局介休分局"]),
    ("utility",    "国网介休市供电公司",           {}, ["国网介休市供电公司"]),
    ("towns",      "开发区、连福镇、张兰镇",        {}, ["开发区", "连福镇", "张兰镇"]),
    ("aliases",    "昌盛公司、茂胜公司",            {"昌盛公司": "介休市昌盛煤气化有限公司", "茂胜公司": "山西茂胜煤化集团有限公司"},
                                                   ["介休市昌盛煤气化有限公司", "山西茂胜煤化集团有限公司"]),
    ("sentence",   "加快推进升级改造，确保按期完成", {}, []),
    ("topic",      "严格准入管理",                 {}, []),
    ("none",       None,                           {}, []),
]
# fmt: on


@pytest.mark.parametrize("heading, aliases, expected", [c[1:] for c in HOLDERS], ids=[c[0] for c in HOLDERS])
def test_duty_holders(heading: str | None, aliases: dict, expected: list[str]) -> None:
    assert duty_holders(heading, aliases) == expected


# fmt: off
IS_DEPARTMENT = [
    ("市工业和信息化局", True), ("国网介休市供电公司", True), ("连福镇", True), ("开发区", True),
    ("晋中市生态环境局介休分局", True), ("介休市昌盛煤气化有限公司", False), ("山西茂胜煤化集团有限公司", False),
]
# fmt: on


@pytest.mark.parametrize("name, expected", IS_DEPARTMENT, ids=[f"name{i}" for i in range(len(IS_DEPARTMENT))])
def test_is_department(name: str, expected: bool) -> None:
    assert is_department(name) is expected
