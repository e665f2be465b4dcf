"""Shanxi gazetteer: place names, their level and parent, so a county document can be filed under its city and
province and a city filter can include the provincial rules that apply to it.

Places outside Shanxi are still recognised by their suffix (省/自治区 → province, 市/州/盟 → city, 县/区/旗 → county)
but have no known parent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PROVINCE = "山西省"

# prefecture-level city → its counties, county-level cities and districts
_SHANXI: dict[str, list[str]] = {
    "太原市": "小店区 迎泽区 杏花岭区 尖草坪区 万柏林区 晋源区 古交市 清徐县 阳曲县 娄烦县".split(),
    "大同市": "平城区 云冈区 新荣区 云州区 阳高县 天镇县 广灵县 灵丘县 浑源县 左云县".split(),
    "朔州市": "朔城区 平鲁区 山阴县 应县 右玉县 怀仁市".split(),
    "忻州市": "忻府区 原平市 定襄县 五台县 代县 繁峙县 宁武县 静乐县 神池县 五寨县 岢岚县 河曲县 保德县 偏关县".split(),
    "阳泉市": "平定县 盂县".split(),
    "吕梁市": "离石区 孝义市 汾阳市 文水县 交城县 兴县 临县 柳林县 石楼县 岚县 方山县 中阳县 交口县".split(),
    "晋中市": "榆次区 太谷区 介休市 榆社县 左权县 和顺县 昔阳县 寿阳县 祁县 平遥县 灵石县".split(),
    "长治市": "潞州区 上党区 屯留区 潞城区 襄垣县 平顺县 黎城县 壶关县 长子县 武乡县 沁县 沁源县".split(),
    "晋城市": "沁水县 阳城县 陵川县 泽州县 高平市".split(),
    "临汾市": "尧都区 侯马市 霍州市 曲沃县 翼城县 襄汾县 洪洞县 古县 安泽县 浮山县 吉县 乡宁县 大宁县 隰县 永和县 蒲县 汾西县".split(),
    "运城市": "盐湖区 永济市 河津市 临猗县 万荣县 闻喜县 稷山县 新绛县 绛县 垣曲县 夏县 平陆县 芮城县".split(),
}

# Common misspellings users type (same sound, wrong character) → the real name.
TYPOS = {"忻洲": "忻州", "介修": "介休", "介体": "介休", "晋中市介休": "介休", "吕良": "吕梁", "临纷": "临汾", "太圆": "太原",
         "长冶": "长治", "运成": "运城", "阳全": "阳泉", "朔洲": "朔州", "大通": "大同"}


# Romanised names for English questions.
PINYIN = {"shanxi": "山西", "jiexiu": "介休", "xinzhou": "忻州", "taiyuan": "太原", "linfen": "临汾", "lvliang": "吕梁",
          "luliang": "吕梁", "jinzhong": "晋中", "changzhi": "长治", "jincheng": "晋城", "yuncheng": "运城",
          "yangquan": "阳泉", "datong": "大同", "shuozhou": "朔州", "xiaoyi": "孝义", "yuanping": "原平", "kelan": "岢岚"}


@dataclass(frozen=True)
class Place:
    name: str  # full name with suffix, e.g. 介休市
    level: str  # province | city | county
    parent: str | None

    @property
    def short(self) -> str:
        return short_name(self.name)


def short_name(name: str) -> str:
    """介休市 → 介休, 山西省 → 山西; single-character stems (应县, 盂县) keep their suffix."""
    stem = re.sub(r"(省|自治区|市|县|区|旗)$", "", name)
    return stem if len(stem) >= 2 else name


def _build() -> dict[str, Place]:
    places = {PROVINCE: Place(PROVINCE, "province", None)}
    for city, counties in _SHANXI.items():
        places[city] = Place(city, "city", PROVINCE)
        for county in counties:
            places[county] = Place(county, "county", city)
    return places


PLACES: dict[str, Place] = _build()
_BY_SHORT: dict[str, Place] = {p.short: p for p in PLACES.values()}


OTHER_PROVINCES = {"北京": "北京市", "天津": "天津市", "上海": "上海市", "重庆": "重庆市", "河北": "河北省", "内蒙古": "内蒙古自治区",
                   "辽宁": "辽宁省", "吉林": "吉林省", "黑龙江": "黑龙江省", "江苏": "江苏省", "浙江": "浙江省", "安徽": "安徽省",
                   "福建": "福建省", "江西": "江西省", "山东": "山东省", "河南": "河南省", "湖北": "湖北省", "湖南": "湖南省",
                   "广东": "广东省", "广西": "广西壮族自治区", "海南": "海南省", "四川": "四川省", "贵州": "贵州省", "云南": "云南省",
                   "西藏": "西藏自治区", "陕西": "陕西省", "甘肃": "甘肃省", "青海": "青海省", "宁夏": "宁夏回族自治区",
                   "新疆": "新疆维吾尔自治区"}
PINYIN.update({"beijing": "北京", "tianjin": "天津", "shanghai": "上海", "chongqing": "重庆", "hebei": "河北",
               "inner mongolia": "内蒙古", "neimenggu": "内蒙古", "liaoning": "辽宁", "jilin": "吉林", "heilongjiang": "黑龙江",
               "jiangsu": "江苏", "zhejiang": "浙江", "anhui": "安徽", "fujian": "福建", "jiangxi": "江西", "shandong": "山东",
               "henan": "河南", "hubei": "湖北", "hunan": "湖南", "guangdong": "广东", "guangxi": "广西", "hainan": "海南",
               "sichuan": "四川", "guizhou": "贵州", "yunnan": "云南", "tibet": "西藏", "shaanxi": "陕西", "gansu": "甘肃",
               "qinghai": "青海", "ningxia": "宁夏", "xinjiang": "新疆"})


def lookup(name: str | None) -> Place | None:
    """Resolve a full name, a short name (介休, 忻州, 山西, 全省), a romanised name (Jiexiu) or a common typo."""
    if not name:
        return None
    name = name.strip()
    name = PINYIN.get(name.lower(), name)
    if name in ("全省", "省级", "山西"):
        return PLACES[PROVINCE]
    for typo, fix in TYPOS.items():
        name = name.replace(typo, fix)
    if name in PLACES:
        return PLACES[name]
    if name in _BY_SHORT:
        return _BY_SHORT[name]
    m = re.fullmatch(r"(.{2,6}?)(省|自治区|市|州|盟|县|区|旗)", name)
    if m:
        level = {"省": "province", "自治区": "province", "市": "city", "州": "city", "盟": "city"}.get(m.group(2), "county")
        return Place(name, level, None)
    return None


def ancestors(name: str) -> list[str]:
    """The place and everything above it, most specific first: 介休市 → [介休市, 晋中市, 山西省]."""
    out: list[str] = []
    place = lookup(name)
    while place is not None and place.name not in out:
        out.append(place.name)
        place = PLACES.get(place.parent) if place.parent else None
    return out


# Longest names first so 介休市 wins over 介休.
_NAMES = sorted({*PLACES, *_BY_SHORT}, key=len, reverse=True)
_NAME_RE = re.compile("|".join(re.escape(n) for n in _NAMES if len(n) >= 2))


def find_places(text: str) -> list[Place]:
    """Known Shanxi places mentioned in text (typos tolerated), most specific first, without duplicates."""
    for typo, fix in TYPOS.items():
        text = text.replace(typo, fix)
    seen: dict[str, Place] = {}
    for m in _NAME_RE.finditer(text):
        place = lookup(m.group(0))
        if place and place.name not in seen:
            seen[place.name] = place
    rank = {"county": 0, "city": 1, "province": 2}
    return sorted(seen.values(), key=lambda p: rank[p.level])
