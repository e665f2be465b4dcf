"""Document metadata (policy_kb.ingest.metadata): 文号, dates, issuer, jurisdiction, cites, sidecars."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, REGULATION_TXT, SEED_IDS

from policy_kb.build import build
from policy_kb.ingest.clauses import parse_clauses
from policy_kb.ingest.document import process_file
from policy_kb.ingest.metadata import Metadata, apply_sidecar, derive, normalise_doc_number
from policy_kb.store import Store

# fmt: off
META = {  # doc id: (source_file, title, doc_number, issuer, issue_date, jurisdiction, level)
    "sx-2019-66-coking-overcapacity": (
        "000_204efd69bf078b52.txt",
        "山西省人民政府办公厅关于印发山西省焦化行业压减过剩产能打好污染防治攻坚战行动方案的通知",
        "晋政办发〔2019〕66号", "山西省人民政府办公厅", "2019-08-12", "山西省", "province"),
    "xinzhou-2022-71-coking-hq": (
        "001_13d2c022863f811f.txt", "忻州市人民政府办公室关于推动焦化行业高质量发展的意见",
        "忻政办发〔2022〕71号", "忻州市人民政府办公室", "2022-10-31", "忻州市", "city"),
    "jiexiu-2023-43m-oven-closure": (
        "002_cde291389bb8d52b.txt", "介休市全面关停炭化室高度4.3米焦炉工作方案",
        None, None, None, "介休市", "county"),
    "sx-2006-coking-11th-plan": (
        "003_6f8313e9d6086578.txt", "山西省焦化工业规划",
        None, None, None, "山西省", "province"),
    "sx-2019-39-blue-sky-2019": (
        "004_6aa54889348ae804.txt", "山西省人民政府办公厅关于印发山西省打赢蓝天保卫战2019年行动计划的通知",
        "晋政办发〔2019〕39号", "山西省人民政府办公厅", "2019-05-31", "山西省", "province"),
}
FIELDS = ("source_file", "title", "doc_number", "issuer", "issue_date", "jurisdiction", "level")
# fmt: on


@pytest.fixture(scope="module")
def listed(seed_store) -> dict[str, dict]:
    return {d["id"]: d for d in (doc.to_dict() for doc in seed_store.documents())}


def test_listing_holds_the_seed_documents(listed) -> None:
    assert sorted(listed) == SEED_IDS


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_document_metadata(listed, doc_id: str) -> None:
    got = listed[doc_id]
    assert {f: got[f] for f in FIELDS} == dict(zip(FIELDS, META[doc_id]))


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_source_file_comes_from_the_sidecar(listed, doc_id: str) -> None:
    sidecar = json.loads((CORPUS / f"{doc_id}.txt.meta.json").read_text(encoding="utf-8"))
    assert listed[doc_id]["source_file"] == sidecar["source_file"]


# ---- cites ------------------------------------------------------------------------------------------------
SX_2022_51 = {
    "title": "山西省人民政府办公厅关于推动焦化行业高质量发展的意见",
    "doc_number": "晋政办发〔2022〕51号",
    "in_corpus": False,
}


@pytest.mark.parametrize("doc_id", ["xinzhou-2022-71-coking-hq", "jiexiu-2023-43m-oven-closure"])
def test_cites_the_provincial_opinion_not_in_corpus(listed, doc_id: str) -> None:
    assert SX_2022_51 in listed[doc_id]["cites"]


def test_cite_number_wrapped_across_lines(listed) -> None:
    # jiexiu: 《晋中市…的通知》（市\n\n焦高发组办字〔2023〕4号）
    cites = listed["jiexiu-2023-43m-oven-closure"]["cites"]
    assert {
        "title": "晋中市推动焦化行业高质量发展领导小组办公室关于印发晋中市推动焦化行业高质量发展实施方案的通知",
        "doc_number": "市焦高发组办字〔2023〕4号",
        "in_corpus": False,
    } in cites
    assert len(cites) == 2


def test_cites_of_the_2019_action_plan(listed) -> None:
    assert listed["sx-2019-66-coking-overcapacity"]["cites"] == [
        {
            "title": "山西省焦化产业打好污染防治攻坚战推动转型升级实施方案",
            "doc_number": "晋政办发〔2018〕98号",
            "in_corpus": False,
        }
    ]


@pytest.mark.parametrize(
    "doc_id, own_title",
    [
        ("sx-2019-66-coking-overcapacity", "山西省焦化行业压减过剩产能打好污染防治攻坚战行动方案"),
        ("sx-2019-39-blue-sky-2019", "山西省打赢蓝天保卫战2019年行动计划"),
    ],
)
def test_a_cover_notice_does_not_cite_its_own_attachment(listed, doc_id: str, own_title: str) -> None:
    assert own_title not in [c["title"] for c in listed[doc_id]["cites"]]


def test_aliases_licences_and_forms_are_not_cites(listed) -> None:
    titles = [c["title"] for c in listed["sx-2006-coking-11th-plan"]["cites"]]
    assert "条例" not in titles and "焦炭经营许可证" not in titles
    assert "山西省焦化产业管理条例" in titles and "中华人民共和国煤炭法" in titles
    assert len(titles) == len(set(titles))


def test_cites_shape(listed) -> None:
    for d in listed.values():
        for c in d["cites"]:
            assert set(c) == {"title", "doc_number", "in_corpus"} and c["in_corpus"] is False


def test_cite_is_in_corpus_when_the_cited_document_is_built(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in (
        "xinzhou-2022-71-coking-hq.txt",
        "xinzhou-2022-71-coking-hq.txt.meta.json",
        "jiexiu-2023-43m-oven-closure.txt",
    ):
        shutil.copy(CORPUS / name, corpus / name)
    (corpus / "sx-2022-51-coking-hq.txt").write_text(
        "山西省人民政府办公厅文件\n晋政办发〔2022〕51号\n山西省人民政府办公厅\n关于推动焦化行业高质量发展的意见\n"
        "各市、县人民政府：\n一、总体要求\n推动焦化行业高质量发展。\n山西省人民政府办公厅\n2022年6月1日\n",
        encoding="utf-8",
    )
    build(corpus, tmp_path / "idx", progress=lambda m: None)
    store = Store(tmp_path / "idx")
    try:
        docs = {d.id: d for d in store.documents()}
        assert docs["sx-2022-51-coking-hq"].doc_number == "晋政办发〔2022〕51号"
        for doc_id in ("xinzhou-2022-71-coking-hq", "jiexiu-2023-43m-oven-closure"):
            cite = next(c for c in docs[doc_id].cites if c.doc_number == "晋政办发〔2022〕51号")
            assert cite.in_corpus is True
        other = next(c for c in docs["jiexiu-2023-43m-oven-closure"].cites if c.doc_number != "晋政办发〔2022〕51号")
        assert other.in_corpus is False
    finally:
        store.close()


# ---- warnings ----------------------------------------------------------------------------------------------
def test_warnings_name_what_the_text_does_not_state(listed) -> None:
    jx = listed["jiexiu-2023-43m-oven-closure"]["warnings"]
    assert any(w.startswith("doc_number not stated") for w in jx)
    assert any(w.startswith("issue_date not stated") for w in jx)
    assert not any(w.startswith(("title", "jurisdiction")) for w in jx)
    assert listed["sx-2019-66-coking-overcapacity"]["warnings"] == []
    assert listed["xinzhou-2022-71-coking-hq"]["warnings"] == []


# ---- the two documents written for these tests ------------------------------------------------------------
def test_regulation_metadata() -> None:
    doc, _, _ = process_file(REGULATION_TXT)
    d = doc.to_dict()
    assert {f: d[f] for f in FIELDS} == {
        "source_file": "jincheng-2024-coking-env-rules.txt",
        "title": "晋城市人民政府办公室关于印发晋城市焦化企业环境管理办法的通知",
        "doc_number": "晋市政办发〔2024〕15号",
        "issuer": "晋城市人民政府办公室",
        "issue_date": "2024-03-15",
        "jurisdiction": "晋城市",
        "level": "city",
    }
    assert d["cites"] == [
        {"title": "中华人民共和国大气污染防治法", "doc_number": None, "in_corpus": False},
        {"title": "山西省大气污染防治条例", "doc_number": None, "in_corpus": False},
    ]
    assert d["warnings"] == []


def test_notice_docx_metadata(notice_docx: Path) -> None:
    doc, _, _ = process_file(notice_docx)
    d = doc.to_dict()
    assert {f: d[f] for f in FIELDS} == {
        "source_file": "changzhi-2024-gas-flaring.docx",
        "title": "长治市人民政府办公室关于开展焦炉煤气放散专项整治的通知",
        "doc_number": "长政办发〔2024〕8号",
        "issuer": "长治市人民政府办公室",
        "issue_date": "2024-02-20",
        "jurisdiction": "长治市",
        "level": "city",
    }
    assert d["cites"] == [] and d["clause_count"] == 14


# ---- derive() on small texts -----------------------------------------------------------------------------
def _derive(text: str) -> Metadata:
    return derive(text, parse_clauses("d", text))


@pytest.mark.parametrize(
    "written",
    [
        "晋政办发〔2019〕66号",
        "晋政办发〔 2019〕 66 号",
        "晋政办发[2019]66号",
        "晋政办发［2019］66号",
        "晋政办发【2019】66号",
        "晋政办发(2019)66号",
        "晋政办发（2019）66号",
    ],
)
def test_normalise_doc_number(written: str) -> None:
    assert normalise_doc_number(written) == "晋政办发〔2019〕66号"


def test_doc_number_written_with_square_brackets() -> None:
    meta = _derive("山西省人民政府办公厅文件\n晋政办发[2019]66号\n关于某事的通知\n一、要求\n做好工作。")
    assert meta.doc_number == "晋政办发〔2019〕66号"


def test_issue_date_from_the_signature_not_the_printing_line() -> None:
    meta = _derive(
        "某市人民政府关于某事的通知\n一、要求\n做好工作。\n某市人民政府\n2023年9月5日\n"
        "抄送：市委办公室。\n某市人民政府办公室2023年9月8日印发"
    )
    assert meta.issue_date == "2023-09-05"
    assert meta.issuer == "某市人民政府"


def test_issue_date_falls_back_to_the_printing_line_with_a_warning() -> None:
    meta = _derive(
        "某市人民政府关于某事的通知\n一、要求\n做好工作。\n抄送：市委办公室。\n某市人民政府办公室2023年9月8日印发"
    )
    assert meta.issue_date == "2023-09-08"
    assert any("印发" in w for w in meta.warnings)


def test_dates_inside_sentences_are_not_the_issue_date() -> None:
    meta = _derive("某县焦炉关停方案\n一、目标\n2023年10月31日前，全面关停焦炉。\n二、要求\n2023年12月底前完成验收。")
    assert meta.issue_date is None


@pytest.mark.parametrize("line", ["2019年13月1日", "2019年0月12日", "2019年8月32日"])
def test_impossible_signature_date_is_not_an_issue_date(line: str) -> None:
    assert _derive(f"某市人民政府关于某事的通知\n一、要求\n做好工作。\n某市人民政府\n{line}").issue_date is None


def test_february_30_is_not_an_issue_date() -> None:
    assert _derive("某市人民政府关于某事的通知\n一、要求\n做好工作。\n某市人民政府\n2023年2月30日").issue_date is None


def test_nothing_is_guessed_for_a_bare_text() -> None:
    meta = _derive("一、要求\n做好焦炉关停工作。")
    assert (meta.doc_number, meta.issue_date, meta.issuer, meta.jurisdiction, meta.level) == (None,) * 5


@pytest.mark.parametrize(
    "title, jurisdiction, level",
    [
        ("介休市全面关停炭化室高度4.3米焦炉工作方案", "介休市", "county"),
        ("晋中市推动焦化行业高质量发展实施方案", "晋中市", "city"),
        ("山西省焦化工业规划", "山西省", "province"),
    ],
)
def test_jurisdiction_and_level_from_the_title(title: str, jurisdiction: str, level: str) -> None:
    meta = _derive(f"{title}\n一、目标\n做好工作。")
    assert (meta.title, meta.jurisdiction, meta.level) == (title, jurisdiction, level)


# ---- sidecars -------------------------------------------------------------------------------------------------
def _sidecar(tmp_path: Path, data) -> Path:
    path = tmp_path / "doc.txt.meta.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_sidecar_overrides_and_removes_the_warning(tmp_path: Path) -> None:
    meta = _derive("介休市全面关停炭化室高度4.3米焦炉工作方案\n一、目标\n做好工作。")
    assert any(w.startswith("doc_number") for w in meta.warnings)
    apply_sidecar(meta, _sidecar(tmp_path, {"doc_number": "介政办发〔2023〕43号", "issue_date": "2023-04-20"}))
    assert (meta.doc_number, meta.issue_date) == ("介政办发〔2023〕43号", "2023-04-20")
    assert not any(w.startswith(("doc_number", "issue_date")) for w in meta.warnings)


def test_sidecar_jurisdiction_sets_the_level(tmp_path: Path) -> None:
    meta = Metadata()
    apply_sidecar(meta, _sidecar(tmp_path, {"jurisdiction": "孝义市"}))
    assert (meta.jurisdiction, meta.level) == ("孝义市", "county")


@pytest.mark.parametrize(
    "content, needle",
    [
        ({"author": "x"}, "author"),
        ({"issue_date": "2019/08/12"}, "issue_date"),
        ({"level": "town"}, "level"),
        ("{not json", "invalid JSON"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_bad_sidecar_is_a_clear_error(tmp_path: Path, content, needle: str) -> None:
    with pytest.raises(ValueError) as e:
        apply_sidecar(Metadata(), _sidecar(tmp_path, content))
    assert "doc.txt.meta.json" in str(e.value) and needle in str(e.value)


def test_sidecar_applies_in_process_file(tmp_path: Path) -> None:
    src = tmp_path / "jiexiu.txt"
    shutil.copy(CORPUS / "jiexiu-2023-43m-oven-closure.txt", src)
    (tmp_path / "jiexiu.txt.meta.json").write_text(
        json.dumps({"source_file": "介休方案.txt", "doc_number": "介政发〔2023〕5号"}, ensure_ascii=False),
        encoding="utf-8",
    )
    doc, _, _ = process_file(src)
    assert (doc.source_file, doc.doc_number) == ("介休方案.txt", "介政发〔2023〕5号")
    assert not any(w.startswith("doc_number") for w in doc.warnings)
    assert any(w.startswith("issue_date") for w in doc.warnings)


def test_source_file_defaults_to_the_corpus_file_name(tmp_path: Path) -> None:
    src = tmp_path / "plain-name.txt"
    shutil.copy(CORPUS / "jiexiu-2023-43m-oven-closure.txt", src)
    doc, _, _ = process_file(src)
    assert doc.source_file == "plain-name.txt" and doc.id == "plain-name"


# ---- laws and regulations (issue 12): the dev split of ../shared/real-dev ------------------------------------------
REAL_DEV = Path(__file__).resolve().parents[2] / "shared" / "real-dev"

# fmt: off
LAWS = {  # doc id: (jurisdiction, level, issuer, issue_date, doc_number, effective_date, history events)
    "d01_water_pollution_law": ("全国", "national", "全国人民代表大会常务委员会", "2017-06-27", None, "2008-06-01",
                                ["通过", "修正", "修订", "修正"]),
    "d03_work_safety_law": ("全国", "national", "全国人民代表大会常务委员会", "2021-06-10", None, "2002-11-01",
                            ["通过", "修正", "修正", "修正"]),
    "d06_env_tax_law": ("全国", "national", "全国人民代表大会常务委员会", "2018-10-26", None, "2018-01-01", ["通过", "修正"]),
    "d07_project_env_regulation": ("全国", "national", "国务院", "1998-11-29", "国务院令第253号", "1998-11-29", ["发布"]),
    "d09_henan_air_regulation": ("河南省", "province", "河南省人民代表大会常务委员会", "2017-12-01", None, "2018-03-01",
                                 ["通过"]),
    "d11_shandong_safety_regulation": ("山东省", "province", "山东省人民代表大会常务委员会", "2021-12-03", None,
                                       "2022-03-01", ["通过", "修订"]),
}
# fmt: on


@pytest.mark.parametrize("doc_id", sorted(LAWS))
def test_law_metadata(doc_id: str) -> None:
    path = REAL_DEV / f"{doc_id}.md"
    if not path.is_file():
        pytest.skip("../shared/real-dev is not here")
    d = process_file(path)[0].to_dict()
    got = (
        d["jurisdiction"],
        d["level"],
        d["issuer"],
        d["issue_date"],
        d["doc_number"],
        d["effective_date"],
        [h["event"] for h in d["history"]],
    )
    assert got == LAWS[doc_id]
    assert d["issue_date"] == max(h["date"] for h in d["history"])
    assert all(h["text"].startswith(h["date"][:4]) for h in d["history"])


LAW_HEAD = "{title}\n{lines}\n第一章 总则\n第一条 为了保护环境，制定本条例。\n第二条 {last}\n"


@pytest.mark.parametrize(
    "title, lines, last, want",
    [
        (
            "北京市大气污染防治条例",
            "2014年1月22日北京市第十四届人民代表大会第二次会议通过",
            "本条例自2014年3月1日起施行。",
            ("北京市", "province", "北京市人民代表大会", "2014-01-22", "2014-03-01"),
        ),
        (
            "临沂市沂河保护条例",
            "2019年8月29日临沂市第十九届人民代表大会常务委员会第二十次会议通过\n"
            "2019年9月27日山东省第十三届人民代表大会常务委员会第十四次会议批准",
            "本条例自2020年1月1日起施行。",
            ("临沂市", "city", "临沂市人民代表大会常务委员会", "2019-09-27", "2020-01-01"),
        ),
        (  # each amendment a city adopts is 批准 by the province, in one line (LawRefBook: 郑州市大气污染防治条例)
            "郑州市大气污染防治条例",
            "2014年6月27日郑州市第十四届人民代表大会常务委员会第三次会议通过\n"
            "2014年12月4日河南省第十二届人民代表大会常务委员会第十一次会议批准\n"
            "2020年4月29日郑州市第十五届人民代表大会常务委员会第十五次会议通过\n"
            "2020年6月3日河南省第十三届人民代表大会常务委员会第十八次会议批准的《郑州市人民代表大会常务委员会"
            "关于修改部分地方性法规的决定》第二次修正",
            "本条例自2015年3月1日起施行。",
            ("郑州市", "city", "郑州市人民代表大会常务委员会", "2020-06-03", "2015-03-01"),
        ),
        (  # the approving province first, the city's congress after it, a date between (青岛市专利保护规定)
            "青岛市专利保护规定",
            "2004年10月25日 青岛市第十三届人民代表大会常务委员会第十五次会议通过\n"
            "2011年11月25日 山东省第十一届人民代表大会常务委员会第二十七次会议批准的2011年11月15日青岛市第十四届"
            "人民代表大会常务委员会第三十三次会议《关于修改<青岛市专利保护规定>的决定》修正",
            "本规定自2005年1月1日起施行。",
            ("青岛市", "city", "青岛市人民代表大会常务委员会", "2011-11-25", "2005-01-01"),
        ),
        (  # `会议于批准`; and a later line that writes only `县第十六届…` names no place (彭水)
            "彭水苗族土家族自治县城乡建设管理条例",
            "2011年5月10日 彭水苗族土家族自治县第十五届人民代表大会第八次会议通过\n"
            "2011年7月29日 重庆市第三届人民代表大会常务委员会第二十五次会议于批准  2012年11月30日县第十六届人民代表大会"
            "第二次会议修改",
            "本条例自2011年10月1日起施行。",
            ("彭水苗族土家族自治县", "county", "彭水苗族土家族自治县人民代表大会", "2011-07-29", "2011-10-01"),
        ),
        (
            "某某管理条例",
            "2010年3月1日中华人民共和国国务院令第570号公布",
            "本条例自公布之日起施行。",
            ("全国", "national", "国务院", "2010-03-01", "2010-03-01"),
        ),
        (
            "中华人民共和国某某法",
            "2015年8月29日第十二届全国人民代表大会常务委员会第十六次会议通过\n中华人民共和国主席令第三十一号",
            "本法自2016年1月1日起施行。",
            ("全国", "national", "全国人民代表大会常务委员会", "2015-08-29", "2016-01-01"),
        ),
    ],
)
def test_law_heads(title: str, lines: str, last: str, want: tuple) -> None:
    meta = _derive(LAW_HEAD.format(title=title, lines=lines, last=last))
    assert (meta.jurisdiction, meta.level, meta.issuer, meta.issue_date, meta.effective_date) == want


def test_order_numbers_drop_the_country_prefix() -> None:
    meta = _derive(
        LAW_HEAD.format(
            title="某某条例",
            lines="2017年7月16日中华人民共和国国务院令第682号发布",
            last="本条例自2017年10月1日起施行。",
        )
    )
    assert meta.doc_number == "国务院令第682号"
    meta = _derive(
        LAW_HEAD.format(
            title="中华人民共和国某法",
            lines="2018年10月26日中华人民共和国主席令第16号公布",
            last="本法自公布之日起施行。",
        )
    )
    assert meta.doc_number == "主席令第16号" and meta.effective_date == "2018-10-26"


def test_a_law_without_a_施行_article_says_so() -> None:
    meta = _derive(
        "某某条例\n2017年1月1日某省第十二届人民代表大会常务委员会第五次会议通过\n第一条 为了环境，制定本条例。"
    )
    assert meta.effective_date is None
    assert any(w.startswith("effective_date not stated") for w in meta.warnings)


def test_sidecar_accepts_the_new_fields(tmp_path: Path) -> None:
    meta = Metadata()
    apply_sidecar(
        meta,
        _sidecar(
            tmp_path,
            {
                "level": "national",
                "jurisdiction": "全国",
                "effective_date": "2020-01-01",
                "history": [{"date": "2019-12-01", "event": "通过"}],
            },
        ),
    )
    assert (meta.level, meta.jurisdiction, meta.effective_date) == ("national", "全国", "2020-01-01")
    assert meta.history == [{"date": "2019-12-01", "event": "通过"}]
    with pytest.raises(ValueError, match="effective_date"):
        apply_sidecar(Metadata(), _sidecar(tmp_path, {"effective_date": "2020/1/1"}))
    with pytest.raises(ValueError, match="history"):
        apply_sidecar(Metadata(), _sidecar(tmp_path, {"history": ["2019"]}))


def test_sidecar_jurisdiction_全国_sets_national() -> None:
    from policy_kb import places

    assert places.lookup("全国").level == "national"


def test_build_prints_one_line_of_missing_fields_per_document(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "jiexiu-2023-43m-oven-closure.txt", corpus / "jiexiu.txt")
    lines: list[str] = []
    build(corpus, tmp_path / "idx", progress=lines.append)
    missing = [ln for ln in lines if "not in the text" in ln]
    assert missing == ["jiexiu.txt: not in the text: doc_number, issue_date (a .meta.json sidecar can add them)"]


def test_laws_are_stored_with_effective_date_and_history(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "law.md").write_text(
        LAW_HEAD.format(
            title="中华人民共和国某某法",
            lines="2015年8月29日第十二届全国人民代表大会常务委员会第十六次会议通过",
            last="本法自2016年1月1日起施行。",
        ),
        encoding="utf-8",
    )
    build(corpus, tmp_path / "idx", progress=lambda m: None)
    store = Store(tmp_path / "idx")
    try:
        for doc in (store.documents()[0], store.find_document("law")):
            assert (doc.jurisdiction, doc.level, doc.effective_date) == ("全国", "national", "2016-01-01")
            assert [h["event"] for h in doc.history] == ["通过"]
    finally:
        store.close()
