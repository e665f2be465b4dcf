"""Every user-visible serialisation of the seed knowledge base, written to one folder so that a refactor can be
checked byte for byte: `diff -r before/ after/` must be empty.

    PYTHONHASHSEED=0 python -m benchmarks.export_snapshot OUT_DIR

(PYTHONHASHSEED fixes the order of the store's department search column, which is joined from a set.)

Builds the five seed documents (fake embedder, so no model is loaded) into OUT_DIR/kb and writes the obligations
export (JSON, JSON Lines, CSV; unfiltered and filtered), every obligation's ``to_dict`` as stored and as read back,
the search and answer JSON of a few questions and every gold profile's checklist (JSON, CSV, iCalendar).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import sqlite3
import sys
from pathlib import Path

ROOT = Path(os.environ.get("POLICY_KB_SNAPSHOT_ROOT") or Path(__file__).resolve().parent.parent)
FILTERS = [
    [],
    ["--jurisdiction", "山西省"],
    ["--doc", "xinzhou-2022-71-coking-hq"],
    ["--department", "市生态环境局"],
    ["--due-before", "2023-12-31"],
    ["--due-after", "2020-01-01"],
    ["--modality", "must"],
]
# build times differ between runs, and a document's content hash includes the pipeline's source (PIPELINE_VERSION)
_STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|\b[0-9a-f]{64}\b")
QUESTIONS = ["焦炉什么时候关停？", "谁牵头负责焦化行业整治？", "违反规定罚款多少？"]


def _run(argv: list[str]) -> str:
    from policy_kb.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(argv)
    return out.getvalue()


def snapshot(out: Path) -> None:
    from policy_kb.pipeline import build_all

    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    kb = out / "kb"
    os.environ["POLICY_KB_EMBED_MODEL"] = "fake"
    build_all(ROOT / "corpus", kb, progress=lambda *a, **k: None)
    idx = ["--index", str(kb)]
    for i, flt in enumerate(FILTERS):
        for fmt in ("json", "jsonl", "csv"):
            target = out / f"export-{i}.{fmt}"
            _run(["export", "obligations", "--format", fmt, "-o", str(target), *idx, *flt])
    con = sqlite3.connect(kb / "kb.sqlite")
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    with (out / "store.txt").open("w", encoding="utf-8") as f:
        for t in tables:
            if t.startswith(("clause_fts", "meta")) or "fts" in t:
                continue
            for row in con.execute(f"SELECT * FROM {t} ORDER BY 1"):
                line = json.dumps(row, ensure_ascii=False, default=str)
                f.write(f"{t}\t{_STAMP.sub('<time>', line)}\n")
    con.close()
    from policy_kb.store import Store

    store = Store(kb)
    (out / "obligations.jsonl").write_text(
        "".join(json.dumps(o.to_dict(), ensure_ascii=False) + "\n" for o in store.obligations()), encoding="utf-8"
    )
    for i, q in enumerate(QUESTIONS):
        (out / f"search-{i}.json").write_text(_run(["search", q, "--json", *idx]), encoding="utf-8")
        ask = json.loads(_run(["ask", q, "--json", "--as-of", "2024-01-01", *idx]))
        ask.pop("elapsed_ms", None)
        (out / f"ask-{i}.json").write_text(json.dumps(ask, ensure_ascii=False, indent=1), encoding="utf-8")
    for prof in sorted((ROOT / "tests/gold/profiles").glob("*.json")):
        for fmt in ("json", "csv", "ics"):
            text = _run(["profile", "check", str(prof), "--format", fmt, "--as-of", "2024-01-01", *idx])
            text = re.sub(r"(?m)^DTSTAMP:.*$", "DTSTAMP:<time>", text)
            (out / f"profile-{prof.stem}.{fmt}").write_text(text, encoding="utf-8")
    shutil.rmtree(kb)


if __name__ == "__main__":
    snapshot(Path(sys.argv[1]))
