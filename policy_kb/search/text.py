"""Query and index text processing shared by the keyword and exact routes.

FTS5's unicode61 tokenizer keeps a run of Chinese characters as one token, so clauses are indexed as
jieba `cut_for_search` tokens separated by spaces, with the domain dictionary loaded; queries are segmented the same
way.  Numbers, units and 文号 also get an exact substring route because segmenters split them unpredictably.
"""

from __future__ import annotations

import re
import unicodedata

from .. import places
from ..extract.nlp import jieba_tokenizer

STOPWORDS = set(
    "的 了 是 在 和 与 及 或 等 对 把 被 吗 呢 吧 啊 呀 哪 哪些 哪个 什么 啥 怎么 怎样 如何 多少 几 是否 有没有 有 没有 "
    "我 我们 我厂 我们厂 你 你们 他们 这个 那个 这 那 请问 请 问 一下 能 能否 可以 可 会 要 需要 应该 必须 最 最晚 最迟 "
    "时候 时间 什么时候 啥时候 何时 哪天 几时 规定 文件 政策 里 中 上 下 呀 嘛 么 吗？ 谁 负责 由 "
    "what when which who how is are the a an of to in for by do does must should be on at with from".split())

# A few domain terms so English questions also hit the keyword route (the semantic route is multilingual anyway).
GLOSSARY = {
    "coke oven": "焦炉", "coke ovens": "焦炉", "coking": "焦化", "coke": "焦炭", "capacity": "产能",
    "compensation": "补偿", "subsidy": "补偿", "shut down": "关停", "shutdown": "关停", "close": "关停",
    "closure": "关停", "phase out": "淘汰", "eliminate": "淘汰", "dry quenching": "干熄焦", "emission": "排放",
    "emissions": "排放", "ultra-low": "超低排放", "deadline": "前", "department": "部门", "lead": "牵头",
    "boiler": "锅炉", "heating": "清洁取暖", "gas": "煤气", "employees": "职工", "workers": "职工",
    "resettlement": "安置", "penalty": "处罚", "fine": "罚款", "tonne": "吨", "ton": "吨", "target": "目标",
    "reduce": "压减", "reduction": "压减", "coal": "煤炭", "steel": "钢铁", "vehicle": "机动车", "diesel": "柴油货车",
}
# Colloquial words → the terms policy documents use (the query keeps its own words too).
SYNONYMS = {
    "小焦炉": ["4.3米焦炉", "焦炉"], "干熄焦": ["干法熄焦"], "干法熄焦": ["干熄焦"], "关": ["关停"], "关掉": ["关停"], "停": ["关停", "停产"], "停掉": ["关停"],
    "拆": ["拆除"], "补贴": ["补偿", "补助"], "补助": ["补偿"], "赔": ["补偿"], "钱": ["补偿", "资金"],
    "谁管": ["负责", "牵头"], "管": ["负责"], "最晚": ["前"], "期限": ["前", "时限"], "截止": ["前"],
    "罚": ["处罚"], "罚款": ["处罚"], "污染": ["排放", "污染"], "员工": ["职工"], "工人": ["职工"],
    "新建": ["新建", "备案"], "上马": ["新建"], "规矩": ["要求"], "标准": ["标准", "限值"],
    "water": ["断水", "用水"], "energy consumption": ["能耗"], "approve": ["审批", "核准"],
    "approval": ["审批", "核准"], "first": ["优先"], "priority": ["优先"], "inspection": ["验收", "抽查"],
    "acceptance": ["验收"], "electricity": ["断电", "用电"], "loan": ["信贷"], "credit": ["信贷"],
}
EXACT_RE = re.compile(
    r"[\u4e00-\u9fff]{1,10}〔\d{4}〕\d{1,4}号|〔\d{4}〕\d{1,4}号"  # 文号
    r"|\d+(?:\.\d+)?(?:[、~～\-—]\d+(?:\.\d+)?)*\s*(?:万吨标准煤|万吨|千克标准煤|吨|米|元/吨|元|万元|亿元|%|毫克/立方米|蒸吨|万千瓦|家|座|台|公里|年|月|日)"
    r"|“[^”]{2,20}”|\"[^\"]{2,20}\""
)


def normalise(text: str) -> str:
    """NFKC (full-width digits/letters → ASCII), lower-case Latin, no spaces next to digits, typo'd places fixed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("[", "〔").replace("]", "〕")
    text = re.sub(r"(?<=\d)\s+(?=[^\sa-z])|(?<=[^\sa-z\d])\s+(?=\d)", "", text)
    text = re.sub(r"(\d+(?:\.\d+)?)[\s-]*(?:m|meters?|metres?)\b", r"\1米", text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)  # energy-consumption → energy consumption
    for typo, fix in places.TYPOS.items():
        text = text.replace(typo, fix)
    text = places.replace_pinyin(text)  # one pass: the table has hundreds of romanised names
    return text


def index_tokens(text: str) -> str:
    """Space-separated search tokens for FTS5 (NFKC-normalised so queries and documents agree)."""
    tk = jieba_tokenizer()
    words = [w.strip() for w in tk.cut_for_search(normalise(text))]
    return " ".join(w for w in words if w and not re.fullmatch(r"[\W_]+", w))


def query_terms(query: str) -> list[str]:
    """Content tokens of a query: segmented like the index, stopwords removed, English glossary terms added."""
    q = normalise(query)
    extra = [zh for en, zh in GLOSSARY.items() if re.search(rf"\b{re.escape(en)}\b", q)]
    tokens = index_tokens(q).split()
    extra += [syn for word, syns in SYNONYMS.items() if word in tokens or (len(word) > 2 and word in q) for syn in syns]
    tokens += extra
    seen: dict[str, None] = {}
    for t in tokens:
        if t not in STOPWORDS and not re.fullmatch(r"[a-z]{1,2}", t):
            seen.setdefault(t, None)
    return list(seen)


def exact_terms(query: str) -> list[str]:
    """Substrings that must appear verbatim: 文号, numbers with units, quoted phrases."""
    q = normalise(query)
    terms = [m.group(0).strip("“”\"") for m in EXACT_RE.finditer(q)]
    return [re.sub(r"\s+", "", t) for t in terms if len(t) >= 2]


def fts_query(terms: list[str]) -> str:
    """An FTS5 MATCH expression: any term, each quoted so punctuation inside is literal."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
