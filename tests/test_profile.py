"""My obligations: profiles read strictly, applicability extracted with each obligation, a profile matched against
the seeds and real laws, and the checklist as JSON, CSV and an iCalendar file a calendar library reads."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT

from policy_kb.extract.applicability import applicability
from policy_kb.extract.obligations import extract_document
from policy_kb.ingest.document import process_file
from policy_kb.profile.match import Group, checklist, expired_plans
from policy_kb.profile.model import ProfileError, load_profile, profile_from_dict
from policy_kb.profile.outputs import render_checklist
from policy_kb.records import Departments

REAL_DEV = ROOT.parent / "shared" / "real-dev"
AS_OF = date(2026, 12, 6)
JIEXIU = {
    "name": "介休示例焦化",
    "place": "介休市",
    "industry": ["焦化"],
    "facilities": [{"type": "焦炉", "count": 2, "attributes": {"炭化室高度": "4.3米", "运行年限": "12年"}}],
}
YUANPING = {
    "name": "原平示例焦化",
    "place": "原平市",
    "industry": ["焦化"],
    "facilities": [{"type": "焦炉", "count": 1, "attributes": {"炭化室高度": "6米"}}],
}


def _obligations(paths: list[Path]) -> tuple[list, frozenset[str]]:
    """The obligations of these documents and which of them are plans whose period is over (as `check` sees it)."""
    docs = [process_file(path, path.stem)[0] for path in paths]
    return [o for d in docs for o in extract_document(d)], expired_plans(docs, AS_OF)


@pytest.fixture(scope="module")
def seeds() -> tuple[list, frozenset[str]]:
    return _obligations(sorted(CORPUS.glob("*.txt")))


@pytest.fixture(scope="module")
def seed_obligations(seeds) -> list:
    return seeds[0]


def _checklist(profile: dict, seeds: tuple[list, frozenset[str]]) -> list:
    return checklist(profile_from_dict(profile), seeds[0], AS_OF, seeds[1])


# ---- profiles -----------------------------------------------------------------------------------------------
def test_profile_values_are_read_as_people_write_them() -> None:
    p = profile_from_dict(
        {
            **JIEXIU,
            "place": "介休",
            "facilities": [
                {
                    "type": "焦炉",
                    "count": 2,
                    "attributes": {"炭化室高度": "4.3米", "运行寿命": "12年", "产能": "60万吨/年"},
                }
            ],
        }
    )
    assert p.place == "介休市" and p.places == ["介休市", "晋中市", "山西省", "全国"]
    attrs = p.facilities[0].attributes
    assert (attrs["炭化室高度"].value, attrs["炭化室高度"].unit) == (4.3, "米")
    assert (attrs["运行年限"].value, attrs["运行年限"].unit) == (12, "年")  # 运行寿命 is the same attribute
    assert attrs["产能"].unit == "万吨/年"
    kept = profile_from_dict({**JIEXIU, "facilities": [{"type": "焦炉", "attributes": {"熄焦方式": "干法熄焦"}}]})
    assert kept.facilities[0].details == {"熄焦方式": "干法熄焦"}  # not measured: kept as written, never compared
    # in Chinese numerals, as the laws write them: a boiler's 额定蒸发量 is its 容量
    boiler = profile_from_dict(
        {
            **JIEXIU,
            "facilities": [{"type": "燃煤锅炉", "attributes": {"额定蒸发量": "三十五蒸吨/小时", "运行年限": "十二年"}}],
        }
    )
    attrs = boiler.facilities[0].attributes
    assert (attrs["容量"].value, attrs["容量"].unit, attrs["运行年限"].value) == (35, "蒸吨/小时", 12)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"place": "火星"}, "place"),
        ({"place": "火星市"}, "place"),  # a name with a suffix, but no known place above it
        ({"place": 3}, "place"),
        ({"name": ""}, "name"),
        ({"industry": []}, "industry"),
        ({"industry": [""]}, "industry"),
        (
            {"facilities": [{"type": "焦炉", "attributes": {"炭化室高度": "很高"}}]},
            "facilities[0].attributes.炭化室高度",
        ),
        ({"facilities": [{"type": "焦炉", "attributes": {"运行寿命": "很久"}}]}, "facilities[0].attributes.运行寿命"),
        ({"facilities": [{"type": " "}]}, "facilities[0].type"),
        ({"facilities": [{"type": "焦炉", "count": 0}]}, "facilities[0].count"),
    ],
)
def test_a_bad_profile_names_the_field(change: dict, field: str) -> None:
    with pytest.raises(ProfileError) as e:
        profile_from_dict({**JIEXIU, **change})
    assert str(e.value).startswith(field + ":"), str(e.value)


def test_a_profile_file_that_is_not_json_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "plant.json"
    bad.write_text("{name: 1", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"plant\.json: not a UTF-8 JSON file"):
        load_profile(bad)
    with pytest.raises(ProfileError, match="no such file"):
        load_profile(tmp_path / "missing.json")


# ---- applicability ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sentence, conditions",
    [
        (
            "全面启动炭化室高度4.3米及以下且运行寿命超过10年的机焦炉淘汰工作。",
            [("炭化室高度", "<=", 4.3), ("运行年限", ">", 10)],
        ),
        (
            "2023年10月31日前，全面关停退出介休市昌盛煤气化有限公司60万吨/年炭化室高度4.3米焦炉；",
            [("炭化室高度", "=", 4.3)],
        ),
        ("企业要在2023年5月10日前，制定4.3米焦炉停产/拆除工作方案", [("炭化室高度", "=", 4.3)]),
        ("2019年全省淘汰焦化产能1000万吨以上。", []),  # the province's target, not a condition
        ("排放工业废水的企业应当采取有效措施，收集和处理产生的全部废水", []),  # d01
        # a boiler's size is its 容量 though the sentence does not say so (d09, l44, sx-2019-39)
        ("县级以上人民政府应当淘汰、拆除每小时三十五蒸吨以下燃煤锅炉。", [("容量", "<=", 35)]),
        ("使用二十蒸吨/小时以上燃煤锅炉的企业应当安装自动监测设备。", [("容量", ">=", 20)]),
        # a facility to be built is sized, not the company's own: the ban binds every company (d09 第三十条)
        ("在省辖市城市建成区内，禁止新建每小时二十蒸吨以下的燃煤锅炉。", []),
        # one alternative of several does not decide alone (sx-2019-39 三/（二）/11, sx-2019-66)
        ("全省在用65蒸吨及以上燃煤锅炉以及位于市县建成区的燃煤供热锅炉、生物质锅炉全部完成超低排放改造。", []),
        ("优先压减限制类焦炉产能(炭化室高度4.3米机焦炉、热回收焦炉);", []),
    ],
)
def test_conditions_on_facilities(sentence: str, conditions: list) -> None:
    from policy_kb.extract.quantities import find_thresholds

    app = applicability(sentence, None, Departments(), find_thresholds(sentence))
    assert [(c.attribute, c.comparator, c.value) for c in app.conditions] == conditions


def test_applicability_is_stored_with_each_obligation(seed_obligations: list) -> None:
    assert all(o.applicability is not None for o in seed_obligations)
    assert all(
        set(o.to_dict()["applicability"]) == {"binds", "industries", "facilities", "conditions", "features"}
        for o in seed_obligations
    )
    closure = next(o for o in seed_obligations if o.text.startswith("2023年10月31日前，全面关停退出"))
    assert closure.applicability.binds == "enterprise" and "焦炉" in closure.applicability.facilities
    # the features were computed where the clause's headings and the document were at hand, and survive a round trip
    assert {"section_tasks", "level_county"} <= set(closure.applicability.features)
    again = type(closure).from_dict(json.loads(json.dumps(closure.to_dict(), ensure_ascii=False)))
    assert again.applicability == closure.applicability


# ---- matching -----------------------------------------------------------------------------------------------
def _by_text(items, start: str):
    return [i for i in items if i.obligation.text.startswith(start)]


def test_jiexiu_plant_with_43m_ovens(seeds) -> None:
    items = _checklist(JIEXIU, seeds)
    closure = _by_text(items, "2023年10月31日前，全面关停退出")
    assert len(closure) == 1 and closure[0].due == "2023-10-31" and closure[0].group is Group.OVERDUE
    assert closure[0].due_status == "已过期 1132 天"
    assert any("炭化室高度 = 4.3米：焦炉 4.3米" in r for r in closure[0].applies_because)
    assert {i.obligation.jurisdiction for i in items} <= {"介休市", "晋中市", "山西省", "全国"}
    assert "山西省" in {i.obligation.jurisdiction for i in items}
    # the province's elimination of ovens ≤ 4.3 m running more than 10 years: both conditions met
    eliminate = _by_text(items, "全面启动炭化室高度4.3米及以下")
    assert eliminate and not eliminate[0].to_confirm
    assert not any(i.obligation.doc_id == "sx-2006-coking-11th-plan" for i in items)  # a plan for 2006–2010
    # an encouragement or a permission binds nobody (`属于产业政策鼓励类的企业,限产20%` is a duty, read as encouraged)
    assert not any(i.obligation.text.startswith(("鼓励", "支持")) or i.obligation.modality == "may" for i in items)


def test_yuanping_plant_with_a_6m_oven(seeds) -> None:
    items = _checklist(YUANPING, seeds)
    places = {i.obligation.jurisdiction for i in items}
    assert "忻州市" in places and "山西省" in places and "介休市" not in places
    assert not any(
        "4.3" in str(c.value)
        for i in items
        for c in i.obligation.applicability.conditions
        if c.attribute == "炭化室高度" and c.comparator in ("=", "<=")
    ), "a 4.3 m closure for a 6 m oven"
    assert not _by_text(items, "全面启动炭化室高度4.3米及以下")


def test_an_undecided_condition_is_listed_to_confirm(seed_obligations: list) -> None:
    no_age = {
        **JIEXIU,
        "place": "太原市",
        "facilities": [{"type": "焦炉", "count": 1, "attributes": {"炭化室高度": "4.3米"}}],
    }
    items = checklist(profile_from_dict(no_age), seed_obligations, AS_OF)
    eliminate = _by_text(items, "全面启动炭化室高度4.3米及以下")
    assert eliminate and eliminate[0].group is Group.TO_CONFIRM
    assert any(c.startswith("运行年限 > 10年") for c in eliminate[0].to_confirm)
    assert next(iter(dict.fromkeys(i.group for i in items))) is Group.TO_CONFIRM  # what needs a decision comes first


def test_another_industry_gets_no_coking_rules(seed_obligations: list) -> None:
    cement = {"name": "水泥厂", "place": "介休市", "industry": ["水泥"], "facilities": []}
    items = checklist(profile_from_dict(cement), seed_obligations, AS_OF)
    industries = [i.obligation.applicability.industries for i in items]
    assert items and all(not named or "水泥" in named for named in industries), industries  # none for coking only


def test_a_plant_named_by_a_word_of_an_industry_is_in_that_industry(seeds) -> None:
    """A 兰炭 (semi-coke) plant is a 焦化 plant for the rules: the documents' vocabulary counts 兰炭 among 焦化's words
    (data/applicability.json), so the company's own word is read the same way; a 化工 plant is not in 石化."""
    from policy_kb.profile.match import industry_names

    assert industry_names(("兰炭",)) == ("兰炭", "焦化")
    assert "石化" not in industry_names(("化工",))
    semicoke = {**JIEXIU, "industry": ["兰炭"]}
    coking = {o.obligation.id for o in _checklist(JIEXIU, seeds)}
    assert {o.obligation.id for o in _checklist(semicoke, seeds)} == coking


@pytest.mark.skipif(not REAL_DEV.is_dir(), reason="../shared/real-dev is missing")
def test_henan_plant_gets_national_and_henan_rules_only() -> None:
    docs = [
        REAL_DEV / f
        for f in (
            "d01_water_pollution_law.md",
            "d09_henan_air_regulation.md",
            "d11_shandong_safety_regulation.md",
            "d12_beijing_safety_regulation.md",
        )
    ]
    obligations, expired = _obligations(docs + sorted(CORPUS.glob("*.txt")))
    henan = {
        "name": "安阳焦化",
        "place": "安阳市",
        "industry": ["焦化"],
        "facilities": [{"type": "焦炉", "count": 2, "attributes": {"炭化室高度": "6米"}}],
    }
    items = checklist(profile_from_dict(henan), obligations, AS_OF, expired)
    places = {i.obligation.jurisdiction for i in items}
    assert places == {"全国", "河南省"}, places
    assert not any(i.obligation.doc_id.startswith(("d11", "d12", "sx-", "jiexiu", "xinzhou")) for i in items)
    assert any("焦" in i.obligation.text for i in items if i.obligation.jurisdiction == "河南省")


# ---- outputs ------------------------------------------------------------------------------------------------
def test_ics_imports_into_a_calendar_library(seed_obligations: list) -> None:
    icalendar = pytest.importorskip("icalendar")
    profile = profile_from_dict(JIEXIU)
    items = checklist(profile, seed_obligations, AS_OF)
    text = render_checklist(profile, items, "ics", AS_OF)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))  # folded as RFC 5545 requires
    cal = icalendar.Calendar.from_ical(text)
    events = list(cal.walk("VEVENT"))
    dated = [i for i in items if i.due]
    assert len([e for e in events if not e.get("RRULE")]) == len(dated)
    closure = next(e for e in events if str(e["SUMMARY"]).startswith("2023年10月31日前，全面关停退出"))
    assert closure.decoded("DTSTART") == date(2023, 10, 31)
    assert "出处：jiexiu-2023-43m-oven-closure 二、（一）" in str(closure["DESCRIPTION"])
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_json_and_csv_carry_why_and_what_to_confirm(seed_obligations: list) -> None:
    profile = profile_from_dict({**JIEXIU, "place": "太原市"})
    items = checklist(profile, seed_obligations, AS_OF)
    data = json.loads(render_checklist(profile, items, "json", AS_OF))
    assert data["place"] == "太原市" and len(data["items"]) == len(items)
    first = data["items"][0]
    assert {"applies_because", "to_confirm", "group", "due_status", "clause_id", "text"} <= set(first)
    rows = list(csv.DictReader(io.StringIO(render_checklist(profile, items, "csv", AS_OF).lstrip("\ufeff"))))
    assert [r["id"] for r in rows] == [i.obligation.id for i in items]


def test_cli_profile_check(tmp_path: Path, seed_index: Path) -> None:
    profile = tmp_path / "plant.json"
    profile.write_text(json.dumps(JIEXIU, ensure_ascii=False), encoding="utf-8")
    run = [
        sys.executable,
        "-m",
        "policy_kb.cli",
        "profile",
        "check",
        str(profile),
        "--index",
        str(seed_index),
        "--as-of",
        "2026-12-06",
    ]
    out = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    items = json.loads(out.stdout)["items"]
    assert any(
        i["text"].startswith("2023年10月31日前，全面关停退出") and i["due_status"] == "已过期 1132 天" for i in items
    )
    profile.write_text(json.dumps({**JIEXIU, "place": "火星"}, ensure_ascii=False), encoding="utf-8")
    bad = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "place: unknown place '火星'" in bad.stderr


def test_the_build_encodes_every_obligation_sentence_for_checklists(real_kb: Path) -> None:
    """A knowledge base built with the binding classifier's own sentence model holds every obligation's vector in
    its embedding cache, and a checklist read through it equals one whose vectors are encoded afresh."""
    from policy_kb.extract.binding import default_model
    from policy_kb.profile.match import check
    from policy_kb.store import Store
    from policy_kb.store.embedding_cache import CACHE_FILE, EmbeddingCache, text_key

    term = default_model().sentence
    assert term is not None, "the shipped binding model has a sentence term"
    store = Store(real_kb)
    try:
        obligations = store.obligations()
        keys = {text_key(o.text) for o in obligations}
        cache = EmbeddingCache(real_kb / CACHE_FILE)
        assert len(cache.get_many(term.model, sorted(keys))) == len(keys)
        cache.close()
        profile = profile_from_dict(JIEXIU)
        cached = [i.obligation.id for i in check(store, profile, AS_OF)]
        fresh = [
            i.obligation.id for i in checklist(profile, obligations, AS_OF, expired_plans(store.documents(), AS_OF))
        ]
        assert cached == fresh and any(i.startswith("jiexiu") for i in cached)
    finally:
        store.close()


def test_the_build_encodes_only_the_documents_it_changed(seed_index: Path, tmp_path: Path, monkeypatch) -> None:
    """Sentence vectors are warmed for added or updated documents, and only when the knowledge base embeds with the
    binding model's sentence model."""
    import shutil

    import numpy as np

    from policy_kb import pipeline
    from policy_kb.build import BuildReport
    from policy_kb.extract import binding
    from policy_kb.progress import Phases
    from policy_kb.store import Store
    from policy_kb.store.embedding_cache import CACHE_FILE, EmbeddingCache, text_key

    index = tmp_path / "kb"
    shutil.copytree(seed_index, index)
    (index / CACHE_FILE).unlink(missing_ok=True)
    term = binding.SentenceTerm("fake", np.zeros(384, dtype=np.float32), np.zeros(384, dtype=np.float32))
    monkeypatch.setattr(binding, "default_model", lambda: binding.BindingModel({}, 0.0, 0.5, {}, None, term))
    store = Store(index)
    try:
        jiexiu = "jiexiu-2023-43m-oven-closure"
        pipeline._warm_sentence_vectors(store, "e5-other", BuildReport(added=[jiexiu]), Phases(lambda m: None))
        assert not (index / CACHE_FILE).exists()  # another model: nothing encoded
        pipeline._warm_sentence_vectors(store, "fake", BuildReport(added=[jiexiu]), Phases(lambda m: None))
        mine = {text_key(o.text) for o in store.obligations(doc_id=jiexiu)}
        others = {text_key(o.text) for o in store.obligations()} - mine
        cache = EmbeddingCache(index / CACHE_FILE)
        assert len(cache.get_many("fake", sorted(mine))) == len(mine) > 10
        assert not cache.get_many("fake", sorted(others))
        cache.close()
    finally:
        store.close()


def test_sentence_vectors_without_a_usable_cache_are_encoded_for_the_call(tmp_path: Path) -> None:
    from policy_kb.embed.sentence_vectors import SentenceVectors

    (tmp_path / "embed_cache.sqlite").mkdir()  # not a database file: cannot be opened
    vectors = SentenceVectors("fake", tmp_path / "embed_cache.sqlite").of(["企业应当整改。"])
    assert vectors["企业应当整改。"].shape == (384,)


def test_a_checklist_refuses_vectors_of_another_model(seed_obligations: list) -> None:
    import numpy as np

    from policy_kb.embed.sentence_vectors import SentenceVectors
    from policy_kb.extract.binding import BindingModel, SentenceTerm

    term = SentenceTerm("e5", np.zeros(384, dtype=np.float32), np.zeros(384, dtype=np.float32))
    with pytest.raises(ValueError, match="sentence vectors of fake"):
        checklist(
            profile_from_dict(JIEXIU),
            seed_obligations,
            AS_OF,
            model=BindingModel({}, 0.0, 0.5, {}, None, term),
            vectors=SentenceVectors("fake"),
        )
