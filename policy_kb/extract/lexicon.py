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

# Abbreviation → full form, applied to the department name without its 省/市/县 prefix (data/).
# Longest keys first at use time, so 发展改革委 wins over 发改.
ABBREVIATIONS = dict(line.split("\t", 1) for line in places.data_lines("department_abbreviations.tsv"))

# Department name cores (without the 省/市/县 prefix). Used for the jieba dictionary and for recognition;
# unknown departments are still found by the productive suffix pattern in DEPT_RE.
DEPARTMENT_CORES = sorted({*ABBREVIATIONS, *ABBREVIATIONS.values(), *places.data_lines("department_cores.txt")})

ORG_SUFFIX = r"(?:有限责任公司|股份有限公司|有限公司|集团公司|集团|公司|厂|研究院|协会|联盟)"
TOPICS = places.data_lines("topics.txt")

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
