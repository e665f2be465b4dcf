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
    return {
        role: sorted(ob.department_names.get(n, n) for n in names) for role, names in ob.departments.items() if names
    }


# ---- a second subject after a comma starts a second duty -------------------------------------------------------------
# fmt: off
SPLITS = [
    ("authority-then-authority",
     "发现重要文物的，应当立即上报国务院文物行政部门，国务院文物行政部门应当在接到报告后十五日内提出处理意见。",
     ["发现重要文物的，应当立即上报国务院文物行政部门，", "国务院文物行政部门应当在接到报告后十五日内提出处理意见。"]),
    ("authority-then-party",  # 公共文化服务保障法 第五十七条 (LawRefBook)
     "各级人民政府应当建立有公众参与的公共文化设施使用效能考核评价制度，公共文化设施管理单位应当根据评价结果改进工作。",
     ["各级人民政府应当建立有公众参与的公共文化设施使用效能考核评价制度，", "公共文化设施管理单位应当根据评价结果改进工作。"]),
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
    obs = duties(
        tmp_path,
        "第二十条 税务机关发现纳税人的纳税申报数据资料异常的，可以提请生态环境主管部门进行复核，"
        "生态环境主管部门应当自收到税务机关的数据资料之日起十五日内向税务机关出具复核意见。",
    )
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
    obs = duties(
        tmp_path,
        "第一百零一条 生产经营单位有下列行为之一的，责令限期改正，处十万元以下的罚款：\n\n"
        "（三）进行爆破、吊装、动火、临时用电以及国务院应急管理部门会同国务院有关部门规定的其他危险作业，"
        "未安排专门人员进行现场安全管理的；",
    )
    assert acting(obs, "未安排专门人员") == {}


# ---- how laws name several authorities ------------------------------------------------------------------------------
# fmt: off
NAMES = [
    ("its-departments",  # d09 第五十四条: 其 refers back to the government, whose departments these are
     "第五十四条 县级以上人民政府及其发展改革、农业等主管部门应当制定鼓励政策，推进秸秆综合利用。",
     "制定鼓励政策",
     {"responsible": ["县级以上人民政府", "县级以上人民政府农业主管部门", "县级以上人民政府发展改革主管部门"]}),
    ("its-relevant-departments",  # d11 第六十三条
     "第六十三条 县级以上人民政府及其有关部门和乡镇人民政府、街道办事处、功能区管理机构，应当每年至少组织一次应急"
     "救援预案演练。",
     "预案演练",
     {"responsible": ["乡镇人民政府", "功能区管理机构", "县级以上人民政府", "县级以上人民政府有关部门", "街道办事处"]}),
    ("kind-after-deng",  # d11 第七条: every member is a 区, so 功能区管理机构 is the one name
     "第七条 开发区、工业园区、保税区、港区、风景区、自然保护区、旅游度假区等功能区管理机构，应当设立或者明确安全生产"
     "监督管理机构。",
     "设立或者明确", {"responsible": ["功能区管理机构"]}),
    ("deng-distributes-sectors",  # d09 第四十三条
     "第四十三条 环境保护主管部门应当会同交通运输、住房城乡建设、农业、水利等有关部门对非道路移动机械的大气污染物"
     "排放状况进行监督检查。",
     "监督检查",
     {"cooperate": ["交通运输部门", "住房城乡建设部门", "农业部门", "水利部门"],
      "responsible": ["环境保护主管部门"]}),
    ("office-of-a-committee",  # d11 第五条
     "第五条 县级以上安全生产委员会办公室设在应急管理部门，负责指导协调、监督检查、巡查督查有关政府和部门的安全生产"
     "监督管理工作。",
     "巡查督查", {"responsible": ["县级以上安全生产委员会办公室"]}),
    ("committee-of-an-enterprise",  # d11 第二十二条
     "第二十二条 安全生产委员会负责组织、指导、协调本单位安全生产工作。",
     "组织、指导", {}),
]
# fmt: on


@pytest.mark.parametrize("article, needle, expected", [c[1:] for c in NAMES], ids=[c[0] for c in NAMES])
def test_names_of_several_authorities(tmp_path: Path, article: str, needle: str, expected: dict) -> None:
    assert acting(duties(tmp_path, article), needle) == expected


# ---- cooperating roles in running text ------------------------------------------------------------------------------
# fmt: off
COOPERATE = [
    ("assists-with-a-modal",  # d09 第四十二条
     "第四十二条 县级以上人民政府环境保护主管部门对在道路上行驶的机动车污染物排放状况，在不影响正常通行的情况下可以"
     "通过遥感监测等手段进行监督抽测，公安机关交通管理部门应当予以配合。",
     {"监督抽测": {"responsible": ["县级以上人民政府环境保护主管部门"]},
      "予以配合": {"cooperate": ["公安机关交通管理部门"]}}),
    ("unnamed-partners",  # d09 第二十三条
     "第二十三条 对未完成大气环境质量改善目标的地方，省人民政府环境保护主管部门应当会同有关部门约谈该地方人民政府"
     "主要负责人。",
     {"约谈": {"cooperate": ["有关部门"], "responsible": ["省人民政府环境保护主管部门"]}}),
    ("agent-with-partner",  # 土壤污染防治法 第五十九条 (LawRefBook)
     "第五十九条 前两款规定的土壤污染状况调查报告应当报地方人民政府生态环境主管部门，由地方人民政府生态环境主管部门"
     "会同自然资源主管部门组织评审。",
     {"组织评审": {"cooperate": ["自然资源主管部门"], "responsible": ["地方人民政府生态环境主管部门"]}}),
    ("governments-that-assist",  # 重庆市特种设备安全条例 第四条 (LawRefBook)
     "第四条 乡（镇）人民政府以及街道办事处、开发区管理机构应当协助上级人民政府有关部门依法履行特种设备安全监督管理"
     "职责。",
     {"应当协助": {"cooperate": ["乡（镇）人民政府", "开发区管理机构", "街道办事处"]}}),
]
# fmt: on


@pytest.mark.parametrize("article, expected", [c[1:] for c in COOPERATE], ids=[c[0] for c in COOPERATE])
def test_cooperating_roles(tmp_path: Path, article: str, expected: dict) -> None:
    obs = duties(tmp_path, article)
    assert {needle: acting(obs, needle) for needle in expected} == expected


def test_a_duty_ending_with_a_person_is_still_a_duty(tmp_path: Path) -> None:
    """`…约谈该地方人民政府主要负责人。` ends like a personnel line (`组长：…市长`) but states a duty."""
    obs = duties(
        tmp_path,
        "第二十三条 对未完成大气环境质量改善目标的地方，省人民政府环境保护主管部门应当会同有关部门"
        "约谈该地方人民政府主要负责人。",
    )
    assert acting(obs, "约谈") == {"cooperate": ["有关部门"], "responsible": ["省人民政府环境保护主管部门"]}


# ---- the subject of the sentence before, and the authority of the paragraph referred to -----------------------------
# fmt: off
CARRIED = [
    ("condition-then-modal",  # d11 第四十一条
     "第四十一条 县级以上人民政府应当根据本行政区域内的安全生产状况，组织对容易发生生产安全事故的生产经营单位进行检查；"
     "发现事故隐患或者安全生产违法行为的，应当及时依法处理。",
     "及时依法处理", {"responsible": ["县级以上人民政府"]}),
    ("condition-then-also-modal",  # d11 第六十五条
     "第六十五条 设区的市和县（市、区）人民政府应当在接到生产安全事故报告后三十分钟内直报省人民政府安全生产委员会"
     "办公室；属于较大以上等级事故的，还应当在一小时内书面报告省人民政府安全生产委员会办公室。",
     "一小时内", {"responsible": ["县（市、区）人民政府", "设区的市人民政府"]}),
    ("condition-with-its-own-topic",  # 消防法 第十三条 (LawRefBook)
     "第十三条 住房和城乡建设主管部门应当进行抽查；其他建设工程经依法抽查不合格的，应当停止使用。",
     "停止使用", {}),
    ("condition-then-adverb",  # 土壤污染防治法 第九十八条 (LawRefBook)
     "第九十八条 违反本法规定，构成违反治安管理行为的，由公安机关依法给予治安管理处罚；构成犯罪的，依法追究刑事责任。",
     "追究刑事责任", {}),
]
# fmt: on


@pytest.mark.parametrize("article, needle, expected", [c[1:] for c in CARRIED], ids=[c[0] for c in CARRIED])
def test_subject_carried_over_a_condition(tmp_path: Path, article: str, needle: str, expected: dict) -> None:
    assert acting(duties(tmp_path, article), needle) == expected


def test_same_penalty_as_the_paragraph_before_has_its_authority(tmp_path: Path) -> None:
    """d03 第一百一十条: `依照前款规定处罚` is imposed by the 应急管理部门 of the paragraph before."""
    obs = duties(
        tmp_path,
        "第一百一十条 生产经营单位的主要负责人在本单位发生生产安全事故时，不立即组织抢救的，给予降级、"
        "撤职的处分，并由应急管理部门处上一年年收入百分之六十至百分之一百的罚款。\n\n"
        "生产经营单位的主要负责人对生产安全事故隐瞒不报、谎报或者迟报的，依照前款规定处罚。",
    )
    assert acting(obs, "隐瞒不报") == {"responsible": ["应急管理部门"]}


# ---- session 6 (dev3: 噪声污染防治法, 危险化学品安全管理条例, 德州市扬尘污染防治条例; phrasings from LawRefBook) ----------
# fmt: off
SESSION6 = [
    # how authorities are named
    ("sector-holding-a-party-word",  # 危险化学品安全管理条例 第三条: 农业主管部门 holds 业主 across 农业|主管部门
     "第三条 危险化学品目录，由国务院安全生产监督管理部门会同国务院工业和信息化、公安、农业主管部门，根据化学品危险"
     "特性的鉴别和分类标准确定、公布，并适时调整。",
     "确定、公布",
     {"cooperate": ["国务院公安主管部门", "国务院农业主管部门", "国务院工业和信息化主管部门"],
      "responsible": ["国务院安全生产监督管理部门"]}),
    ("designated-by-a-government",  # 噪声污染防治法 第八十条
     "第八十条 违反本法规定，有下列行为之一，由交通运输、铁路监督管理、民用航空等部门或者地方人民政府指定的城市道路、"
     "城市轨道交通有关部门，按照职责责令改正，处五千元以上五万元以下的罚款：\n\n"
     "（一）公路养护管理单位、城市道路养护维修单位未履行维护和保养义务的；",
     "未履行维护",
     {"responsible": ["交通运输部门", "地方人民政府指定的城市轨道交通有关部门", "地方人民政府指定的城市道路有关部门",
                      "民用航空部门", "铁路监督管理部门"]}),
    ("function-qualifier-with-a-list",  # 危险化学品安全管理条例 第十四条
     "第十四条 负责颁发危险化学品安全生产许可证、工业产品生产许可证的部门，应当将其颁发许可证的情况及时向同级"
     "工业和信息化主管部门、环境保护主管部门和公安机关通报。",
     "及时向同级", {"responsible": ["负责颁发危险化学品安全生产许可证、工业产品生产许可证的部门"]}),
    ("function-qualifier-before-a-level",  # 德州市扬尘污染防治条例 第十条
     "第十条 负有扬尘污染防治监督管理职责的市人民政府工作部门，应当依据各自职责制定扬尘污染防治导则，并向社会公布。",
     "制定扬尘污染防治导则", {"responsible": ["负有扬尘污染防治监督管理职责的市人民政府工作部门"]}),
    ("level-before-a-function",  # 特种设备安全法 第二条 (LawRefBook)
     "第二条 特种设备目录由国务院负责特种设备安全监督管理的部门制定，报国务院批准后执行。",
     "特种设备目录", {"responsible": ["国务院负责特种设备安全监督管理的部门"]}),
    ("bare-level-shares-the-rest",  # 噪声污染防治法 第五十六条
     "第五十六条 铁路运输企业和设区的市、县级人民政府有关部门和其他有关单位应当按照噪声污染综合治理方案的要求采取"
     "有效措施，减轻噪声污染。",
     "采取有效措施", {"responsible": ["县级人民政府有关部门", "设区的市人民政府有关部门"]}),
    ("not-a-level-but-a-word",  # 东营市大气污染防治条例 第十条 (LawRefBook)
     "第十条 市场监督管理、海关等部门在各自职责范围内对生产、销售、进口的油品实施监督管理。",
     "油品", {"responsible": ["市场监督管理部门", "海关部门"]}),
    ("city-and-county-share-the-rest",  # 城乡规划法 第六十七条 (LawRefBook)
     "第六十七条 建设单位未在建设工程竣工验收后六个月内向城乡规划主管部门报送有关竣工验收资料的，由所在地城市、县人民"
     "政府城乡规划主管部门责令限期补报；逾期不补报的，处一万元以上五万元以下的罚款。",
     "竣工验收资料", {"responsible": ["县人民政府城乡规划主管部门", "所在地城市人民政府城乡规划主管部门"]}),
    ("designated-by-provincial-governments",  # 城乡规划法 第四十条 (LawRefBook)
     "第四十条 对符合控制性详细规划和规划条件的，由城市、县人民政府城乡规划主管部门或者省、自治区、直辖市人民政府"
     "确定的镇人民政府核发建设工程规划许可证。",
     "核发建设工程规划许可证",
     {"responsible": ["县人民政府城乡规划主管部门", "城市人民政府城乡规划主管部门", "省、自治区、直辖市人民政府确定的镇人民政府"]}),
    # coordinated subjects
    ("party-among-the-members",  # 噪声污染防治法 第五十六条
     "第五十六条 因铁路运行排放噪声造成严重污染的，铁路运输企业和设区的市、县级人民政府应当对噪声污染情况进行调查，"
     "制定噪声污染综合治理方案。",
     "进行调查", {"responsible": ["县级人民政府", "设区的市人民政府"]}),
    ("subject-before-a-comma",  # 噪声污染防治法 第五十二条
     "第五十二条 民用机场所在地人民政府，应当根据环境影响评价以及监测结果确定的民用航空器噪声对机场周围生活环境产生"
     "影响的范围和程度，划定噪声敏感建筑物禁止建设区域和限制建设区域，并实施控制。",
     "划定噪声敏感建筑物", {"responsible": ["民用机场所在地人民政府"]}),
    ("subject-ends-before-its-preposition",  # 噪声污染防治法 第二十九条
     "第二十九条 实施检查的部门、人员对现场检查中知悉的商业秘密应当保密。",
     "商业秘密", {"responsible": ["实施检查的部门"]}),
    ("authorities-with-other-bodies",  # 东营市大气污染防治条例 第七条 (LawRefBook)
     "第七条 市、县（区）人民政府及其有关部门、社会团体、学校、新闻媒体，应当开展大气污染防治法律法规宣传教育。",
     "宣传教育",
     {"responsible": ["县（区）人民政府", "县（区）人民政府有关部门", "市人民政府", "市人民政府有关部门"]}),
    ("supply-is-no-modal",  # 北京市燃气管理条例 第六条 (LawRefBook): 供应 holds 应
     "第六条 各级人民政府、城市管理部门、城市管理综合执法部门和燃气供应企业应当加强燃气安全知识宣传和普及工作。",
     "宣传和普及", {"responsible": ["各级人民政府", "城市管理综合执法部门", "城市管理部门"]}),
    ("users-are-parties",  # 北京市燃气管理条例 第四十八条 (LawRefBook)
     "第四十八条 市、区人民政府有关部门以及燃气供应企业、非居民用户，应当有计划、有重点地进行燃气应急预案演练。",
     "预案演练", {"responsible": ["区人民政府有关部门", "市人民政府有关部门"]}),
    ("partners-up-to-deng",  # 北京市燃气管理条例 第五十四条 (LawRefBook)
     "第五十四条 市、区城市管理部门应当会同应急管理、市场监督管理、城市管理综合执法等部门指导、督促燃气供应企业做好"
     "安全处置工作。",
     "安全处置",
     {"cooperate": ["城市管理综合执法部门", "市场监督管理部门", "应急管理部门"],
      "responsible": ["区城市管理部门", "市城市管理部门"]}),
    ("their-departments-only",  # 突发事件应对法 第三十四条 (LawRefBook)
     "第三十四条 县级人民政府及其有关部门、乡级人民政府、街道办事处、居民委员会、村民委员会应当及时调解处理可能引发"
     "社会安全事件的矛盾纠纷。",
     "矛盾纠纷", {"responsible": ["乡级人民政府", "县级人民政府", "县级人民政府有关部门", "街道办事处"]}),
    ("a-verb-and-a-long-object",  # 突发事件应对法 第二十六条 (LawRefBook)
     "第二十六条 国务院有关部门根据各自的职责和国务院相关应急预案，制定国家突发事件部门应急预案并报国务院备案。",
     "部门应急预案", {"responsible": ["国务院有关部门"]}),
    ("people-of-the-authorities",  # 山东省安全生产条例 第三十七条 (d11)
     "第三十七条 各级人民政府和有关部门主要负责人对本地区、本部门的安全生产工作全面负责。",
     "全面负责", {}),
    # agents introduced by 由
    ("an-agent-for-each-sanction",  # 危险化学品安全管理条例 第八十条
     "第八十条 生产、储存、使用危险化学品的单位有下列情形之一的，由安全生产监督管理部门责令改正，处5万元以上10万元"
     "以下的罚款；拒不改正的，责令停产停业整顿直至由原发证机关吊销其相关许可证件，并由工商行政管理部门责令其办理经营"
     "范围变更登记或者吊销其营业执照：\n\n（一）对重复使用的危险化学品包装物、容器，在重复使用前不进行检查的；",
     "重复使用前", {"responsible": ["原发证机关", "安全生产监督管理部门", "工商行政管理部门"]}),
    ("agents-with-a-party",  # 噪声污染防治法 第八十五条
     "第八十五条 噪声污染防治监督管理人员滥用职权、玩忽职守、徇私舞弊的，由监察机关或者任免机关、单位依法给予处分。",
     "滥用职权", {"responsible": ["任免机关", "监察机关"]}),
    ("agent-that-persuades",  # 噪声污染防治法 第八十二条
     "第八十二条 违反本法规定，有下列行为之一，由地方人民政府指定的部门说服教育，责令改正；拒不改正的，给予警告：\n\n"
     "（一）在噪声敏感建筑物集中区域使用高音广播喇叭的；",
     "高音广播喇叭", {"responsible": ["地方人民政府指定的部门"]}),
    ("agent-of-a-condition",  # 安全生产法 第七十三条 (d03)
     "第七十三条 负有安全生产监督管理职责的部门应当建立举报制度。对不属于本部门职责，需要由其他有关部门进行调查处理的，"
     "转交其他有关部门处理。",
     "转交", {"responsible": ["负有安全生产监督管理职责的部门"]}),
    ("topic-then-agent",  # 安全生产法 第五十一条 (d03)
     "第五十一条 具体范围和实施办法由国务院应急管理部门会同国务院财政部门、国务院保险监督管理机构和相关行业主管部门"
     "制定。",
     "具体范围",
     {"cooperate": ["国务院保险监督管理机构", "国务院财政部门", "相关行业主管部门"], "responsible": ["国务院应急管理部门"]}),
    ("lead-in-authority-named-in-the-item",  # 噪声污染防治法 第七十六条
     "第七十六条 违反本法规定，有下列行为之一，由生态环境主管部门责令改正，处二万元以上二十万元以下的罚款：\n\n"
     "（二）噪声重点排污单位未按照国家规定安装噪声自动监测设备，或者未与生态环境主管部门的监控设备联网的。",
     "未与生态环境主管部门", {"responsible": ["生态环境主管部门"]}),
    # partners and second actors
    ("partner-before-a-verb",  # 噪声污染防治法 第二十七条
     "第二十七条 国务院发展改革部门会同国务院有关部门确定噪声污染严重的工艺和设备淘汰期限。",
     "淘汰期限", {"cooperate": ["国务院有关部门"], "responsible": ["国务院发展改革部门"]}),
    ("partner-in-a-later-part",  # 噪声污染防治法 第二十三条
     "第二十三条 国务院生态环境主管部门负责制定噪声监测和评价规范，会同国务院有关部门组织声环境质量监测网络。",
     "评价规范", {"cooperate": ["国务院有关部门"], "responsible": ["国务院生态环境主管部门"]}),
    ("qualified-partner",  # 噪声污染防治法 第二十八条
     "第二十八条 省级以上人民政府生态环境主管部门会同其他负有噪声污染防治监督管理职责的部门约谈该地区人民政府的主要"
     "负责人。",
     "约谈",
     {"cooperate": ["其他负有噪声污染防治监督管理职责的部门"], "responsible": ["省级以上人民政府生态环境主管部门"]}),
    ("no-partner-without-an-actor",  # 安全生产法 第一百零一条 (d03)
     "第一百零一条 生产经营单位进行爆破、吊装以及国务院应急管理部门会同国务院有关部门规定的其他危险作业，应当安排专门"
     "人员进行现场安全管理。",
     "专门人员", {}),
    ("a-verb-and-its-object",  # 噪声污染防治法 第七条
     "第七条 县级以上地方人民政府应当依照本法和国务院的规定，明确有关部门的噪声污染防治监督管理职责，加强部门协同配合。",
     "协同配合", {"responsible": ["县级以上地方人民政府"]}),
]
SECOND_ACTORS = [
    ("assists-without-a-modal",  # 噪声污染防治法 第十六条
     "第十六条 县级以上人民政府市场监督管理等部门对生产、销售的有噪声限值的产品进行监督抽查，生态环境主管部门予以配合。",
     {"监督抽查": {"responsible": ["县级以上人民政府市场监督管理部门"]},
      "予以配合": {"cooperate": ["生态环境主管部门"]}}),
    ("a-new-agent",  # 噪声污染防治法 第四十九条
     "第四十九条 地方人民政府生态环境主管部门会同公安机关可以划定禁止机动车行驶的路段和时间，向社会公告，并由公安机关"
     "交通管理部门依法设置相关标志、标线。",
     {"划定": {"cooperate": ["公安机关"], "responsible": ["地方人民政府生态环境主管部门"]},
      "设置相关标志": {"responsible": ["公安机关交通管理部门"]}}),
    ("qualified-second-subject",  # 噪声污染防治法 第七十条
     "第七十条 劝阻、调解无效的，可以向负有社会生活噪声污染防治监督管理职责的部门报告或者投诉，接到报告或者投诉的部门"
     "应当依法处理。",
     {"依法处理": {"responsible": ["接到报告或者投诉的部门"]}}),
]
# fmt: on


@pytest.mark.parametrize("article, needle, expected", [c[1:] for c in SESSION6], ids=[c[0] for c in SESSION6])
def test_session6_authorities(tmp_path: Path, article: str, needle: str, expected: dict) -> None:
    assert acting(duties(tmp_path, article), needle) == expected


@pytest.mark.parametrize("article, expected", [c[1:] for c in SECOND_ACTORS], ids=[c[0] for c in SECOND_ACTORS])
def test_second_actor_after_a_comma(tmp_path: Path, article: str, expected: dict) -> None:
    obs = duties(tmp_path, article)
    assert {needle: acting(obs, needle) for needle in expected} == expected
