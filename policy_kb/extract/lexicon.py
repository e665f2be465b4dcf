"""Domain vocabulary: government departments (with canonical names), organisations and topics.

Shared by the spaCy rules (extraction) and the jieba user dictionary (keyword search), so a term recognised in one
is segmented as one token in the other.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from .. import places
from .trie import trie_alternation

# Abbreviation → full form, applied to the department name without its 省/市/县 prefix.
# Longest keys first at use time, so 发展改革委 wins over 发改.
ABBREVIATIONS = {
    "工信厅": "工业和信息化厅",
    "工信局": "工业和信息化局",
    "工信委": "工业和信息化委员会",
    "发展改革委": "发展和改革委员会",
    "发改委": "发展和改革委员会",
    "发改局": "发展和改革局",
    "发展改革局": "发展和改革局",
    "应急厅": "应急管理厅",
    "应急局": "应急管理局",
    "人社厅": "人力资源和社会保障厅",
    "人社局": "人力资源和社会保障局",
    "住建厅": "住房和城乡建设厅",
    "住建局": "住房和城乡建设局",
    "住房城乡建设厅": "住房和城乡建设厅",
    "住房城乡建设局": "住房和城乡建设局",
    "市场监管局": "市场监督管理局",
    "市场监管厅": "市场监督管理厅",
    "科技厅": "科学技术厅",
    "科技局": "科学技术局",
    "国资委": "国有资产监督管理委员会",
    "地方金融监管局": "地方金融监督管理局",
    "卫健委": "卫生健康委员会",
    "卫生健康委": "卫生健康委员会",
    "交通厅": "交通运输厅",
    "交通局": "交通运输局",
    "环保局": "生态环境局",
    "环保厅": "生态环境厅",
}

# Department name cores (without the 省/市/县 prefix). Used for the jieba dictionary and for recognition;
# unknown departments are still found by the productive suffix pattern in DEPT_RE.
DEPARTMENT_CORES = sorted(
    {
        *ABBREVIATIONS,
        *ABBREVIATIONS.values(),
        "生态环境厅",
        "生态环境局",
        "能源局",
        "自然资源厅",
        "自然资源局",
        "水利厅",
        "水利局",
        "财政厅",
        "财政局",
        "公安厅",
        "公安局",
        "信访局",
        "税务局",
        "统计局",
        "商务厅",
        "商务局",
        "教育厅",
        "教育局",
        "农业农村厅",
        "农业农村局",
        "林业和草原局",
        "气象局",
        "消防救援大队",
        "消防救援支队",
        "交通运输厅",
        "交通运输局",
        "政法委",
        "委政法委",
        "委组织部",
        "委宣传部",
        "金融办",
        "审批局",
        "行政审批服务管理局",
        "司法局",
        "民政局",
        "文化和旅游局",
        "卫生健康局",
        "医疗保障局",
        "大气污染防治工作领导小组办公室",
        "人民政府",
        "政府",
    }
)

ORG_SUFFIX = r"(?:有限责任公司|股份有限公司|有限公司|集团公司|集团|公司|厂|研究院|协会|联盟)"
TOPICS = [
    "4.3米焦炉",
    "4.3米及以下焦炉",
    "炭化室高度",
    "干熄焦",
    "干法熄焦",
    "湿法熄焦",
    "超低排放",
    "超低排放改造",
    "深度治理",
    "特别排放限值",
    "产能置换",
    "减量置换",
    "上大关小",
    "关小上大",
    "压减过剩产能",
    "焦化产能",
    "焦炭产量",
    "焦炉煤气",
    "煤焦油",
    "粗苯",
    "余热发电",
    "能耗双控",
    "生存线",
    "发展线",
    "两断四停",
    "清洁取暖",
    "散乱污",
    "错峰生产",
    "重污染天气",
    "大机焦",
    "小机焦",
    "土焦",
    "改良焦",
    "捣固焦炉",
    "顶装焦炉",
    "热回收焦炉",
    "机焦炉",
    "焦化升级改造项目",
    "化产回收",
    "气源热源替代",
    "气源",
    "热源",
    "排污许可",
    "排污许可证",
    "淘汰落后产能",
    "无组织排放",
    "有色烟羽",
    "燃煤锅炉",
    "工业炉窑",
    "柴油货车",
    "补偿标准",
    "职工安置",
    "环境容量",
    "能耗强度",
    "能效标杆水平",
    "颗粒物",
    "二氧化硫",
    "氮氧化物",
    "挥发性有机物",
    "VOCs",
    "PM2.5",
    "PM10",
]

# as tries, not flat alternations: same matches, a fraction of the time on long texts (extract/trie.py)
_PLACE_NAMES = trie_alternation(places.PLACES)
_PREFIX = rf"(?:{_PLACE_NAMES}|省|市|县|区)"
_CORES = trie_alternation(c for c in DEPARTMENT_CORES if c not in ("政府", "人民政府"))
# A department: prefix + known core, or prefix + up to 8 chars + an administrative suffix.
DEPT_RE = re.compile(
    rf"(?:国网[\u4e00-\u9fff]{{2,4}}供电公司|[\u4e00-\u9fff]{{2,4}}供电公司"
    rf"|(?:有关各|有关|各)(?:县（[市区、]{{1,5}}）|乡镇|乡（镇）)(?:人民)?政府"
    rf"|(?:有关各|有关|各)[\u4e00-\u9fff]{{0,3}}?(?:省|市|县|区)(?:人民)?政府"
    rf"|(?:有关|各)?(?:{_PLACE_NAMES}|市县各级|市县|县（市、区）|省|市|县|区)(?:人民)?政府"
    rf"|(?<![\u4e00-\u9fff])(?!配合|协助|会同|指导|督促|负责|要|由|向|对|和|及)"
    rf"(?:(?!有关|相关|其他|职能|等|各)[\u4e00-\u9fff]){{2,8}}部门"
    rf"|{_PREFIX}(?:{_CORES})(?:[\u4e00-\u9fff]{{2,4}}分局)?"
    rf"|[省市县](?!政府)[\u4e00-\u9fff]{{1,8}}?(?:厅|局|委员会|委|办公室|大队|支队|中心))"
)


def canonical_department(name: str) -> str:
    """`省工信厅` → `省工业和信息化厅`, `市应急局` → `市应急管理局`; other names unchanged apart from brackets."""
    name = name.replace("〈", "（").replace("〉", "）").replace("(", "（").replace(")", "）")
    for short in sorted(ABBREVIATIONS, key=len, reverse=True):
        if name.endswith(short) and not name.endswith(ABBREVIATIONS[short]):
            return name[: -len(short)] + ABBREVIATIONS[short]
    return name


@lru_cache(maxsize=1)
def jieba_words() -> tuple[str, ...]:
    """Words to add to jieba so departments, places and topics stay one token."""
    words = set(TOPICS)
    for core in DEPARTMENT_CORES:
        words.update({core, "省" + core, "市" + core, "县" + core})
    for p in places.PLACES.values():
        words.update({p.name, p.short})
    return tuple(sorted(w for w in words if len(w) >= 2))


def dictionary_hash() -> str:
    """Recorded with the keyword index: a changed dictionary means the index must be rebuilt."""
    return hashlib.sha256("\n".join(jieba_words()).encode()).hexdigest()[:16]
