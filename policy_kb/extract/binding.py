"""Whose duty a sentence is: the named features of an obligation, and the fitted model that reads them.

A 公文 often leaves the actor out: `持续开展…企业排查整治` is the government's task, `焦化行业全面执行特别排放限值标准`
the plants' duty.  Instead of deciding that with word lists, each obligation gets named features, computed once at
extraction from what the sentence and its place in the document say:

- the actor (the subject, else the words before the modal verb) and its kind: a company, a public body, a department,
  a generic 单位, something else (`新建焦化项目`), or none;
- how the sentence opens once a leading time phrase is cut off, by verb class (`督促`/`组织` supervise, `建立`/`制定`
  policy, `推进`/`加强` promote, `执行`/`淘汰` operate, `对…`/`凡…` an object first, `新建…` a project, `负责` a
  roster line, `到2010年` a target year);
- the modality, and words anywhere in it (companies, sanctions, aggregates of a region, money, publicity,
  encouragement, a named company, a facility, a company's officers), departments assigned, a deadline, facility
  conditions, penalties, a duty inherited from a heading;
- the headings above the clause (background / tasks / policy / safeguards / duties / supervision / liability), the
  document's level and whether it is a law or regulation.

A company profile adds the features that depend on the company (profile/match.py: its industry or another one named,
its facilities or others, the conditions met or undecided, its own name or another company's).  A logistic regression
over both, fitted on the checklist gold (`policy-kb eval profiles --fit`, evaluation/binding_fit.py), gives the
probability that the obligation binds the company; weights, bias and threshold are data:
policy_kb/data/binding_model.json.  The word classes are data too: policy_kb/data/binding_words.json.

The sentence's own characters are features too (`TextFeatures`: TF-IDF weighted character pairs and triples, a
vocabulary fitted with the weights): how duties of companies are worded (`企业要`, `单位应当`, `责令`) is learned from
the gold, where the named features only say what a word list anticipated.  Cross-validated by profile and
document they raised the dev checklists' F1 from 0.594 to 0.665 (docs/quality.md).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..records import Departments, Modality

MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "binding_model.json"
LONG_SENTENCE = 150  # characters: a sentence this long is a paragraph of background or several measures in one

# the features a profile adds (profile/match.py computes them; listed here so that the model file names them all)
PROFILE_FEATURES = (
    "industry_match",  # the sentence (or its headings or document title) names the company's industry
    "industry_other",  # … names industries, none of them the company's (a rule excludes these; kept for old files)
    "facility_match",  # the sentence names a facility type the company has
    "facility_missing",  # … names facility types the company has none of (a rule excludes these when it lists any)
    "condition_met",  # every condition on the facilities is met by one of the company's
    "condition_undecided",  # a condition the profile cannot decide (需确认)
    "company_self",  # the sentence names the company itself (`昌盛公司`)
    "company_other",  # … names another company and not this one
    "under_construction_missing",  # … is about projects 在建 (under construction) and the company has none
    "party_match",  # the sentence's head names a kind of party (`危险化学品生产企业`) the company's profile names
    "party_other",  # … names kinds of party (`铁路运输企业`, `房地产开发经营者`) the profile names none of
)


@cache
def words() -> dict[str, Any]:
    text = resources.files("policy_kb").joinpath("data/binding_words.json").read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class Where:
    """Where a sentence stands: the headings above its clause (outermost first) and its document."""

    headings: tuple[str, ...] = ()
    lead_in: str = ""  # an enumerated item's list lead-in (`有下列行为之一的，由…处…罚款：`), else ""
    level: str | None = None  # the document's Level (national / province / city / county)
    law: bool = False  # a law or regulation (第X条 articles), not a 公文
    title: str = ""


def sentence_names() -> tuple[str, ...]:
    """Every sentence feature name, in a fixed order (the model file lists them)."""
    w = words()
    return (
        *(f"actor_{k}" for k in ("enterprise", "company", "government", "department", "unit", "other", "none")),
        *(f"open_{k}" for k in w["openings"]),
        *(f"modality_{m}" for m in Modality),
        "mentions_enterprise",
        *(f"mentions_{k}" for k in w["mentions"]),
        *(f"head_{k}" for k in ("enterprise", *w["head"])),
        *(f"lead_{k}" for k in ("enterprise", *w["head"])),
        *(f"first_{k}" for k in w["first_clause"]),
        *(f"first_evidence_{k}" for k in EVIDENCE_STEPS),
        "departments_assigned",
        "has_deadline",
        "has_conditions",
        "has_penalties",
        "inherited",
        "no_modal_word",
        "long",
        "names_industry",
        "names_facility",
        *(f"section_{k}" for k in w["sections"]),
        "section_none",
        "law",
        *(f"level_{k}" for k in ("national", "province", "city", "county")),
    )


def feature_names() -> tuple[str, ...]:
    own = sentence_names()
    bare = tuple(f"bare_{k}" for k in own if k.split("_", 1)[0] in BARE_OF or k in BARE_OF)
    return (*own, *bare, *PROFILE_FEATURES)


# a leading time phrase (`2023年10月31日前，`, `“十一五”期间，`, `2019年，`) and a bare 要 before the verb
_LEADING_TIME = re.compile(
    r"^(?:(?:[^，。；]{0,16}(?:[前后底内起]|期间|期末|末|年)[，,])|\d{4}年|要|同时[，,]?|其中[，,]?)+"
)
# a modal verb, not the same character inside a word (`应急管理`, `主要`, `重要`, `要求`, `必须` is one)
MODAL = r"(?:(?<![主重需必只])要(?!求)|应当|应(?![急用对变收])|必须|(?<![必无])须|负责|不得|严禁)"
# who the verb belongs to when the extractor found no subject: the words before the first modal verb
_LEADING_ACTOR = re.compile(rf"^([^，。；：]{{1,24}}?){MODAL}")


def opening(text: str) -> str:
    """The sentence after a leading time phrase (`2019年，完成…` → `完成…`) and a bare 要."""
    return _LEADING_TIME.sub("", text)


def actor(text: str, subject: str | None) -> str:
    if subject:
        return subject
    m = _LEADING_ACTOR.match(opening(text))
    return m.group(1) if m else ""


def actor_kind(who: str, enterprise_words: list[str]) -> str:
    """enterprise / government / department / unit / other / none (`company` is a feature of its own)."""
    w = words()
    if not who:
        return "none"
    if any(e in who for e in enterprise_words):
        return "enterprise"
    if re.search(r"(?:部门|局|厅|委|办公室|分局|大队|所|站)$", who) or "部门" in who:
        return "department"
    if any(g in who for g in w["government_actor"]) or who.startswith(("各", "省", "市", "县", "全省", "全市")):
        return "government"
    if any(u in who for u in w["unit_actor"]):
        return "unit"
    return "other"


@dataclass(frozen=True)
class Party:
    """A kind of party a sentence regulates: what it deals with (`特种设备`, `危险 化学品`) and the part it
    plays towards that (`生产`, `使用`, `检验`): `特种设备生产单位` is a maker of boilers, `特种设备使用单位`
    a plant that runs one.  Either may be empty (`铁路运输企业` → 铁路 / 运输; `改造单位` → – / 改造)."""

    objects: tuple[str, ...]
    roles: frozenset[str]


@cache
def _party_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A party's name in a sentence's head (up to a suffix: `…单位`), that suffix, and the generic words of a name."""
    w = words()["parties"]
    suffix = "|".join(map(re.escape, w["suffixes"]))
    generic = "|".join(map(re.escape, sorted(w["generic"], key=len, reverse=True)))
    name = re.compile(rf"[\u4e00-\u9fff、（）()]{{2,40}}?(?:{suffix})")
    return name, re.compile(rf"(?:{suffix})$"), re.compile(generic)


@lru_cache(maxsize=65536)
def parties(text: str) -> tuple[Party, ...]:
    """The kinds of party a sentence's head names as its subject (`_subject_names`): the words of each party's name
    after its last 的 (what comes before is its conduct), without the words any company's name may have
    (`生产经营单位`, data/binding_words.json `parties`), split into object and role words.  Empty when the head names
    no party or only such parties.
    Cached: a checklist asks it of every obligation for every profile."""
    from .nlp import jieba_tokenizer

    role_words = words()["parties"]["roles"]
    name_re, suffix_re, generic_re = _party_patterns()
    h = re.sub(r"^违反本[^，,]{0,6}规定[，,]?", "", head(opening(text)))
    out: list[Party] = []
    for name in _subject_names(h, name_re):
        shared: list[str] = []  # the objects of the name's parts so far
        for part in re.split(r"[、和及与]|或者", name.split("的")[-1]):  # a subject name holds no comma
            objects: list[str] = []
            roles: set[str] = set()
            core = generic_re.sub(" ", suffix_re.sub("", part))  # `其他生产经营单位`: any company
            for token in jieba_tokenizer().cut(core):
                if len(token) < 2:
                    continue
                role = next((r for r in role_words if token.endswith(r)), None)
                rest = token[: -len(role)] if role else token  # `铁路运输` → 铁路 + 运输
                roles.update([role] if role else [])
                if len(rest) > 1:
                    objects.append(rest)
            if roles and not objects:  # `特种设备安装、改造、修理单位`: 改造 of 特种设备
                objects = shared
            shared = objects
            if objects or roles:
                out.append(Party(tuple(objects), frozenset(roles)))
    return tuple(out)


_JOINS = re.compile(r"以及|或者|[、和及与或]")  # between the parties of one subject


def _subject_names(h: str, name_re: re.Pattern[str]) -> list[str]:
    """The party names that are the head's subject: those that open its last clause (`…的，发生单位`), else its
    first (`危险化学品生产企业发现…的，`), one after another when joined (`教育机构、科研院所以及其他相关单位`).  A
    name further on is an object of the conduct (`生产经营单位出租厂房、场所给其他单位…`: 其他单位 is not who the
    rule binds)."""
    clauses = [c for c in re.split(r"[，,：:；;]", h) if c.strip()]
    for clause in dict.fromkeys(clauses[-1:] + clauses[:1]):
        names, at = [], 0
        while m := name_re.match(clause, at):
            names.append(m.group(0))
            at = m.end()
            join = _JOINS.match(clause, at)
            if not join:
                break
            at = join.end()
        if names:
            return names
    return []


@cache
def _head_end() -> re.Pattern[str]:
    others = [re.escape(e) for e in words()["head_end"] if e not in ("要", "应", "须", "应当", "必须", "负责")]
    return re.compile("|".join([MODAL, *others]))


def head(text: str) -> str:
    """The sentence up to its first modal word (`要`, `应当`, `不得`, `由` …), its subject and conditions."""
    m = _head_end().search(text)
    return text[: m.start()] if m else text


def _head_classes(text: str, enterprise_words: list[str]) -> list[str]:
    h = head(opening(text))
    on = ["enterprise"] if any(e in h for e in enterprise_words) else []
    return on + [k for k, ws in words()["head"].items() if any(x in h for x in ws)]


# the ordered evidence of whose duty a sentence is, as the first checklist code read it: the first that applies
EVIDENCE_STEPS = (
    "actor_enterprise",  # the actor (subject, else the words before the modal verb) is a company
    "actor_public",  # … a public body, or the sentence is a roster line opening with 负责
    "conditions",  # a condition on a company's facilities (`淘汰炭化室高度4.3米及以下…的机焦炉`)
    "public_opening",  # opens like a public body's task (`加强…`, `组织…`, `建立…机制`)
    "companies_named",  # names companies, facilities or an industry
    "prohibition",  # a prohibition naming nobody in charge (`禁止…`)
    "departments",  # departments in charge
    "none",
)
_OLD_OPENING = re.compile(r"^(?:(?:[^，。；]{0,16}[前后底内年]，)|\d{4}年|要)+")
_OLD_ACTOR = re.compile(r"^(?:[^，。；]{0,16}[前后底内]，)?([^，。；：]{1,24}?)(?:要|应当|应|须|必须|负责|不得|严禁)")


def first_evidence(
    text: str,
    subject: str | None,
    enterprise_words: list[str],
    conditions: int,
    named: bool,
    prohibition: bool,
    departments: bool,
) -> str:
    ev = words()["evidence"]
    m = _OLD_ACTOR.match(text)
    who = subject or (m.group(1) if m else "")
    if any(e in who for e in enterprise_words):
        return "actor_enterprise"
    if who.startswith(tuple(ev["government_prefixes"])) or any(g in who for g in ev["government_words"]):
        return "actor_public"
    if text.startswith("负责"):
        return "actor_public"
    if conditions:
        return "conditions"
    if _OLD_OPENING.sub("", text).startswith(tuple(ev["government_openings"])):
        return "public_opening"
    if named or any(e in text for e in enterprise_words):
        return "companies_named"
    if prohibition and not departments:
        return "prohibition"
    return "departments" if departments else "none"


def _opening_class(text: str) -> list[str]:
    """Verb classes of the opening; a target year (`到2010年，…`) is read before the time phrase is cut."""
    start = opening(text)
    return [
        k
        for k, ws in words()["openings"].items()
        if start.startswith(tuple(ws)) or (k == "target_year" and text.startswith(tuple(ws)))
    ]


@cache
def _modal_word() -> re.Pattern[str]:
    others = [re.escape(m) for m in words()["modal_words"] if m not in ("要", "应", "须")]
    return re.compile("|".join([MODAL, *others]))


def sentence_features(
    text: str,
    subject: str | None,
    modality: str,
    departments: Departments,
    *,
    enterprise_words: list[str],
    industries: list[str],
    facilities: list[str],
    conditions: int = 0,
    deadline: bool = False,
    penalties: bool = False,
    inherited: bool = False,
    where: Where | None = None,
) -> dict[str, float]:
    """The sentence's named features that are not 0 (all binary)."""
    w = words()
    where = where or Where()
    on: list[str] = []
    who = actor(text, subject)
    who_kind = actor_kind(who, enterprise_words)
    on.append(f"actor_{who_kind}")
    if re.search(r"公司|集团", who):
        on.append("actor_company")
    on += [f"open_{k}" for k in _opening_class(text)]
    on.append(f"modality_{modality}")
    if any(e in text for e in enterprise_words):
        on.append("mentions_enterprise")
    on += [f"mentions_{k}" for k, ws in w["mentions"].items() if any(x in text for x in ws)]
    on += [f"head_{k}" for k in _head_classes(text, enterprise_words)]
    first = re.split(r"[，,；;。：]", opening(text), maxsplit=1)[0]
    on += [f"first_{k}" for k, ws in w["first_clause"].items() if any(x in first for x in ws)]
    if where.lead_in:
        on += [f"lead_{k}" for k in _head_classes(where.lead_in, enterprise_words)]
    assigned = bool(departments.lead or departments.responsible or departments.implement)
    if assigned:
        on.append("departments_assigned")
    step = first_evidence(
        text,
        subject,
        enterprise_words,
        conditions,
        bool(industries or facilities),
        modality == "must_not",
        assigned,
    )
    on.append(f"first_evidence_{step}")
    flags = {
        "has_deadline": deadline,
        "has_conditions": conditions > 0,
        "has_penalties": penalties,
        "inherited": inherited,
        "no_modal_word": not _modal_word().search(text),
        "long": len(text) > LONG_SENTENCE,
        "names_industry": bool(industries),
        "names_facility": bool(facilities),
        "law": where.law,
    }
    on += [name for name, value in flags.items() if value]
    heads = "".join(where.headings)
    sections = [k for k, ws in w["sections"].items() if any(x in heads for x in ws)]
    on += [f"section_{k}" for k in sections] or ["section_none"]
    if where.level:
        on.append(f"level_{where.level}")
    # with no actor of its own the sentence's opening and words decide whose it is (`淘汰…焦炉` vs `组织…`): the same
    # features again for actor-less sentences, so that a stated actor can outweigh them
    if who_kind in ("none", "other"):
        on += [f"bare_{k}" for k in on if k.split("_", 1)[0] in BARE_OF or k in BARE_OF]
    return dict.fromkeys(on, 1.0)


# the features repeated for a sentence without an actor of its own (`bare_open_operate`, `bare_mentions_enterprise`)
BARE_OF = (
    "open",
    "mentions",
    "head",
    "first",
    "has_conditions",
    "names_facility",
    "names_industry",
    "modality_must_not",
)


TEXT_PREFIX = "text:"  # the name of a character n-gram feature: `text:企业`
TEXT_SCALE = 10.0  # the length of a sentence's n-gram vector next to the 0/1 named features: chosen by
# cross-validation by profile and document on the dev profiles: in-force checklist F1 0.654 at 5, 0.665 at 10,
# 0.653 at 20 (docs/quality.md)
TEXT_MIN_SENTENCES = 5  # an n-gram is in the vocabulary when this many distinct training sentences hold it


def _ngrams(text: str) -> Counter[str]:
    text = " ".join(text.split())
    return Counter([text[i : i + 2] for i in range(len(text) - 1)] + [text[i : i + 3] for i in range(len(text) - 2)])


@dataclass(frozen=True)
class TextFeatures:
    """A sentence's character n-grams as features: 1 + log(count) times the n-gram's inverse document frequency,
    scaled to length TEXT_SCALE; only n-grams of the fitted vocabulary."""

    idf: dict[str, float]

    @classmethod
    def fit(cls, texts: list[str], min_sentences: int = TEXT_MIN_SENTENCES) -> TextFeatures:
        """The vocabulary and IDF of some training sentences (each distinct sentence counted once)."""
        distinct = set(texts)
        df = Counter(g for t in distinct for g in _ngrams(t))
        n = len(distinct)
        return cls({g: round(math.log((1 + n) / (1 + c)) + 1, 4) for g, c in sorted(df.items()) if c >= min_sentences})

    def of(self, text: str) -> dict[str, float]:
        values = {g: (1 + math.log(c)) * self.idf[g] for g, c in _ngrams(text).items() if g in self.idf}
        norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
        return {TEXT_PREFIX + g: TEXT_SCALE * v / norm for g, v in values.items()}

    def table(self, weights: dict[str, float]) -> dict[str, tuple[float, float]]:
        """Per n-gram of the vocabulary: (IDF, IDF × weight), what `logit` reads (`weights` by bare n-gram)."""
        return {g: (idf, idf * weights.get(g, 0.0)) for g, idf in self.idf.items()}

    @staticmethod
    def logit(text: str, table: dict[str, tuple[float, float]]) -> float:
        """Σ weight × feature over `of(text)` in one pass: a checklist scores every obligation of a jurisdiction
        chain, tens of thousands in a large knowledge base."""
        dot = square = 0.0
        for g, c in _ngrams(text).items():
            entry = table.get(g)
            if entry is not None:
                tf = 1.0 if c == 1 else 1 + math.log(c)
                square += (tf * entry[0]) ** 2
                dot += tf * entry[1]
        return TEXT_SCALE * dot / math.sqrt(square) if square else 0.0


VECTOR_SCALE = 20.0  # the length a sentence vector (unit length) is scaled to next to the 0/1 named features,
# under the same L2 penalty: chosen by cross-validation by profile and document on the dev profiles (docs/quality.md,
# session 12: in-force F1 0.682 without the term, 0.687 / 0.700 / 0.684 at 10 / 20 / 40)


@dataclass(frozen=True)
class SentenceTerm:
    """The classifier's term on the sentence's vector (embed/sentence_vectors.py): weight · VECTOR_SCALE · (vector −
    mean), where `mean` is the training sentences' mean vector.  Centred, so a sentence without a vector (an
    extraction that has no encoder at hand, export's `binds`) counts as an average sentence: the term is 0."""

    model: str  # the sentence model the weights belong to
    weights: np.ndarray = field(compare=False)
    mean: np.ndarray = field(compare=False)

    def logit(self, vector: np.ndarray) -> float:
        return VECTOR_SCALE * float(self.weights @ (vector - self.mean))


@dataclass(frozen=True)
class BindingModel:
    """P(the obligation binds this company) = logistic(bias + Σ weight × feature); it binds from `threshold`.
    The features are the named ones, with `text` the sentence's character n-grams, with `sentence` its vector."""

    weights: dict[str, float]
    bias: float
    threshold: float = 0.5
    report: dict[str, Any] = field(default_factory=dict, compare=False)
    text: TextFeatures | None = None
    sentence: SentenceTerm | None = None

    def probability(self, features: dict[str, float], sentence: str = "", vector: np.ndarray | None = None) -> float:
        z = self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        if self.text is not None and sentence:
            z += self.text.logit(sentence, self._text_table)
        if self.sentence is not None and vector is not None:
            z += self.sentence.logit(vector)
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    @cached_property
    def _text_table(self) -> dict[str, tuple[float, float]]:
        assert self.text is not None
        prefixed = {k.removeprefix(TEXT_PREFIX): w for k, w in self.weights.items() if k.startswith(TEXT_PREFIX)}
        return self.text.table(prefixed)

    def binds(self, features: dict[str, float], sentence: str = "", vector: np.ndarray | None = None) -> bool:
        return self.probability(features, sentence, vector) >= self.threshold

    def to_json(self) -> str:
        named = {k: v for k, v in self.weights.items() if not k.startswith(TEXT_PREFIX)}
        data = {
            "_about": "Binding classifier (policy_kb/extract/binding.py): P(an obligation binds a company) = "
            "logistic(bias + sum of weight x feature); it binds from the threshold. Written by "
            "`policy-kb eval profiles --fit` (make fit-profiles); report: how it was fitted and cross-validated; "
            "sentence: the sentence model, the training mean vector and the weights of the vector term; "
            "text: per character n-gram of the vocabulary, [IDF, weight].",
            "bias": self.bias,
            "threshold": self.threshold,
            "weights": named,
            "report": self.report,
        }
        if self.sentence is not None:
            data["sentence"] = {
                "model": self.sentence.model,
                "mean": [round(float(x), 5) for x in self.sentence.mean],
                "weights": [round(float(x), 5) for x in self.sentence.weights],
            }
        head = json.dumps(data, ensure_ascii=False, indent=2)[: -len("\n}")]
        table = ",\n".join(
            f"    {json.dumps(g, ensure_ascii=False)}: [{idf}, {self.weights.get(TEXT_PREFIX + g, 0.0)}]"
            for g, idf in (self.text.idf if self.text else {}).items()
        )  # one line per n-gram: a readable diff when the model is refitted
        return f'{head},\n  "text": {{\n{table}\n  }}\n}}\n'


def load(path: Path | str = MODEL_FILE) -> BindingModel:
    """The model file; a weight for a feature no longer computed is never used (refit: `make fit-profiles`)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    table = data.get("text") or {}
    term = data.get("sentence")
    return BindingModel(
        {k: float(v) for k, v in data["weights"].items()}
        | {TEXT_PREFIX + g: float(w) for g, (_, w) in table.items() if w},
        float(data["bias"]),
        float(data.get("threshold", 0.5)),
        data.get("report", {}),
        TextFeatures({g: float(idf) for g, (idf, _) in table.items()}) if table else None,
        _term(term) if term else None,
    )


def _term(data: dict[str, Any]) -> SentenceTerm:
    return SentenceTerm(
        data["model"], np.asarray(data["weights"], dtype=np.float32), np.asarray(data["mean"], dtype=np.float32)
    )


@lru_cache(maxsize=1)
def default_model() -> BindingModel:
    """The shipped model; before the first fit (no file) a model that binds nothing it is asked about."""
    try:
        return load()
    except FileNotFoundError:
        return BindingModel({}, -30.0, 0.5, {"missing": str(MODEL_FILE)})
