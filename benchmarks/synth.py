"""Synthetic corpus generator for the scale benchmarks: `python -m benchmarks.synth --clauses N --out DIR`.

Scales the five real documents of corpus/ into thousands of new ones without copying any of them: every document
is assembled from recombined, perturbed sentences of the real clauses, and re-labelled for a new context:

* **place** – any Shanxi province/city/county of `policy_kb.places` or a city/county of another coal and heavy
  industry province (河北, 河南, 山东, 陕西, 内蒙古, …); place names inside sentences are rewritten to fit
  (the document's own place, its cities or counties);
* **topic** – the coking vocabulary (焦化, 焦炉, 焦炭, 炼焦, 干熄焦, …) is mapped onto one of nine industries
  (钢铁, 煤炭, 水泥, 火电, 化工, 电解铝, 平板玻璃, 铸造, or 焦化 itself);
* **departments** – 省/市/县 prefixes follow the issuing level and department names are permuted per document;
* **numbers and dates** – quantities are rescaled, years move with the document's issue year (so deadlines stay
  after issue), months and days are redrawn, cited 文号 are renumbered;
* **structure** – numbered 公文 hierarchy 一、 → （一） → 1. → （1）, 红头 + 文号 + 关于印发…的通知 wrappers,
  signature and issue date, 抄送/印发 lines, 《…》（文号） citations, 工作职责 lists and department parentheticals
  such as （市工信局牵头，市生态环境局、市财政局配合，各县（市、区）人民政府落实）.

Deterministic: document i is generated from `Random(f"{seed}:{i}")` alone, so a 10k corpus is the first documents
of the 100k one with the same seed.  Documents are written until the planned clause count reaches N (the real
parser finds within a few per cent of the planned number; `benchmarks.scale` reports the measured ratio).
Outside Shanxi the gazetteer does not know the place, so those documents get a `.meta.json` sidecar with their
jurisdiction and level (the sidecar mechanism exists for exactly this).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from policy_kb import places
from policy_kb.extract.lexicon import DEPARTMENT_CORES

GENERATOR_VERSION = 3
ROOT = Path(__file__).resolve().parent.parent
SEED_CORPUS = ROOT / "corpus"

CN_NUM = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (enough for 公文 labels)."""
    if n <= 10:
        return CN_NUM[n - 1]
    if n < 20:
        return "十" + CN_NUM[n - 11]
    tens, ones = divmod(n, 10)
    return CN_NUM[tens - 1] + "十" + (CN_NUM[ones - 1] if ones else "")


# ---- places ---------------------------------------------------------------------------------------------------
# Other provinces (abbreviation for 文号) → city → counties.  Recognised by places.lookup through their suffix only.
OTHER_PROVINCES: dict[str, tuple[str, dict[str, list[str]]]] = {
    "河北省": (
        "冀",
        {
            "唐山市": ["迁安市", "遵化市", "滦州市", "丰润区"],
            "邯郸市": ["武安市", "涉县", "峰峰矿区"],
            "石家庄市": ["井陉县", "鹿泉区", "平山县"],
            "邢台市": ["沙河市", "内丘县"],
        },
    ),
    "河南省": (
        "豫",
        {
            "安阳市": ["林州市", "安阳县", "殷都区"],
            "平顶山市": ["舞钢市", "汝州市", "宝丰县"],
            "焦作市": ["孟州市", "沁阳市"],
        },
    ),
    "山东省": (
        "鲁",
        {
            "济宁市": ["兖州区", "邹城市"],
            "枣庄市": ["滕州市", "薛城区"],
            "淄博市": ["张店区", "临淄区"],
            "日照市": ["莒县", "五莲县"],
        },
    ),
    "陕西省": (
        "陕",
        {
            "渭南市": ["韩城市", "蒲城县", "富平县"],
            "榆林市": ["神木市", "府谷县", "横山区"],
            "铜川市": ["耀州区", "宜君县"],
        },
    ),
    "内蒙古自治区": (
        "内",
        {
            "乌海市": ["海勃湾区", "乌达区"],
            "鄂尔多斯市": ["准格尔旗", "达拉特旗", "伊金霍洛旗"],
            "包头市": ["石拐区", "固阳县"],
        },
    ),
    "宁夏回族自治区": ("宁", {"石嘴山市": ["平罗县", "大武口区"], "银川市": ["灵武市", "永宁县"]}),
    "江苏省": ("苏", {"徐州市": ["邳州市", "新沂市", "铜山区"], "常州市": ["溧阳市", "金坛区"]}),
    "安徽省": ("皖", {"淮北市": ["濉溪县", "杜集区"], "马鞍山市": ["当涂县", "含山县"]}),
    "辽宁省": ("辽", {"鞍山市": ["海城市", "台安县"], "本溪市": ["桓仁县", "南芬区"]}),
    "黑龙江省": ("黑", {"七台河市": ["勃利县", "新兴区"], "双鸭山市": ["集贤县", "宝清县"]}),
}
SHANXI_CITY_ABBR = {
    "太原市": "并",
    "大同市": "同",
    "朔州市": "朔",
    "忻州市": "忻",
    "阳泉市": "阳",
    "吕梁市": "吕",
    "晋中市": "市",
    "长治市": "长",
    "晋城市": "晋市",
    "临汾市": "临",
    "运城市": "运",
}


@dataclass(frozen=True)
class Jurisdiction:
    name: str
    level: str  # province | city | county
    province: str
    city: str | None
    shanxi: bool

    @property
    def short(self) -> str:
        return places.short_name(self.name)


def _all_jurisdictions() -> tuple[list[Jurisdiction], list[Jurisdiction], list[Jurisdiction]]:
    """(Shanxi cities, Shanxi counties, everything outside Shanxi) — the province itself is added by the caller."""
    cities, counties, other = [], [], []
    for p in places.PLACES.values():
        if p.level == "city":
            cities.append(Jurisdiction(p.name, "city", places.PROVINCE, p.name, True))
        elif p.level == "county":
            counties.append(Jurisdiction(p.name, "county", places.PROVINCE, p.parent, True))
    for prov, (_, cs) in OTHER_PROVINCES.items():
        other.append(Jurisdiction(prov, "province", prov, None, False))
        for city, cos in cs.items():
            other.append(Jurisdiction(city, "city", prov, city, False))
            other += [Jurisdiction(c, "county", prov, city, False) for c in cos]
    return cities, counties, other


SX_CITIES, SX_COUNTIES, OTHER = _all_jurisdictions()
SX_PROVINCE = Jurisdiction(places.PROVINCE, "province", places.PROVINCE, None, True)


def pick_jurisdiction(rng: random.Random) -> Jurisdiction:
    r = rng.random()
    if r < 0.08:
        return SX_PROVINCE
    if r < 0.33:
        return rng.choice(SX_CITIES)
    if r < 0.62:
        return rng.choice(SX_COUNTIES)
    return rng.choice(OTHER)


def cities_of(j: Jurisdiction) -> list[str]:
    if j.shanxi:
        return [c.name for c in SX_CITIES]
    return list(OTHER_PROVINCES[j.province][1])


def counties_of(j: Jurisdiction, city: str) -> list[str]:
    if j.shanxi:
        return [p.name for p in places.PLACES.values() if p.parent == city] or [city]
    return OTHER_PROVINCES[j.province][1].get(city, [city])


def doc_number_prefix(j: Jurisdiction) -> str:
    if j.shanxi:
        if j.level == "province":
            return "晋"
        if j.level == "city":
            return SHANXI_CITY_ABBR.get(j.name, j.short[0])
        return j.short[0] if len(j.short) >= 2 else j.name[0]
    abbr = OTHER_PROVINCES[j.province][0]
    return abbr if j.level == "province" else j.short[0]


# ---- topics ---------------------------------------------------------------------------------------------------
# Coking vocabulary of the seed corpus → another industry.  Longest keys are replaced first.
TOPICS: dict[str, dict[str, str]] = {
    "焦化": {},
    "钢铁": {
        "焦化": "钢铁",
        "焦炉煤气": "高炉煤气",
        "焦炉": "高炉",
        "焦炭": "粗钢",
        "炼焦煤": "铁矿石",
        "炼焦": "炼铁",
        "焦煤": "铁矿",
        "煤焦油": "钢渣",
        "化产": "副产品",
        "干熄焦": "干法除尘",
        "干法熄焦": "干法除尘",
        "大机焦": "大型高炉",
        "小机焦": "小高炉",
        "炭化室高度": "有效容积",
        "土焦": "土高炉",
        "改良焦": "地条钢",
    },
    "煤炭": {
        "焦化": "煤炭",
        "焦炉煤气": "煤层气",
        "焦炉": "矿井",
        "焦炭": "原煤",
        "炼焦煤": "动力煤",
        "炼焦": "采煤",
        "焦煤": "原煤",
        "煤焦油": "煤矸石",
        "化产": "洗选",
        "干熄焦": "智能化开采",
        "干法熄焦": "智能化开采",
        "大机焦": "大型矿井",
        "小机焦": "小煤矿",
        "炭化室高度": "设计产能",
        "土焦": "非法小煤窑",
        "改良焦": "小煤窑",
    },
    "水泥": {
        "焦化": "水泥",
        "焦炉煤气": "窑尾烟气",
        "焦炉": "熟料生产线",
        "焦炭": "熟料",
        "炼焦煤": "石灰石",
        "炼焦": "熟料煅烧",
        "焦煤": "石灰石",
        "煤焦油": "粉煤灰",
        "化产": "余热",
        "干熄焦": "余热发电",
        "干法熄焦": "余热发电",
        "大机焦": "新型干法窑",
        "小机焦": "立窑",
        "炭化室高度": "日产规模",
        "土焦": "土立窑",
        "改良焦": "湿法窑",
    },
    "火电": {
        "焦化": "火电",
        "焦炉煤气": "烟气",
        "焦炉": "燃煤机组",
        "焦炭": "发电量",
        "炼焦煤": "电煤",
        "炼焦": "燃煤发电",
        "焦煤": "电煤",
        "煤焦油": "脱硫石膏",
        "化产": "供热",
        "干熄焦": "超低排放",
        "干法熄焦": "超低排放",
        "大机焦": "大型机组",
        "小机焦": "小火电",
        "炭化室高度": "单机容量",
        "土焦": "自备电厂",
        "改良焦": "小热电",
    },
    "化工": {
        "焦化": "化工",
        "焦炉煤气": "合成气",
        "焦炉": "反应装置",
        "焦炭": "化工产品",
        "炼焦煤": "原料煤",
        "炼焦": "煤制甲醇",
        "焦煤": "原料煤",
        "煤焦油": "危险废物",
        "化产": "精细化工",
        "干熄焦": "密闭化改造",
        "干法熄焦": "密闭化改造",
        "大机焦": "大型装置",
        "小机焦": "小化工",
        "炭化室高度": "装置规模",
        "土焦": "小作坊",
        "改良焦": "间歇式装置",
    },
    "电解铝": {
        "焦化": "电解铝",
        "焦炉煤气": "电解烟气",
        "焦炉": "电解槽",
        "焦炭": "原铝",
        "炼焦煤": "氧化铝",
        "炼焦": "电解",
        "焦煤": "氧化铝",
        "煤焦油": "赤泥",
        "化产": "铝加工",
        "干熄焦": "烟气净化",
        "干法熄焦": "烟气净化",
        "大机焦": "大型预焙槽",
        "小机焦": "自焙槽",
        "炭化室高度": "槽型电流",
        "土焦": "小电解",
        "改良焦": "侧插槽",
    },
    "平板玻璃": {
        "焦化": "平板玻璃",
        "焦炉煤气": "熔窑烟气",
        "焦炉": "玻璃熔窑",
        "焦炭": "玻璃",
        "炼焦煤": "石英砂",
        "炼焦": "熔制",
        "焦煤": "纯碱",
        "煤焦油": "废玻璃",
        "化产": "深加工",
        "干熄焦": "余热利用",
        "干法熄焦": "余热利用",
        "大机焦": "浮法生产线",
        "小机焦": "平拉工艺",
        "炭化室高度": "日熔化量",
        "土焦": "小玻璃窑",
        "改良焦": "格法生产线",
    },
    "铸造": {
        "焦化": "铸造",
        "焦炉煤气": "熔炼烟气",
        "焦炉": "冲天炉",
        "焦炭": "铸件",
        "炼焦煤": "生铁",
        "炼焦": "熔炼",
        "焦煤": "废钢",
        "煤焦油": "废砂",
        "化产": "机加工",
        "干熄焦": "中频电炉",
        "干法熄焦": "中频电炉",
        "大机焦": "大型电炉",
        "小机焦": "小冲天炉",
        "炭化室高度": "熔化率",
        "土焦": "土法铸造",
        "改良焦": "小熔炉",
    },
}
TOPIC_WEIGHTS = {"焦化": 0.25, **{t: 0.75 / (len(TOPICS) - 1) for t in TOPICS if t != "焦化"}}
TOPIC_RE = {
    t: re.compile("|".join(re.escape(k) for k in sorted(m, key=len, reverse=True))) for t, m in TOPICS.items() if m
}

SYNONYMS = [
    ("加快", "加速"),
    ("进一步", "切实"),
    ("确保", "保证"),
    ("推进", "推动"),
    ("全面", "全力"),
    ("严格", "从严"),
    ("加强", "强化"),
    ("组织", "统筹"),
    ("积极", "主动"),
    ("督促", "指导"),
    ("有序", "稳步"),
    ("落实", "完成"),
]
SYN_MAP = {a: b for a, b in SYNONYMS} | {b: a for a, b in SYNONYMS}
SYN_RE = re.compile("|".join(sorted(SYN_MAP, key=len, reverse=True)))

DEPT_CORES_PROVINCE = [
    "工业和信息化厅",
    "生态环境厅",
    "发展改革委",
    "财政厅",
    "自然资源厅",
    "住房和城乡建设厅",
    "交通运输厅",
    "应急管理厅",
    "商务厅",
    "科技厅",
    "人力资源和社会保障厅",
    "市场监管局",
    "能源局",
    "统计局",
    "税务局",
    "公安厅",
    "水利厅",
    "农业农村厅",
    "国资委",
    "地方金融监管局",
    "工信厅",
    "人社厅",
    "应急厅",
]
DEPT_CORES_LOCAL = [
    "工业和信息化局",
    "生态环境局",
    "发展改革委",
    "财政局",
    "自然资源局",
    "住房和城乡建设局",
    "交通运输局",
    "应急管理局",
    "商务局",
    "科技局",
    "人力资源和社会保障局",
    "市场监管局",
    "能源局",
    "统计局",
    "税务局",
    "公安局",
    "水利局",
    "农业农村局",
    "国资委",
    "行政审批服务管理局",
    "工信局",
    "住建局",
    "人社局",
    "应急局",
    "信访局",
    "司法局",
    "审批局",
]
_ALL_CORES = sorted(
    set(
        DEPT_CORES_PROVINCE
        + DEPT_CORES_LOCAL
        + ["环保局", "环保厅", "生态环境部门", "工信部门"]
        + [c for c in DEPARTMENT_CORES if c not in ("政府", "人民政府") and not c.startswith("委")]
    ),
    key=len,
    reverse=True,
)
DEPT_RE = re.compile(r"([省市县])(" + "|".join(re.escape(c) for c in _ALL_CORES) + ")")

# place names of the seed corpus that sentences mention
_PLACE_NAMES = sorted(
    {*places.PLACES, *(places.short_name(n) for n in places.PLACES if len(places.short_name(n)) >= 2)},
    key=len,
    reverse=True,
)
PLACE_RE = re.compile("|".join(re.escape(n) for n in _PLACE_NAMES))
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=年|—|-|－|～|~)")
DOCNO_RE = re.compile(r"[\u4e00-\u9fff]{1,10}〔\d{4}〕\d{1,4}号")
NUM_RE = re.compile(r"(?<![\dA-Za-z.〔/ ])(\d+(?:\.\d+)?)(?![\d〕])(月|日|%|个|家|项|户|台|座|条|市|县)?")
DUP_RE = re.compile(r"([\u4e00-\u9fff]{2,5})、\1(?![\u4e00-\u9fff])")
TITLE_KINDS = ("行动方案", "工作方案", "实施方案", "实施意见", "行动计划", "实施细则", "工作要点")


# ---- the bank of real material ---------------------------------------------------------------------------------
@dataclass
class Unit:
    """A run of sentences from one real clause, with the year of its document (to move dates along)."""

    sentences: list[str]
    year: int


@dataclass
class Bank:
    headings: list[tuple[str, int]] = field(default_factory=list)  # (heading, source year)
    top_headings: list[str] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    duties: list[tuple[str, int]] = field(default_factory=list)  # 工作职责 bodies (`负责…`)
    preambles: list[tuple[str, int]] = field(default_factory=list)
    source_chars: int = 0


ROLE_PAREN_RE = re.compile(r"（[^（）]*(?:牵头|配合|落实|负责)[^（）]*）。?")


def _sentences(text: str) -> list[str]:
    """Sentences of a real clause, without its department parentheticals (documents get their own)."""
    text = ROLE_PAREN_RE.sub("", text.replace("\n", ""))
    parts = [p.strip() for p in re.split(r"(?<=[。；！？])", text)]
    return [p for p in parts if 6 <= len(p) <= 220 and "http" not in p and "此件" not in p]


def load_bank(corpus: Path = SEED_CORPUS) -> Bank:
    """Split the real documents into headings, sentence runs, duty items and preambles."""
    from policy_kb.ingest.document import process_file
    from policy_kb.ingest.loaders import is_document

    bank = Bank()
    for path in sorted(p for p in corpus.iterdir() if is_document(p)):
        doc, _, _ = process_file(path)
        year = int(doc.issue_date[:4]) if doc.issue_date else int(re.search(r"(19|20)\d{2}", path.name).group(0))
        bank.source_chars += len(doc.text)
        for c in doc.clauses:
            if c.warnings:  # mojibake: not text
                continue
            body = c.text
            if c.kind == "preamble" and body.startswith("为"):
                bank.preambles += [(s, year) for s in _sentences(body)[:2]]
                continue
            if c.kind != "body":
                continue
            if c.heading and body.startswith(c.heading):
                body = body[len(c.heading) :].lstrip("。.：:\n ")
            if c.heading and 2 <= len(c.heading) <= 40:
                if c.level == 1:
                    bank.top_headings.append(c.heading)
                elif not body.startswith("负责"):
                    bank.headings.append((c.heading, year))
            if body.startswith("负责"):
                bank.duties += [(s, year) for s in _sentences(body)]
                continue
            sents = _sentences(body)
            for i in range(0, len(sents), 4):
                bank.units.append(Unit(sents[i : i + 6], year))
    if not bank.units:
        raise SystemExit(f"no clauses found in {corpus}")
    return bank


# ---- one document -----------------------------------------------------------------------------------------------
class DocGen:
    """Everything that is decided once per document, and the rewriting of real sentences into its context."""

    def __init__(self, bank: Bank, index: int, seed: int):
        self.bank = bank
        self.rng = rng = random.Random(f"{seed}:{index}")
        self.index = index
        self.place = pick_jurisdiction(rng)
        self.topic = rng.choices(list(TOPIC_WEIGHTS), weights=list(TOPIC_WEIGHTS.values()))[0]
        self.year = rng.choices(range(2005, 2025), weights=[1 + (y - 2005) // 3 for y in range(2005, 2025)])[0]
        self.month, self.day = rng.randint(1, 12), rng.randint(1, 28)
        self.prefix = {"province": "省", "city": "市", "county": "县" if self.place.name.endswith("县") else "市"}[
            self.place.level
        ]
        cores = DEPT_CORES_PROVINCE if self.place.level == "province" else DEPT_CORES_LOCAL
        shuffled = cores[:]
        rng.shuffle(shuffled)
        self.dept_map = dict(zip(_ALL_CORES, (shuffled * 3)[: len(_ALL_CORES)]))
        self.cores = cores
        self.cities = cities_of(self.place)
        self.city = self.place.city or rng.choice(self.cities)
        self.counties = counties_of(self.place, self.city)
        self.place_map: dict[str, str] = {}
        self.docno_prefix = doc_number_prefix(self.place)

    # ---- rewriting -------------------------------------------------------------------------------------------
    def _place(self, m: re.Match[str]) -> str:
        name = m.group(0)
        if name not in self.place_map:
            found = places.lookup(name)
            level = found.level if found else "county"
            if level == "province":
                new = self.place.province if name.endswith("省") else places.short_name(self.place.province)
            elif level == "city":
                new = self.place.name if self.place.level == "city" else self.rng.choice(self.cities)
            else:
                new = self.place.name if self.place.level == "county" else self.rng.choice(self.counties)
            if not name.endswith(("省", "市", "县", "区")):  # a short name (忻州, 介休) stays short
                new = places.short_name(new)
            self.place_map[name] = new
        return self.place_map[name]

    def _number(self, m: re.Match[str]) -> str:
        value, unit = m.group(1), m.group(2) or ""
        rng = self.rng
        if unit == "月":
            return f"{rng.randint(1, 12)}月"
        if unit == "日":
            return f"{rng.randint(1, 28)}日"
        if "." in value:
            decimals = len(value.split(".")[1])
            new = float(value) * rng.uniform(0.6, 1.6)
            text = f"{new:.{decimals}f}"
        else:
            n = int(value)
            if n >= 1900 and n <= 2100:  # a year not followed by 年 (e.g. in a range): leave it
                return m.group(0)
            new_n = max(1, round(n * rng.uniform(0.5, 1.8)))
            text = str(new_n)
        if unit == "%":
            text = str(min(99, max(1, round(float(text)))))
        return text + unit

    def _docno(self, _: re.Match[str] | None = None) -> str:
        kind = self.rng.choice(["政办发", "政发", "政办函", "工信发", "环发"])
        return f"{self.docno_prefix}{kind}〔{self.rng.randint(max(2000, self.year - 6), self.year)}〕{self.rng.randint(1, 180)}号"

    def rewrite(self, text: str, src_year: int) -> str:
        rng = self.rng
        if self.topic in TOPIC_RE:
            table = TOPICS[self.topic]
            text = TOPIC_RE[self.topic].sub(lambda m: table[m.group(0)], text)
        text = DOCNO_RE.sub(self._docno, text)
        delta = self.year - src_year
        text = YEAR_RE.sub(lambda m: str(int(m.group(1)) + delta), text)
        text = NUM_RE.sub(
            lambda m: m.group(0) if len(m.group(1)) == 4 and m.group(1)[:2] in ("19", "20") else self._number(m), text
        )
        text = PLACE_RE.sub(self._place, text)
        text = DEPT_RE.sub(lambda m: self.prefix + self.dept_map.get(m.group(2), m.group(2)), text)
        text = SYN_RE.sub(lambda m: SYN_MAP[m.group(0)] if rng.random() < 0.3 else m.group(0), text)
        return DUP_RE.sub(r"\1", text)

    # ---- pieces ------------------------------------------------------------------------------------------------
    def dept(self) -> str:
        return self.prefix + self.rng.choice(self.cores)

    def lower_gov(self) -> str:
        return {"province": "各市人民政府", "city": "各县（市、区）人民政府", "county": "各乡镇人民政府"}[
            self.place.level
        ]

    def parenthetical(self) -> str:
        rng = self.rng
        if rng.random() < 0.6:
            lead, *co = rng.sample(self.cores, 3)
            out = f"（{self.prefix}{lead}牵头，{'、'.join(self.prefix + c for c in co)}配合"
            return out + (f"，{self.lower_gov()}落实）" if rng.random() < 0.6 else "）")
        names = "、".join(self.prefix + c for c in rng.sample(self.cores, rng.randint(2, 4)))
        return f"（{names}按职责分工负责）"

    def deadline(self) -> str:
        y = self.year + self.rng.choice([0, 0, 1, 1, 2, 3])
        return self.rng.choice(
            [
                f"{y}年底前",
                f"{y}年{self.rng.randint(1, 12)}月底前",
                f"{y}年{self.rng.randint(1, 12)}月{self.rng.randint(1, 28)}日前",
                f"{y}年{self.rng.randint(1, 12)}月起",
            ]
        )

    def heading(self) -> str:
        h, year = self.rng.choice(self.bank.headings)
        return self.rewrite(h, year).rstrip("。；")

    def body(self, sentences: tuple[int, int] = (1, 3)) -> str:
        """1–3 rewritten sentences: a run from one real clause, sometimes joined by one from another, sometimes
        reordered, sometimes opened by a deadline."""
        rng = self.rng
        unit = rng.choice(self.bank.units)
        n = rng.randint(*sentences)
        start = rng.randint(0, max(0, len(unit.sentences) - n))
        parts = [(s, unit.year) for s in unit.sentences[start : start + n]]
        if rng.random() < 0.5:
            other = rng.choice(self.bank.units)
            parts.insert(rng.randint(0, len(parts)), (rng.choice(other.sentences), other.year))
        if rng.random() < 0.2:
            rng.shuffle(parts)
        text = "".join(self.rewrite(s, y) for s, y in parts)
        if rng.random() < 0.2:
            text = f"{self.deadline()}，{text}"
        if not text.endswith(("。", "；", "！", "？")):
            text += "。"
        return text

    def duty(self) -> str:
        s, year = self.rng.choice(self.bank.duties)
        return self.rewrite(s, year)

    # ---- the document ----------------------------------------------------------------------------------------
    def title(self) -> str:
        rng = self.rng
        t = self.topic
        plan = {2006: "“十一五”", 2011: "“十二五”", 2016: "“十三五”", 2021: "“十四五”"}
        period = (
            next(v for k, v in sorted(plan.items(), reverse=True) if self.year >= k)
            if self.year >= 2006
            else "“十一五”"
        )
        options = [
            f"{self.place.name}{t}行业压减过剩产能{rng.choice(TITLE_KINDS)}",
            f"{self.place.name}关于推动{t}行业高质量发展的意见",
            f"{self.place.name}{t}行业深度治理{rng.choice(TITLE_KINDS)}",
            f"{self.place.name}{t}产业{period}发展规划",
            f"{self.place.name}打赢蓝天保卫战{self.year}年行动计划",
            f"{self.place.name}{t}行业淘汰落后产能{rng.choice(TITLE_KINDS)}",
            f"{self.place.name}{t}企业安全生产专项整治{rng.choice(TITLE_KINDS)}",
            f"{self.place.name}{self.year}年{t}行业污染防治工作要点",
        ]
        return rng.choice(options)

    def issuer(self) -> str:
        if self.place.level == "province":
            return self.place.name + self.rng.choice(["人民政府办公厅", "人民政府"])
        return self.place.name + self.rng.choice(["人民政府办公室", "人民政府"])

    def preamble(self, title: str) -> str:
        rng = self.rng
        if self.bank.preambles and rng.random() < 0.5:
            s, year = rng.choice(self.bank.preambles)
            return self.rewrite(s, year)
        higher = {"province": "党中央、国务院", "city": "省委、省政府", "county": "省委、省政府和市委、市政府"}[
            self.place.level
        ]
        cited = (
            f"{places.short_name(self.place.province)}{self.topic}行业{rng.choice(['高质量发展', '转型升级', '污染防治'])}"
            f"{rng.choice(TITLE_KINDS)}"
        )
        self_name = {
            "province": "我省",
            "city": "我市",
            "county": "我县" if self.place.name.endswith("县") else "我市",
        }[self.place.level]
        return (
            f"为深入贯彻落实{higher}关于{self.topic}行业{rng.choice(['压减过剩产能', '高质量发展', '污染防治攻坚'])}的决策部署，"
            f"根据《{cited}》（{self._docno()}）要求，结合{self_name}实际，制定本{title[-2:] if title.endswith(('方案', '意见', '规划', '计划', '细则', '要点')) else '方案'}。"
        )

    def date_cn(self) -> str:
        return f"{self.year}年{self.month}月{self.day}日"

    def generate(self) -> tuple[str, int, dict]:
        """(text, planned clause count, sidecar metadata or {})."""
        rng = self.rng
        title = self.title()
        issuer = self.issuer()
        lines: list[str] = []
        planned = 0
        wrapped = rng.random() < 0.6
        if wrapped:
            lines += [
                f"{issuer}文件",
                f"{self.docno_prefix}{rng.choice(['政办发', '政发'])}〔{self.year}〕{rng.randint(1, 160)}号",
                "",
                f"{issuer}关于印发{title}的通知",
                "",
            ]
            addressees = {
                "province": "各市、县人民政府，省人民政府各委、办、厅、局：",
                "city": "各县（市、区）人民政府，市人民政府各委、办、局：",
                "county": "各乡镇人民政府，各有关单位：",
            }[self.place.level]
            lines += [
                addressees,
                f"《{title}》已经{self.place.short}人民政府同意，现印发给你们，请认真贯彻执行。",
                "",
                issuer,
                self.date_cn(),
                "（此件公开发布）",
                "",
            ]
            planned += 2  # header title + notice preamble (the signature joins the preamble)
        lines += [title, "", self.preamble(title), ""]
        planned += 2
        n_top = rng.randint(3, 8)
        tops = rng.sample(self.bank.top_headings, min(n_top, len(self.bank.top_headings)))
        duty_section = rng.random() < 0.3
        for i, top in enumerate(tops, 1):
            top = self.rewrite(top, self.year)
            planned += 1
            if duty_section and i == len(tops) - 1:
                lines.append(f"{cn_number(i)}、工作职责")
                for k in range(1, rng.randint(4, 12)):
                    lines.append(f"{k}.{self.dept()}：{self.duty()}")
                    planned += 1
                continue
            subs = rng.choice([0, 0, 2, 3, 4, 5, 6])
            lines.append(f"{cn_number(i)}、{top}")
            if not subs or rng.random() < 0.3:
                lines.append(self.body((2, 4)))
            for j in range(1, subs + 1):
                planned += 1
                head = self.heading()
                text = self.body((2, 5)) + (self.parenthetical() if rng.random() < 0.35 else "")
                if rng.random() < 0.65:
                    lines.append(f"（{cn_number(j)}）{head}。{text}")
                else:
                    lines += [f"（{cn_number(j)}）{head}", text]
                items = rng.choice([0, 0, 0, 2, 3, 4, 5]) if rng.random() < 0.55 else 0
                for k in range(1, items + 1):
                    planned += 1
                    dot = rng.choice([".", ".", "．"])
                    text = self.body((1, 4))
                    if rng.random() < 0.5 or text[0].isdigit():
                        text = f"{self.heading()}。{text}"
                    lines.append(f"{k}{dot}{text}" + (self.parenthetical() if rng.random() < 0.25 else ""))
                    for m in range(1, (rng.choice([2, 3, 4]) if rng.random() < 0.15 else 0) + 1):
                        planned += 1
                        sub = self.body((1, 2))
                        lines.append(f"（{m}）{sub if not sub[0].isdigit() else '在' + sub}")
        if not wrapped:
            lines += ["", issuer, self.date_cn()]
            planned += 1  # signature
        if rng.random() < 0.5:
            higher = "省委、省政府有关部门" if self.place.level != "province" else "国务院有关部门"
            lines += [
                "",
                f"抄送：{higher}，{self.place.short}人大常委会办公室，{self.place.short}政协办公室。",
                f"{issuer}{self.date_cn()}印发",
            ]
            planned += 1
        sidecar = {} if self.place.shanxi else {"jurisdiction": self.place.name, "level": self.place.level}
        return "\n".join(lines) + "\n", planned, sidecar


# ---- the corpus -------------------------------------------------------------------------------------------------
def generate(
    clauses: int, out: Path, seed: int = 20240601, bank: Bank | None = None, progress=lambda msg: None
) -> dict:
    """Write documents into `out` until `clauses` clauses are planned; returns the manifest (also written to DIR/.synth.json)."""
    bank = bank or load_bank()
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / ".synth.json"  # hidden: `policy-kb build` skips it
    try:
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        old = None
    want = {"generator_version": GENERATOR_VERSION, "seed": seed, "clauses_target": clauses}
    if old and all(old.get(k) == v for k, v in want.items()):
        return old  # already generated
    for p in out.glob("syn-*"):
        p.unlink()
    started = time.perf_counter()
    planned = chars = docs = 0
    levels: dict[str, int] = {}
    topics: dict[str, int] = {}
    while planned < clauses:
        gen = DocGen(bank, docs, seed)
        text, n, sidecar = gen.generate()
        name = f"syn-{docs:06d}.txt"
        (out / name).write_text(text, encoding="utf-8")
        if sidecar:
            (out / f"{name}.meta.json").write_text(json.dumps(sidecar, ensure_ascii=False), encoding="utf-8")
        planned += n
        chars += len(text)
        docs += 1
        key = ("shanxi-" if gen.place.shanxi else "other-") + gen.place.level
        levels[key] = levels.get(key, 0) + 1
        topics[gen.topic] = topics.get(gen.topic, 0) + 1
        if docs % 500 == 0:
            progress(f"synth: {docs} documents, {planned}/{clauses} clauses")
    manifest = {
        **want,
        "documents": docs,
        "clauses_planned": planned,
        "chars": chars,
        "seconds": round(time.perf_counter() - started, 1),
        "jurisdictions": levels,
        "topics": topics,
        "source_chars": bank.source_chars,
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.synth", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--clauses", type=int, required=True, help="number of clauses to generate (e.g. 10000, 100000, 1000000)"
    )
    p.add_argument("--out", type=Path, required=True, help="output folder (a corpus folder for `policy-kb build`)")
    p.add_argument("--seed", type=int, default=20240601, help="random seed (default %(default)s)")
    p.add_argument("--corpus", type=Path, default=SEED_CORPUS, help="real documents to draw from (default corpus/)")
    args = p.parse_args(argv)
    if args.clauses <= 0:
        p.error("--clauses must be positive")
    manifest = generate(
        args.clauses,
        args.out,
        args.seed,
        load_bank(args.corpus),
        progress=lambda m: print(m, file=sys.stderr, flush=True),
    )
    print(json.dumps(manifest, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
