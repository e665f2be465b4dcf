"""Deadline expressions → ISO dates with precision and kind.

Only what the text fixes is resolved: `2023年底前` → 2023-12-31 (year, by); `今年` → the document's issue year
(with ``resolved_from``) and only when that year is known; `分两年`, `每月10日前`, `11月中旬前` stay relative or
recurring with no date.  A wrong date costs users money, a missing one does not.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from ..ingest.clauses import cn_to_int
from ..records import Deadline, DeadlineKind, Precision

Y = r"(?P<y>\d{4})年"
DEADLINE_RE = re.compile(
    r"(?P<text>"
    r"(?:(?:到|至|在|于)(?=\d{4}年))?"
    rf"(?:{Y}|(?P<rel>今年|明年|本年|当年|年内|全年)|(?P<plan>[“\"]?十(?P<plan_n>[一二三四五])五[”\"]?)(?:期间|末))"
    r"(?:(?P<q>第[一二三四1-4]季度)(?:末|底)?|(?P<half>上半年|下半年|年中)"
    r"|(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日|(?P<me>底|末|份)|(?P<mid>上旬|中旬|下旬))?|(?P<ye>底|末))?"
    r"(?P<suffix>前|之前|以前|起|开始|以后|后|内|期间|，|,)?"
    r")"
    r"|(?P<after_issue>(?:自|从)?(?:本(?:通知|方案|意见|办法|文件|决定|规定|计划))?(?:印发|发布|下发|公布)之日起"
    r"(?P<n>[\d一二三四五六七八九十两]+)(?P<unit>个工作日|工作日|日|天|个月)(?:内|以内))"
    r"|(?P<noyear>(?<![\d年])(?P<nm>\d{1,2})月(?:(?P<nd>\d{1,2})日|(?P<nme>底|末))(?:前|之前))"
    r"|(?P<relative>分[两二三四五]年|[一二三四五两\d]+年内|[一二三四五两\d]+个月内|(?<!\d)\d{1,2}月(?:\d{1,2}日|底|末|上旬|中旬|下旬)?(?:前|之前)|年底前|年内)"
    r"|(?P<recurring>每(?:个)?(?:年|季度|月|周[一二三四五六日]?|半年|旬|日|天)"
    r"(?:[^，。；、\n]{0,8}?(?:\d{1,2}(?:日|号)|[\d一二三四五六七八九十]{1,2}时|季末|月末|年底|末|底))?(?:前|之前)?)"
)
_RANGE_END_RE = re.compile(r"(?<!\d)\d{4}年?\s*[—\-－–~～至到]$")
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _month_end(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"


def _verb_follows(rest: str) -> bool:
    """`全年淘汰燃煤锅炉1410台` sets a due date (a verb follows: done within the year); `全年…总量指标` does not.
    The word class comes from jieba's part-of-speech tagger rather than a list of verbs."""
    import jieba.posseg

    if re.match(r"[内，,。；]", rest):
        return True
    if re.match(r"[^，,。；]*(?:指标|总量|覆盖|排放量|产量|用量)", rest):
        return False  # an annual quota or rate (`全年排污许可总量指标…核减30%`, `全年全覆盖`)
    first = next(iter(jieba.posseg.cut(rest[:12])), None)
    return first is not None and first.flag.startswith("v")


def _number(s: str) -> int | None:
    return cn_to_int(s.replace("两", "二"))


def _after_issue(m: re.Match[str], text: str, start: int, end: int, issue: date | None) -> Deadline:
    """`自本通知印发之日起30日内` → the issue date + 30 days when the issue date is known; working days and unknown
    issue dates stay relative (a holiday calendar would be needed, and a guessed date costs money)."""
    n, unit = _number(m.group("n")), m.group("unit")
    if issue is None or n is None or "工作日" in unit:
        reason = "working days depend on the holiday calendar" if "工作日" in unit else "the issue date is unknown"
        return Deadline.relative(text, start, end, f"'{text}' not resolved: {reason}")
    if unit == "个月":
        y, mo = divmod(issue.month - 1 + n, 12)
        due = date(issue.year + y, mo + 1, min(issue.day, calendar.monthrange(issue.year + y, mo + 1)[1]))
    else:
        due = issue + timedelta(days=n)
    return Deadline(
        text=text,
        date=due.isoformat(),
        precision=Precision.DAY,
        kind=DeadlineKind.BY,
        resolved_from="印发之日",
        start=start,
        end=end,
    )


def _no_year(m: re.Match[str], text: str, start: int, end: int, issue: date | None) -> Deadline | None:
    """`11月30日前` in a document issued in 2024 → 2024-11-30; a day already past at issue means the next year."""
    if issue is None:
        return Deadline.relative(text, start, end)
    mo = int(m.group("nm"))
    if not 1 <= mo <= 12:
        return None
    year = issue.year
    for _ in range(2):
        if m.group("nd"):
            d = int(m.group("nd"))
            if not 1 <= d <= calendar.monthrange(year, mo)[1]:
                return None
            iso, precision = f"{year:04d}-{mo:02d}-{d:02d}", Precision.DAY
        else:
            iso, precision = _month_end(year, mo), Precision.MONTH
        if iso >= issue.isoformat():
            break
        year += 1
    return Deadline(
        text=text, date=iso, precision=precision, kind=DeadlineKind.BY, resolved_from="印发年份", start=start, end=end
    )


# Complexity over 15 on purpose: one branch per deadline shape of the grammar at the top of the module (by,
# from, during, relative, recurring); tests/test_dates.py has a case for each
def _parse(  # noqa: C901 (reason above)
    m: re.Match[str], doc_year: int | None, sentence: str, issue: date | None = None
) -> Deadline | None:
    text = m.group(0).rstrip("，,")
    start, end = m.start(), m.start() + len(text)
    if m.group("recurring"):
        return Deadline(
            text=text, date=None, precision=None, kind=DeadlineKind.RECURRING, rule=text, start=start, end=end
        )
    if m.group("after_issue"):
        return _after_issue(m, text, start, end, issue)
    if m.group("noyear"):
        return _no_year(m, text, start, end, issue)
    if m.group("relative"):
        rel = m.group("relative")
        if rel in ("年底前", "年内") and doc_year:
            return Deadline(
                text=text,
                date=f"{doc_year}-12-31",
                precision=Precision.YEAR,
                kind=DeadlineKind.BY,
                resolved_from=rel,
                start=start,
                end=end,
            )
        return Deadline.relative(text, start, end)
    if text[0] in "在于":  # `在2023年5月10日前` → the deadline text starts at the year
        text, start = text[1:], start + 1
    before = sentence[max(0, m.start() - 3) : m.start() + (1 if sentence[m.start()] in "至" else 0)]
    if re.search(r"(截至|截止|比|较)$", before) or re.match(r"\d{4}年[—\-－–~～至]", sentence[m.start() :]):
        return None  # a status date (截至2021年底), a baseline (较2020年) or the start of a range (2011年-2013年)
    if _RANGE_END_RE.search(sentence[: m.start()] + (m.group(0)[0] if m.group(0)[0] in "至到" else "")):
        return None  # the end of a range: 2011-2013年, 2011—2013年, 2011年-2013年, 2011年至2013年
    if re.search(r"(自|从)$", before) and (m.group("suffix") or "") not in ("起", "开始", "以后", "后"):
        return None  # `自2020年以来`: a period up to now, not a start date (`自2024年5月1日起` is one)
    if m.group("plan"):  # five-year plans: “十一五” = 2006–2010
        n = {"一": 11, "二": 12, "三": 13, "四": 14, "五": 15}[m.group("plan_n")]
        year = 1955 + 5 * n  # the plan's last year
        return Deadline(
            text=text,
            date=f"{year}-12-31",
            precision=Precision.YEAR,
            kind=DeadlineKind.DURING,
            resolved_from=m.group("plan").strip('“”"'),
            start=start,
            end=end,
        )
    if m.group("y"):
        year = int(m.group("y"))
        resolved = None
    else:
        rel = m.group("rel")
        if rel == "全年" and not _verb_follows(sentence[end:]):
            return None  # `全年大气污染物许可排放总量指标`, `全年全覆盖`: an annual quantity or scope, not a due date
        if doc_year is None:
            return Deadline.relative(text, start, end, f"'{rel}' not resolved: the document's issue date is unknown")
        year = doc_year + (1 if rel == "明年" else 0)
        resolved = rel
    if not 1900 <= year <= 2100:
        return None
    suffix = m.group("suffix") or ""
    after = sentence[end : end + 2]
    if not suffix and re.match(r"(?:供暖|采暖|汛期|春节|国庆|夏季|冬季|秋冬|春季|秋季|旺季|淡季)", sentence[end:]):
        season = re.match(r"[\u4e00-\u9fff]{2,4}?(?:季|期|节)(?:前|后|结束前|开始前)?", sentence[end:])
        full = text + (season.group(0) if season else "")
        return Deadline.relative(
            full, start, start + len(full), f"'{full}' depends on a season; no exact date", resolved
        )
    if not suffix and re.match(r"[^\s，,。；]", after) and not m.group("rel"):
        # `2019年全省淘汰…` (a target within a year) — but not `2019年度`/`2019年的` or a bare mention mid-sentence
        if after.startswith(("度", "的", "比", "与", "相")) or (
            m.start() > 0 and sentence[m.start() - 1] not in "，,；："
        ):
            return None
    kind = {
        "前": DeadlineKind.BY,
        "之前": DeadlineKind.BY,
        "以前": DeadlineKind.BY,
        "起": DeadlineKind.FROM,
        "开始": DeadlineKind.FROM,
        "以后": DeadlineKind.FROM,
        "后": DeadlineKind.FROM,
        "内": DeadlineKind.BY,
    }.get(suffix, DeadlineKind.DURING)
    if m.group("text").startswith(("到", "至")) or (m.group("rel") and not suffix):
        kind = DeadlineKind.BY  # `到2022年…`, `今年…到位`
    if m.group("d"):
        mo, d = int(m.group("m")), int(m.group("d"))
        if not (1 <= mo <= 12 and 1 <= d <= calendar.monthrange(year, mo)[1]):
            return None
        date, precision = f"{year:04d}-{mo:02d}-{d:02d}", Precision.DAY
    elif m.group("m"):
        mo = int(m.group("m"))
        if not 1 <= mo <= 12:
            return None
        if m.group("mid"):
            return Deadline.relative(text, start, end, f"'{text}' names part of a month; no exact date", resolved)
        if kind == DeadlineKind.BY and not m.group("me"):
            # `2023年8月前` = before August: the end of July
            if mo == 1:
                date = f"{year - 1:04d}-12-31"
            else:
                date = _month_end(year, mo - 1)
        elif kind == DeadlineKind.FROM:
            date = f"{year:04d}-{mo:02d}-01"
        else:
            date = _month_end(year, mo)
        precision = Precision.MONTH
    elif m.group("q"):
        q = _CN_NUM[m.group("q")[1]]
        date, precision = _month_end(year, q * 3), Precision.QUARTER
        if kind == DeadlineKind.FROM:
            date = f"{year:04d}-{q * 3 - 2:02d}-01"
    elif m.group("half"):
        half = m.group("half")
        date, precision = (f"{year:04d}-06-30" if half in ("上半年", "年中") else f"{year:04d}-12-31"), Precision.MONTH
    else:
        if kind == DeadlineKind.FROM:
            date = f"{year:04d}-01-01"
        elif kind == DeadlineKind.BY and suffix in ("前", "之前", "以前") and not m.group("ye"):
            # `2023年前` = before 2023; usage varies, so flag it rather than guess silently
            return Deadline(
                text=text,
                date=None,
                precision=Precision.YEAR,
                kind=DeadlineKind.BY,
                resolved_from=resolved,
                start=start,
                end=end,
                warnings=[f"'{text}' may mean before or by the end of {year}; no date assigned"],
            )
        else:
            date = f"{year:04d}-12-31"
        precision = Precision.YEAR
    return Deadline(text=text, date=date, precision=precision, kind=kind, resolved_from=resolved, start=start, end=end)


def find_deadlines(sentence: str, doc_year: int | None = None, issue_date: str | None = None) -> list[Deadline]:
    """All deadline expressions in a sentence, in order.  `issue_date` (ISO) resolves `印发之日起30日内` and dates
    written without a year; `doc_year` alone resolves `今年`."""
    issue = date.fromisoformat(issue_date) if issue_date else None
    out = []
    for m in DEADLINE_RE.finditer(sentence):
        d = _parse(m, doc_year, sentence, issue)
        if d is not None:
            out.append(d)
    return out
