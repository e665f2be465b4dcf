"""A checklist as JSON, CSV or an iCalendar file (one all-day event per dated obligation, recurring ones as RRULE)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..export import record
from .match import ChecklistItem
from .model import Profile

FORMATS = ("json", "csv", "ics")
CSV_FIELDS = [
    "group",
    "due",
    "due_status",
    "jurisdiction",
    "doc_number",
    "clause",
    "obligation",
    "departments",
    "applies_because",
    "to_confirm",
    "clause_id",
    "id",
]
# 每年 / 每季度 / 每月 / 每周 in a recurring deadline's rule → the calendar's recurrence
RRULES = [
    ("每季度", "FREQ=MONTHLY;INTERVAL=3"),
    ("每半年", "FREQ=MONTHLY;INTERVAL=6"),
    ("每年", "FREQ=YEARLY"),
    ("每月", "FREQ=MONTHLY"),
    ("每周", "FREQ=WEEKLY"),
    ("每日", "FREQ=DAILY"),
    ("每天", "FREQ=DAILY"),
]


def item_dict(item: ChecklistItem) -> dict[str, Any]:
    return {
        **record(item.obligation),
        "group": str(item.group),
        "due": item.due,
        "due_status": item.due_status,
        "days_left": item.days_left,
        "applies_because": item.applies_because,
        "to_confirm": item.to_confirm,
    }


def citation(item: ChecklistItem) -> str:
    ob = item.obligation
    return f"{ob.doc_number or ob.doc_id} {''.join(ob.clause_path)}".strip()


def render_checklist(profile: Profile, items: list[ChecklistItem], fmt: str, as_of: date) -> str:
    if fmt == "json":
        return json.dumps(
            {
                "profile": profile.name,
                "place": profile.place,
                "as_of": as_of.isoformat(),
                "items": [item_dict(i) for i in items],
            },
            ensure_ascii=False,
            indent=2,
        )
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, CSV_FIELDS)
        writer.writeheader()
        for i in items:
            ob = i.obligation
            writer.writerow(
                {
                    "group": str(i.group),
                    "due": i.due or "",
                    "due_status": i.due_status,
                    "jurisdiction": ob.jurisdiction or "",
                    "doc_number": ob.doc_number or ob.doc_id,
                    "clause": "".join(ob.clause_path),
                    "obligation": ob.text,
                    "departments": "；".join(ob.departments.names()),
                    "applies_because": "；".join(i.applies_because),
                    "to_confirm": "；".join(i.to_confirm),
                    "clause_id": ob.clause_id,
                    "id": ob.id,
                }
            )
        return "\ufeff" + out.getvalue()
    if fmt == "ics":
        return calendar(profile, items, as_of)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """RFC 5545 3.1: a line longer than 75 octets continues on lines that start with a space (the space counts),
    never splitting a character."""
    parts, current = [], ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > 75:
            parts.append(current)
            current = " "
        current += ch
    return [*parts, current]


def _rrule(item: ChecklistItem) -> str | None:
    dl = item.obligation.deadline
    rule = (dl.rule if dl else None) or ""
    return next((r for word, r in RRULES if word in rule), None)


def calendar(profile: Profile, items: list[ChecklistItem], as_of: date) -> str:
    """One all-day event per dated obligation (and per recurring one, from the as-of date with its RRULE); the
    description holds the obligation, why it applies and its citation."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//policy-kb//my obligations//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(profile.name + ' 义务日历')}",
    ]
    for item in items:
        rrule = None if item.due else _rrule(item)
        if not item.due and not rrule:
            continue
        start = date.fromisoformat(item.due) if item.due else as_of
        ob = item.obligation
        uid = hashlib.sha1(f"{profile.name}|{ob.id}".encode()).hexdigest()
        description = "\n".join(
            [
                ob.text,
                "",
                "适用原因：" + "；".join(item.applies_because),
                *(["需确认：" + "；".join(item.to_confirm)] if item.to_confirm else []),
                "出处：" + citation(item),
            ]
        )
        event = [
            "BEGIN:VEVENT",
            f"UID:{uid}@policy-kb",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{start.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(start + timedelta(days=1)).strftime('%Y%m%d')}",
            *([f"RRULE:{rrule}"] if rrule else []),
            f"SUMMARY:{_escape(('【需确认】' if item.to_confirm else '') + ob.text[:60])}",
            f"DESCRIPTION:{_escape(description)}",
            "END:VEVENT",
        ]
        lines += event
    lines.append("END:VCALENDAR")
    return "\r\n".join(part for line in lines for part in _fold(line)) + "\r\n"
