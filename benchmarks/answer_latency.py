"""`ask` latency on the seed corpus: warm answers in one process, and cold start to the first answer."""

from __future__ import annotations

import json
import subprocess
import time
from datetime import date

from .common import ROOT, Context, Row, log

TITLE = "Answers (`ask`)"
ORDER = 20
ASK_P50_TARGET_MS = 100.0
COLD_TARGET_S = 4.0  # issue 17: first answer of a new process
QUESTIONS = ROOT / "tests" / "gold" / "questions.jsonl"
COLD_QUESTION = "小焦炉啥时候必须停"
AS_OF = date(2024, 6, 1)

METHOD = f"""
The seed corpus is built with the real model (shared with the *Search* section, or `--index DIR`).

* **Warm `ask`**: one `Answerer` sharing the benchmark's `Searcher` (model, dense index and SQLite loaded once, as
  in the web app); after a warm-up pass over the questions of `tests/gold/questions.jsonl`, each question is asked
  with its own jurisdiction (as `policy-kb eval answers` does) in a cycle until 200 answers have run (60 with
  `--quick`), `as_of` fixed to {AS_OF.isoformat()}. Each sample is one `Answerer.ask` call: spelling, question
  understanding, hybrid search (k=30), evidence selection, rendering and citation checks; the searcher's cache of
  query vectors is emptied before each sample, so every question is encoded as a new one. Rows per intent show where
  the time goes. Target: median ≤ {ASK_P50_TARGET_MS:.0f} ms.
* **Cold start → first answer**: wall time from spawning `python -m policy_kb.cli ask "{COLD_QUESTION}" --json
  --index DIR` to the process exiting with its answer (interpreter, imports, model and index load, one answer, JSON
  out); OS file cache warm after the first run. Target ≤ {COLD_TARGET_S:.0f} s.
"""


def _questions() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def warm(ctx: Context) -> list[Row]:
    from policy_kb.answer.compose import Answerer

    answerer = Answerer(ctx.index, searcher=ctx.searcher())
    questions = _questions()
    n = 60 if ctx.quick else 200

    def ask(q: dict):  # type: ignore[no-untyped-def]
        return answerer.ask(q["question"], q.get("jurisdiction"), as_of=AS_OF)

    for q in questions:  # warm-up: every lazy load and per-word cache
        ask(q)
    samples: list[float] = []
    by_intent: dict[str, list[float]] = {}
    statuses: dict[str, int] = {}
    for i in range(n):
        q = questions[i % len(questions)]
        answerer.searcher.query_vector.cache_clear()  # each sample encodes its question, as a new question would
        t0 = time.perf_counter()
        answer = ask(q)
        sec = time.perf_counter() - t0
        samples.append(sec)
        by_intent.setdefault(answer.intent, []).append(sec)
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
    row = Row.from_samples(
        "warm ask (Answerer.ask, model loaded)",
        samples,
        target=ASK_P50_TARGET_MS,
        note="answers: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())),
    )
    log(f"{row.name}: median {row.median:.1f} ms, p95 {row.p95:.1f} ms")
    rows = [row]
    for intent, secs in sorted(by_intent.items(), key=lambda kv: -len(kv[1])):
        rows.append(Row.from_samples(f"warm ask, intent {intent}", secs))
    return rows


def cold(ctx: Context) -> list[Row]:
    runs = 2 if ctx.quick else 5
    samples = []
    cmd = [ctx.python, "-m", "policy_kb.cli", "ask", COLD_QUESTION, "--json", "--index", str(ctx.index)]
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=ctx.env(), capture_output=True, text=True, timeout=600)
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        answer = json.loads(proc.stdout)
        assert answer.get("answer"), "cold ask returned no answer text"
        samples.append(elapsed)
    row = Row.from_samples(
        "cold start → first answer (`policy-kb ask`, new process)",
        samples,
        unit="s",
        target=COLD_TARGET_S,
        note=f"answer status: {answer.get('status')}",
    )
    log(f"{row.name}: median {row.median:.2f} s")
    return [row]


def run(ctx: Context) -> list[Row]:
    rows = warm(ctx)
    rows += cold(ctx)
    ctx.notes.append(f"{len(_questions())} questions.")
    return rows
