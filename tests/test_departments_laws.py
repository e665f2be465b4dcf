"""Who must act in laws and regulations (issue 12, departments): the authorities and roles extracted from real
sentences of the dev texts (../shared/real-dev d01, d03, d06, d07, d09, d11) and of LawRefBook texts, one group of
cases per kind of error fixed.  Each sentence is wrapped into a one-article regulation and run through the whole
pipeline (clean → clauses → obligations), so the tests hold for the code path a user's document takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_kb.extract.obligations import extract_document, split_at_new_subjects
from policy_kb.ingest.document import process_file
from policy_kb.records import Obligation


def duties(tmp_path: Path, article: str) -> list[Obligation]:
    """Obligations of a regulation whose only article is ``article`` (`第X条 …`)."""
    path = tmp_path / "regulation.md"
    path.write_text(f"# 某省测试条例\n\n## 第一章 总则\n\n{article}\n", encoding="utf-8")
    doc, _, _ = process_file(path)
    return extract_document(doc)


def acting(obligations: list[Obligation], needle: str) -> dict[str, list[str]]:
    """The non-empty roles of the one obligation whose text contains ``needle``, names as written."""
    hits = [o for o in obligations if needle in o.text]
    assert len(hits) == 1, [o.text for o in obligations]
    ob = hits[0]
    return {role: sorted(ob.department_names.get(n, n) for n in names)
            for role, names in ob.departments.items() if names}


# ---- a second subject after a comma starts a second duty -------------------------------------------------------------
# fmt: off
SPLITS = [
    ("authority-then-authority",
     "发现重要文物的，应当立即上报国务院文物行政部门，国务院文物行政部门应当在接到报告后十五日内提出处理意见。",
     ["发现重要文物的，应当立即上报国务院文物行政部门，", "国务院文物行政部门应当在接到报告后十五日内提出处理意见。"]),
    ("authority-then-party",
     "幼儿园应当设立家长委员会，家长委员会可以对幼儿园重大事项决策提出意见和建议。",
     ["幼儿园应当设立家长委员会，", "家长委员会可以对幼儿园重大事项决策提出意见和建议。"]),
    ("topic-with-modal",
     "依法应当编制环境影响报告书、环境影响报告表的建设项目，建设单位应当在开工建设前报批。",
     ["依法应当编制环境影响报告书、环境影响报告表的建设项目，建设单位应当在开工建设前报批。"]),
    ("prescribed-topic",
     "法律、行政法规规定应当公证的事项，有关自然人、法人或者其他组织应当向公证机构申请办理公证。",
     ["法律、行政法规规定应当公证的事项，有关自然人、法人或者其他组织应当向公证机构申请办理公证。"]),
    ("condition-with-modal",
     "国家的安全遭受直接威胁必须立即采取应对措施时，国务院可以采取必要的国防动员措施。",
     ["国家的安全遭受直接威胁必须立即采取应对措施时，国务院可以采取必要的国防动员措施。"]),
    ("suo-you-quan-is-no-modal",
     "依法登记的土地的所有权和使用权受法律保护，任何单位和个人不得侵犯。",
     ["依法登记的土地的所有权和使用权受法律保护，任何单位和个人不得侵犯。"]),
]
# fmt: on


@pytest.mark.parametrize("sentence, parts", [c[1:] for c in SPLITS], ids=[c[0] for c in SPLITS])
def test_split_at_new_subjects(sentence: str, parts: list[str]) -> None:
    assert [sentence[a:b] for a, b in split_at_new_subjects(sentence, 0)] == parts


def test_each_subject_keeps_its_own_duty(tmp_path: Path) -> None:
    """d06 第二十条: the tax authority may ask for a review, the environment authority must answer it."""
    obs = duties(tmp_path, "第二十条 税务机关发现纳税人的纳税申报数据资料异常的，可以提请生态环境主管部门进行复核，"
                           "生态环境主管部门应当自收到税务机关的数据资料之日起十五日内向税务机关出具复核意见。")
    assert acting(obs, "可以提请") == {"responsible": ["税务机关"]}
    assert acting(obs, "十五日内") == {"responsible": ["生态环境主管部门"]}
    assert [o.modality for o in obs] == ["may", "must"]


# ---- authorities named by what they do, and subjects followed by any verb -------------------------------------------
# fmt: off
QUALIFIED = [
    # (id, article, needle, expected roles)
    ("decision-maker",  # d01 第九十五条
     "第九十五条 企业事业单位和其他生产经营者违法排放水污染物，受到罚款处罚，被责令改正的，依法作出处罚决定的行政机关"
     "应当组织复查，发现其继续违法排放水污染物或者拒绝、阻挠复查的，依照《中华人民共和国环境保护法》的规定按日连续处罚。",
     "组织复查", {"responsible": ["依法作出处罚决定的行政机关"]}),
    ("or-other-qualified",  # d01 第八十一条
     "第八十一条 以拖延、围堵、滞留执法人员等方式拒绝、阻挠环境保护主管部门或者其他依照本法规定行使监督管理权的部门的"
     "监督检查，或者在接受监督检查时弄虚作假的，由县级以上人民政府环境保护主管部门或者其他依照本法规定行使监督管理权的"
     "部门责令改正，处二万元以上二十万元以下的罚款。",
     "责令改正", {"responsible": ["其他依照本法规定行使监督管理权的部门", "县级以上人民政府环境保护主管部门"]}),
    ("subject-then-any-verb",  # d11 第六十五条
     "第六十五条 负有安全生产监督管理职责的部门接到生产安全事故报告后，应当立即按照国家和省有关规定上报事故情况。",
     "上报事故情况", {"responsible": ["负有安全生产监督管理职责的部门"]}),
    ("qualifier-of-a-sector",  # 山东省土壤污染防治条例 第九条
     "第九条 接到举报的生态环境主管部门和其他负有土壤污染防治监督管理职责的部门应当及时处理。",
     "及时处理", {"responsible": ["其他负有土壤污染防治监督管理职责的部门", "生态环境主管部门"]}),
    ("back-reference-with-its-authority",  # d09 第七十六条
     "第七十六条 施工现场未按照规定采取扬尘防治措施的，由县级以上人民政府住房城乡建设主管部门责令改正，处二万元以上"
     "十万元以下罚款；拒不改正的，责令停工整治，依法作出处罚决定的部门可以按照原处罚数额按日连续处罚。",
     "扬尘防治", {"responsible": ["县级以上人民政府住房城乡建设主管部门"]}),
]
# fmt: on


@pytest.mark.parametrize("article, needle, expected", [c[1:] for c in QUALIFIED], ids=[c[0] for c in QUALIFIED])
def test_qualified_authorities(tmp_path: Path, article: str, needle: str, expected: dict) -> None:
    assert acting(duties(tmp_path, article), needle) == expected


# ---- authorities that do not act: the violator of a penalty provision, names inside a clause ------------------------
# fmt: off
NOT_ACTING = [
    ("violating-authority",  # d01 第八十条
     "第八十条 环境保护主管部门或者其他依照本法规定行使监督管理权的部门，不依法作出行政许可或者办理批准文件的，发现违法"
     "行为或者接到对违法行为的举报后不予查处的，对直接负责的主管人员和其他直接责任人员依法给予处分。",
     "不依法作出行政许可", {}),
    ("obstructed-authority",  # d03 第一百零八条
     "第一百零八条 违反本法规定，生产经营单位拒绝、阻碍负有安全生产监督管理职责的部门依法实施监督检查的，责令改正；"
     "拒不改正的，处二万元以上二十万元以下的罚款。",
     "拒绝、阻碍", {}),
    ("officials-of-an-authority",  # d07 第二十六条
     "第二十六条 环境保护行政主管部门的工作人员徇私舞弊、滥用职权、玩忽职守，构成犯罪的，依法追究刑事责任；"
     "尚不构成犯罪的，依法给予行政处分。",
     "徇私舞弊", {}),
    ("authority-that-finds-acts",  # 档案法 第四十五条 (LawRefBook)
     "第四十五条 档案主管部门发现档案馆存在档案安全隐患的，应当责令限期整改，消除档案安全隐患。",
     "责令限期整改", {"responsible": ["档案主管部门"]}),
    ("object-after-a-preposition",  # d03 第八十一条
     "第八十一条 生产经营单位应当制定本单位生产安全事故应急救援预案，与所在地县级以上地方人民政府组织制定的生产安全"
     "事故应急救援预案相衔接，并定期组织演练。",
     "应急救援预案", {}),
]
# fmt: on


@pytest.mark.parametrize("article, needle, expected", [c[1:] for c in NOT_ACTING], ids=[c[0] for c in NOT_ACTING])
def test_authorities_that_do_not_act(tmp_path: Path, article: str, needle: str, expected: dict) -> None:
    assert acting(duties(tmp_path, article), needle) == expected


def test_a_clause_ending_in_a_name_is_no_list_of_authorities(tmp_path: Path) -> None:
    """d03 第一百零一条（三）: `进行爆破、吊装、动火、临时用电以及国务院应急管理部门会同…规定的其他危险作业` is an
    activity, not four departments."""
    obs = duties(tmp_path, "第一百零一条 生产经营单位有下列行为之一的，责令限期改正，处十万元以下的罚款：\n\n"
                           "（三）进行爆破、吊装、动火、临时用电以及国务院应急管理部门会同国务院有关部门规定的其他危险作业，"
                           "未安排专门人员进行现场安全管理的；")
    assert acting(obs, "未安排专门人员") == {}
