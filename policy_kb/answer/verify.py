"""Citation check: every date, number and department in an answer line must appear in a clause that line cites
(or in the cited document's title/文号).  Derived annotations — deadline status and day counts — are written
inside 〔…〕 and verified arithmetically against a cited deadline instead."""

from __future__ import annotations

import re
from datetime import date

from ..extract.authorities import split_authorities
from ..extract.dates import find_deadlines
from ..extract.departments import expand_place_governments
from ..extract.lexicon import DEPT_RE, canonical_department
from ..extract.obligations import split_sentences
from ..ingest.clean import for_matching
from ..records import Citation

_CN_DATE = re.compile(r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[%‰]|[\u4e00-\u9fff/]{1,6})?")
_STATUS = re.compile(r"〔[^〔〕]*〕")
_MARK = re.compile(r"\[(\d+)\]")
# lines that quote the user's words, not the documents: a typo fix, the caveat of words no clause contains
_CORRECTION = re.compile(r"^[（(](?:(?:已按|Read )“[^”]*”→“[^”]*”|文件中没有出现“|The documents do not mention “)")


# coordinated names that share a level and a head: `各市、县人民政府`, `市应急管理、生态环境等部门`
_COORDINATED = re.compile(r"(?:[\u4e00-\u9fff（）]{1,12}、)+[\u4e00-\u9fff（）]{1,20}?(?:人民政府|部门|机关|机构)")


def _distributed(sources: list[str]) -> list[str]:
    """The single names a coordinated list stands for (各市、县人民政府 → 各市人民政府, 县人民政府): extraction
    reports them one by one, so an answer may name them one by one."""
    return ["、".join(split_authorities(m.group(0))) for s in sources for m in _COORDINATED.finditer(s)]


def _supported(fact: str, sources: list[str]) -> bool:
    if re.fullmatch(r"\d+(?:\.\d+)?", fact):  # a number must be a whole number there: 6 is not in 96
        return any(re.search(rf"(?<![\d.]){re.escape(fact)}(?![\d]|\.\d)", s) for s in sources)
    return any(fact in s for s in sources)


# Complexity over 15 on purpose: one test per kind of claim an answer line makes (date, number, place,
# department); each is a line or two
def check(  # noqa: C901 (reason above)
    answer: str,
    citations: list[Citation],
    as_of: date,
    doc_year: dict[str, int | None],
    issue_dates: dict[str, str | None] | None = None,
) -> list[str]:
    """Problems found (empty = the answer passes).  ``issue_dates`` (document id → ISO issue date) lets a date
    derived from `印发之日起30日内` or a date written without a year be checked as the extractor resolved it."""
    issue_dates = issue_dates or {}
    problems: list[str] = []
    by_n = {c.n: c for c in citations}
    used = {int(n) for n in _MARK.findall(answer)}
    for n in used - set(by_n):
        problems.append(f"[{n}] refers to no citation")
    for c in citations:
        if c.n not in used:
            problems.append(f"citation [{c.n}] is not used in the answer")
    for line in answer.splitlines():
        if _CORRECTION.match(line):
            continue  # `（已按“市信仿局”→“市信访局”理解）`, `（文件中没有出现“…”…）`: the user's words
        marks = [by_n[int(n)] for n in _MARK.findall(line) if int(n) in by_n]
        cited = marks or citations
        sources = [c.text for c in cited] + [c.doc_title or "" for c in cited] + [c.doc_number or "" for c in cited]
        sources += ["".join(c.path) for c in cited]  # the location label, e.g. 六、16.
        # punctuation compared in one form (text is stored as written); 忻府区、岢岚县人民政府 names two governments
        sources = [for_matching(expand_place_governments(x)) for x in sources]
        sources += _distributed(sources)
        iso_dates = {
            d.date
            for c in cited
            for a, b in split_sentences(c.text, 0)
            for d in find_deadlines(c.text[a:b], doc_year.get(c.doc_id), issue_dates.get(c.doc_id))
            if d.date
        }
        for derived in _STATUS.findall(line):
            own = [f"{y}-{m}-{d}" for y, m, d in _ISO.findall(derived)]
            for iso in own:
                if iso not in iso_dates and iso != as_of.isoformat():
                    problems.append(f"derived date {iso} matches no cited deadline: {line[:60]}")
            days = re.search(r"(\d+)\s*(?:天|days?)", derived)
            if days and own:  # the count must follow from this status's own date, in the right direction
                delta = (date.fromisoformat(own[0]) - as_of).days
                future = bool(re.search(r"还剩|尚未生效|left|from now", derived))
                if abs(delta) != int(days.group(1)) or ((delta > 0) != future and delta != 0):
                    problems.append(f"day count {days.group(1)} does not follow from {own[0]}: {line[:60]}")
            elif days:
                problems.append(f"day count without its date: {line[:60]}")
        body = for_matching(_MARK.sub("", _STATUS.sub("", line)))
        for y, m, d in _ISO.findall(body):
            if f"{y}-{m}-{d}" not in iso_dates:
                problems.append(f"date {y}-{m}-{d} not in a cited clause: {line[:60]}")
        body = _ISO.sub("", body)
        for fact in _CN_DATE.findall(body):
            if not _supported(fact, sources):
                problems.append(f"date '{fact}' not in a cited clause: {line[:60]}")
        for fact in _NUMBER.findall(_CN_DATE.sub("", body)):
            core = re.match(r"\d+(?:\.\d+)?", fact).group(0)  # type: ignore[union-attr]
            if not _supported(core, sources):
                problems.append(f"number '{fact}' not in a cited clause: {line[:60]}")
        for m in DEPT_RE.finditer(body):
            name = m.group(0)
            if not (
                _supported(name, sources)
                or any(
                    canonical_department(name) == canonical_department(x.group(0))
                    for s in sources
                    for x in DEPT_RE.finditer(s)
                )
            ):
                problems.append(f"department '{name}' not in a cited clause: {line[:60]}")
    return problems
