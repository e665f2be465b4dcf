"""Compare deadline-date resolution: jionlp.parse_time (maintained, general-purpose) vs policy_kb/extract/dates.py
(hand-written, ``find_deadlines``), on every gold obligation row with a deadline in the dev gold
(tests/gold/real/dev/obligations*.jsonl), the seed gold (tests/gold/obligations.jsonl) and the unseen-fixture gold
(tests/gold/fixture_obligations.jsonl).  Held-out gold is never read.

    python -m venv /tmp/jiovenv && /tmp/jiovenv/bin/pip install jionlp==1.5.31 cn2an
    /tmp/jiovenv/bin/python benchmarks/time_parser_compare.py [-v] [--json OUT]

jionlp is kept out of the project's .venv; the script skips with a message when it cannot be imported.

Inputs (two measurements):
  * ``text``     – the gold deadline text alone (`2024年6月底前`, `自本通知印发之日起30日内`, `每月5日前` …);
  * ``fragment`` – the gold ``text_contains`` sentence fragment, only for rows where it contains the deadline text.
    jionlp is run two ways here: ``parse_time(fragment)`` as asked, and ``ner.extract_time(fragment)`` (jionlp's
    own recommended route for running text) keeping the entity that overlaps the gold deadline text.  Our parser
    keeps the Deadline that overlaps the gold deadline text.

Time base: the document's issue date (dev: tests/gold/real/dev/metadata*.jsonl; seed: docs/data-model.md's table;
unseen fixtures: the date on the signature line).  When it is unknown our parser gets doc_year=None and jionlp gets
its default (now) – which is what a drop-in call would do.

jionlp result → one date: exception, ``time_period`` (recurring), ``time_delta`` (no anchor) → no date; a
``time_span``/``time_point`` → the start of the span when the expression is a `…起/开始` start (and not `…起N日内`),
else the end (`…前`, `…底前`, `…内`, a bare year).  ±inf ends → no date.

Scoring: a row is right when the predicted date equals the gold date; gold date null is right only when the parser
gives no date.  A date where gold has none is an *invented* date (the costly error); a different date where gold
has one is a *wrong* date; no date where gold has one is a *miss*.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold"
DEV = GOLD / "real" / "dev"
KINDS = ("by", "from", "during", "relative", "recurring")


# ---------------------------------------------------------------- data


def issue_dates() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for f in sorted(DEV.glob("metadata*.jsonl")):
        for ln in f.read_text(encoding="utf-8").splitlines():
            if ln.strip():
                r = json.loads(ln)
                out[r["doc_id"]] = r.get("issue_date")
    # seed corpus: corpus/<doc_id>.txt.meta.json has no date, so docs/data-model.md's table
    for ln in (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in ln.strip().strip("|").split("|")]
        if len(cells) == 6 and (ROOT / "corpus" / f"{cells[0]}.txt").exists():
            out[cells[0]] = cells[5] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cells[5]) else None
    # unseen fixtures: the last full date in the file (signature / 印发 line)
    for f in sorted((ROOT / "tests" / "fixtures" / "unseen").glob("*")):
        dates = re.findall(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", f.read_text(encoding="utf-8"))
        out[f.stem] = f"{int(dates[-1][0]):04d}-{int(dates[-1][1]):02d}-{int(dates[-1][2]):02d}" if dates else None
    return out


def gold_rows() -> list[dict[str, Any]]:
    files = [*sorted(DEV.glob("obligations*.jsonl")), GOLD / "obligations.jsonl", GOLD / "fixture_obligations.jsonl"]
    issues = issue_dates()
    rows = []
    for f in files:
        for ln in f.read_text(encoding="utf-8").splitlines():
            if not ln.strip():
                continue
            r = json.loads(ln)
            if r.get("deadline"):
                dl = r["deadline"]
                rows.append(
                    {
                        "file": f.relative_to(ROOT).as_posix(),
                        "doc_id": r["doc_id"],
                        "text": dl["text"],
                        "fragment": r.get("text_contains") or "",
                        "gold": dl.get("date"),
                        "kind": dl["kind"],
                        "issue": issues.get(r["doc_id"]),
                    }
                )
    return rows


# ---------------------------------------------------------------- parsers


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def ours_factory() -> Callable[[str, dict, tuple[int, int] | None], str | None]:
    sys.path.insert(0, str(ROOT))
    from policy_kb.extract.dates import find_deadlines

    def ours(s: str, row: dict, span: tuple[int, int] | None) -> str | None:
        year = int(row["issue"][:4]) if row["issue"] else None
        dls = find_deadlines(s, year, row["issue"])
        if span is not None:
            dls = [d for d in dls if _overlap((d.start, d.end), span)]
        return dls[0].date if dls else None

    return ours


_FROM_RE = re.compile(r"(?:起|开始|以后)(?![^，。；]*?内)")


def jio_date(res: Any, s: str) -> str | None:
    if not isinstance(res, dict) or res.get("type") not in ("time_span", "time_point"):
        return None
    t = res.get("time")
    if not isinstance(t, list) or len(t) != 2:
        return None
    v = t[0] if _FROM_RE.search(s) else t[1]
    return v[:10] if isinstance(v, str) and re.match(r"\d{4}-\d{2}-\d{2}", v) else None


def jio_factory(jio: Any) -> tuple[Callable, Callable]:
    def base(row: dict) -> datetime | None:
        return datetime.strptime(row["issue"], "%Y-%m-%d") if row["issue"] else None

    def parse(s: str, row: dict, span: tuple[int, int] | None) -> str | None:
        try:
            return jio_date(jio.parse_time(s, time_base=base(row)), s)
        except Exception:  # jionlp raises ValueError on what it cannot parse
            return None

    def extract(s: str, row: dict, span: tuple[int, int] | None) -> str | None:
        try:
            ents = jio.ner.extract_time(s, time_base=base(row), with_parsing=True)
        except Exception:
            return None
        for e in ents:
            if span is None or _overlap(tuple(e["offset"]), span):
                return jio_date(e.get("detail"), e["text"])
        return None

    return parse, extract


# ---------------------------------------------------------------- scoring


def outcome(pred: str | None, gold: str | None) -> str:
    if pred == gold:
        return "ok"
    if gold is None:
        return "invented"
    return "miss" if pred is None else "wrong"


def score(rows: list[dict], preds: list[str | None]) -> dict[str, Any]:
    res: dict[str, Any] = {"n": len(rows)}
    oc = [outcome(p, r["gold"]) for p, r in zip(preds, rows)]
    dated = [o for o, r in zip(oc, rows) if r["gold"]]
    null = [o for o, r in zip(oc, rows) if not r["gold"]]
    res["all"] = (oc.count("ok"), len(oc))
    res["dated"] = (dated.count("ok"), len(dated))
    res["null"] = (null.count("ok"), len(null))
    res["invented"] = oc.count("invented")
    res["wrong"] = oc.count("wrong")
    res["miss"] = oc.count("miss")
    res["kind"] = {}
    for k in KINDS:
        ks = [o for o, r in zip(oc, rows) if r["kind"] == k]
        res["kind"][k] = (ks.count("ok"), len(ks))
    res["outcomes"] = oc
    return res


def frac(p: tuple[int, int]) -> str:
    return f"{p[0]}/{p[1]} ({p[0] / p[1]:.3f})" if p[1] else "–"


# ---------------------------------------------------------------- timing


def cold(stmt: str, n: int = 3) -> float:
    """Median wall seconds of a fresh interpreter running ``stmt`` minus a bare interpreter."""

    def t(code: str) -> float:
        ts = []
        for _ in range(n):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=ROOT)
            ts.append(time.perf_counter() - t0)
        return statistics.median(ts)

    return t(stmt) - t("pass")


def per_call(fn: Callable, rows: list[dict], reps: int = 5) -> float:
    fn(rows[0]["text"], rows[0], None)  # warm
    t0 = time.perf_counter()
    for _ in range(reps):
        for r in rows:
            fn(r["text"], r, None)
    return (time.perf_counter() - t0) / (reps * len(rows))


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="list every row where the parsers differ from gold")
    ap.add_argument("--json", type=Path, help="write the numbers here")
    ap.add_argument("--no-timing", action="store_true")
    args = ap.parse_args(argv)

    logging.disable(logging.CRITICAL)  # jionlp logs a traceback for every string it cannot parse
    try:
        import jionlp as jio
    except ImportError:
        print(
            "skip: jionlp is not importable here; run with /tmp/jiovenv/bin/python "
            "(python -m venv /tmp/jiovenv && /tmp/jiovenv/bin/pip install jionlp==1.5.31 cn2an)"
        )
        return 0
    try:
        ours = ours_factory()
    except ImportError as e:
        print(f"skip: policy_kb.extract.dates is not importable ({e}); pip install cn2an")
        return 0
    jparse, jextract = jio_factory(jio)

    rows = gold_rows()
    frag_rows = []
    for r in rows:
        i = r["fragment"].find(r["text"])
        if i >= 0:
            frag_rows.append(dict(r, span=(i, i + len(r["text"]))))

    runs = {
        ("text", "ours"): score(rows, [ours(r["text"], r, None) for r in rows]),
        ("text", "jionlp.parse_time"): score(rows, [jparse(r["text"], r, None) for r in rows]),
        ("fragment", "ours"): score(frag_rows, [ours(r["fragment"], r, r["span"]) for r in frag_rows]),
        ("fragment", "jionlp.parse_time"): score(frag_rows, [jparse(r["fragment"], r, None) for r in frag_rows]),
        ("fragment", "jionlp.ner.extract_time"): score(
            frag_rows, [jextract(r["fragment"], r, r["span"]) for r in frag_rows]
        ),
    }
    preds_text = {
        "ours": [ours(r["text"], r, None) for r in rows],
        "jionlp": [jparse(r["text"], r, None) for r in rows],
    }

    print(
        f"\nrows with a gold deadline: {len(rows)} (gold date set: {sum(bool(r['gold']) for r in rows)}, "
        f"null: {sum(not r['gold'] for r in rows)}); fragment rows (text_contains ⊇ deadline text): "
        f"{len(frag_rows)}\n"
    )
    kinds_present = [k for k in KINDS if any(r["kind"] == k for r in rows)]
    head = [
        "input",
        "parser",
        "all",
        "gold dated",
        "gold null (no invented date)",
        "invented",
        "wrong date",
        "missed",
    ] + [f"{k}" for k in kinds_present]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for (inp, name), s in runs.items():
        cells = [
            inp,
            name,
            frac(s["all"]),
            frac(s["dated"]),
            frac(s["null"]),
            str(s["invented"]),
            str(s["wrong"]),
            str(s["miss"]),
        ] + [frac(s["kind"][k]).split(" ")[0] for k in kinds_present]
        print("| " + " | ".join(cells) + " |")

    timing: dict[str, float] = {}
    if not args.no_timing:
        timing["jionlp_cold_import_s"] = cold("import jionlp")
        timing["jionlp_cold_import_first_call_s"] = cold(
            "import jionlp, logging; logging.disable(50); jionlp.parse_time('2024年6月底前', time_base=1700000000)"
        )
        timing["ours_cold_import_s"] = cold(
            f"import sys; sys.path.insert(0, {str(ROOT)!r}); import policy_kb.extract.dates"
        )
        timing["jionlp_per_call_ms"] = per_call(jparse, rows) * 1e3
        timing["ours_per_call_ms"] = per_call(ours, rows) * 1e3
        print("\n| timing | jionlp | ours |\n|---|---|---|")
        print(
            f"| cold import (fresh interpreter, minus bare start-up) | {timing['jionlp_cold_import_s']:.2f} s "
            f"(+ first parse: {timing['jionlp_cold_import_first_call_s']:.2f} s) | "
            f"{timing['ours_cold_import_s']:.2f} s |"
        )
        print(
            f"| per call, warm (mean over the {len(rows)} gold texts × 5) | {timing['jionlp_per_call_ms']:.3f} ms | "
            f"{timing['ours_per_call_ms']:.3f} ms |"
        )

    if args.verbose:
        print("\nrows where either parser is off (deadline text input):")
        for r, a, b in zip(rows, preds_text["ours"], preds_text["jionlp"]):
            if a != r["gold"] or b != r["gold"]:
                print(f"  [{r['kind']:9}] {r['text']!r:40} issue={r['issue']} gold={r['gold']} ours={a} jionlp={b}")
        print("\nfragment rows where either parser is off:")
        for r in frag_rows:
            a = ours(r["fragment"], r, r["span"])
            b = jparse(r["fragment"], r, None)
            c = jextract(r["fragment"], r, r["span"])
            if len({a, b, c, r["gold"]}) > 1:
                print(
                    f"  [{r['kind']:9}] {r['fragment'][:36]!r:40} gold={r['gold']} ours={a} parse_time={b} "
                    f"extract_time={c}"
                )

    if args.json:
        out = {f"{i}/{n}": {k: v for k, v in s.items() if k != "outcomes"} for (i, n), s in runs.items()}
        out["timing"] = timing
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
