"""Search benchmarks: warm query latency per mode, cold start of `policy-kb search`, and build times."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from .common import ROOT, Context, Row, log, time_calls

TITLE = "Search"
ORDER = 10
CARRY_OVER = ("full build",)  # rows a run may skip (`--index` reuses a KB, so nothing is built): keep the last value
HYBRID_TARGET_MS = 50.0
QUESTIONS = ROOT / "tests" / "gold" / "questions.jsonl"
COLD_QUERY = "小焦炉啥时候必须停"

METHOD = f"""
The seed corpus (`corpus/`, 5 documents) is built with the real embedding model (multilingual-e5-small, CPU) into a
temp dir, unless `--index DIR` names an existing knowledge base. All timings use that knowledge base.

* **Warm search**: one `Searcher` (model, dense index and SQLite loaded once, as in the web app); after a warm-up of
  20 queries per workload, the questions of `tests/gold/questions.jsonl` are searched in a cycle until 200 queries
  per workload have run (60 with `--quick`; `k=10`, no filter). The workloads are interleaved query by query, so
  bursts of other load on the machine affect them alike. Each sample is one `Searcher.search` call.
  *hybrid + jurisdiction* applies the question's own jurisdiction filter where it has one (as `eval retrieval`
  does). *query embedding* times `encode_queries` alone for one question, the model's share of a hybrid query.
  Query encoding runs on one thread (the ONNX encoder always; the PyTorch one with the thread count the `Searcher`
  configures, `POLICY_KB_TORCH_THREADS`, default 1). With the PyTorch encoder, *paired comparison* rows run hybrid
  search with 1 thread and with one thread per core in alternating blocks of 10 queries (so load changes hit both
  alike).
  Target: hybrid median ≤ {HYBRID_TARGET_MS:.0f} ms.
* **Cold start**: wall time from spawning `python -m policy_kb.cli search "{COLD_QUERY}" --json --index DIR` to the
  process exiting with its results (interpreter start, imports, model and index load, one search, JSON out); the OS
  file cache is warm after the first run. *keyword* mode never loads the model.
* **Build**: *full build* is `build_all` on the seed corpus into an empty dir (parse, obligations, FTS, embedding
  every passage with a cold embedding cache; includes loading the model). *no-op build* re-runs `build_all` on an
  unchanged corpus, in-process (model already loaded) and as `policy-kb build` in a new process. *dense index, cold
  cache* times `build_index` after deleting `embed_cache.sqlite` (encodes every passage; model already loaded);
  *warm cache* rebuilds from the cache (faiss only). Build timings run on a scratch copy of the knowledge base.
"""


def _questions() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _check_index(ctx: Context) -> dict:
    from policy_kb.search.dense import read_manifest

    manifest = read_manifest(ctx.index) or {}
    searcher = ctx.searcher()
    if searcher.dense is None:
        raise SystemExit(
            f"the dense index in {ctx.index} is missing or was built for another model "
            f"({manifest.get('model')} vs {searcher.embedder.name}): {searcher.warnings}"
        )
    return manifest


def warm_search(ctx: Context) -> list[Row]:
    """The workloads are interleaved query by query, so a burst of other work on the machine hits all of them
    alike instead of skewing whichever happened to be running."""
    from policy_kb.search.filters import SearchFilter

    searcher = ctx.searcher()
    enc = searcher.embedder
    questions = _questions()
    n_queries = 60 if ctx.quick else 200

    def search(mode: str, filtered: bool) -> Callable[[dict], object]:
        def one(q: dict) -> object:
            flt = SearchFilter(jurisdiction=q["jurisdiction"]) if filtered and q.get("jurisdiction") else None
            return searcher.search(q["question"], mode=mode, k=10, flt=flt)

        return one

    workloads: dict[str, tuple[Callable[[dict], object], float | None]] = {
        "warm search, hybrid": (search("hybrid", False), HYBRID_TARGET_MS),
        "warm search, keyword": (search("keyword", False), None),
        "warm search, semantic": (search("semantic", False), None),
        "warm search, hybrid + jurisdiction filter": (search("hybrid", True), None),
        "query embedding only (encode_queries, 1 query)": (lambda q: enc.encode_queries([q["question"]]), None),
    }
    for q in questions[:20]:  # warm-up
        for fn, _ in workloads.values():
            fn(q)
    samples: dict[str, list[float]] = {name: [] for name in workloads}
    for i in range(n_queries):
        q = questions[i % len(questions)]
        for name, (fn, _) in workloads.items():
            t0 = time.perf_counter()
            fn(q)
            samples[name].append(time.perf_counter() - t0)
    rows = []
    backend = getattr(enc, "backend", type(enc).__name__)
    threads = _torch_threads() if backend == "torch" else None  # the ONNX encoder runs each call on one thread
    encoder_note = f"torch threads = {threads}" if threads else f"encoder {backend}, 1 thread"
    for name, (_, target) in workloads.items():
        note = "" if "keyword" in name else encoder_note
        rows.append(Row.from_samples(name, samples[name], target=target, note=note))
        log(f"{name}: median {rows[-1].median:.1f} ms, p95 {rows[-1].p95:.1f} ms")
    if threads:
        rows += _other_threads(ctx, questions, n_queries)
    return rows


def _torch_threads() -> int | None:
    try:
        import torch
    except ImportError:
        return None
    return torch.get_num_threads()


def _other_threads(ctx: Context, questions: list[dict], n_queries: int) -> list[Row]:
    """Hybrid search with torch on 1 thread and on one thread per core, in alternating blocks of 10 queries so that
    a change of load on the machine affects both alike: shows what the configured setting
    (POLICY_KB_TORCH_THREADS, default 1) buys.  On a small, busy CPU a thread per core can lose more to
    synchronisation than it gains from parallelism; on an idle one it can win."""
    import os

    import torch

    searcher = ctx.searcher()
    searcher.embedder  # loading the model applies the configured thread count  # noqa: B018
    current = torch.get_num_threads()
    settings = sorted({1, os.cpu_count() or 1})
    if len(settings) == 1:
        return []
    samples: dict[int, list[float]] = {t: [] for t in settings}
    try:
        for t in settings:  # warm-up at each setting
            torch.set_num_threads(t)
            for q in questions[:10]:
                searcher.search(q["question"], k=10)
        i = 0
        while min(len(v) for v in samples.values()) < n_queries:
            for t in settings:
                torch.set_num_threads(t)
                for j in range(10):
                    q = questions[(i + j) % len(questions)]
                    samples[t] += time_calls(lambda q=q: searcher.search(q["question"], k=10), 1)
            i += 10
    finally:
        torch.set_num_threads(current)
    rows = [
        Row.from_samples(
            f"warm search, hybrid, torch threads = {t} (paired comparison)",
            samples[t],
            note="configured setting" if t == current else "",
        )
        for t in settings
    ]
    for row in rows:
        log(f"{row.name}: median {row.median:.1f} ms")
    return rows


def _cli(ctx: Context, *args: str, index: Path) -> tuple[float, subprocess.CompletedProcess]:
    cmd = [ctx.python, "-m", "policy_kb.cli", *args, "--index", str(index)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=ctx.env(), capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed, proc


def cold_start(ctx: Context) -> list[Row]:
    runs = 2 if ctx.quick else 5
    rows = []
    for mode in ("hybrid", "keyword"):
        samples = []
        for _ in range(runs):
            elapsed, proc = _cli(ctx, "search", COLD_QUERY, "--json", "--mode", mode, index=ctx.index)
            hits = json.loads(proc.stdout)
            assert hits, f"cold {mode} search returned nothing"
            samples.append(elapsed)
        rows.append(
            Row.from_samples(f"cold start → first result, {mode} (`policy-kb search`, new process)", samples, unit="s")
        )
        log(f"{rows[-1].name}: median {rows[-1].median:.2f} s")
    return rows


def build_times(ctx: Context, manifest: dict) -> list[Row]:
    from policy_kb.pipeline import build_all
    from policy_kb.search.dense import CACHE_FILE, build_index
    from policy_kb.store import Store

    rows: list[Row] = []
    if ctx.build_seconds is not None:
        r = ctx.build_report
        rows.append(
            Row(
                "full build, seed corpus, cold embedding cache (in-process, incl. model load)",
                round(ctx.build_seconds, 3),
                None,
                unit="s",
                n=1,
                note=f"{len(r.added)} documents, {manifest.get('count')} clauses, {manifest.get('vectors')} passages",
            )
        )
        log(f"full build: {ctx.build_seconds:.1f} s")

    work = ctx.scratch("build-copy")
    index = work / "index"
    shutil.copytree(ctx.index, index)
    runs = 1 if ctx.quick else 3
    changed: list[bool] = []

    def noop() -> None:
        changed.append(build_all(ctx.corpus, index, progress=lambda m: None).changed)

    noop()  # the first run may migrate or complete a copied index; not a sample
    samples = time_calls(noop, runs)
    note = "nothing changed" if not any(changed[1:]) else "WARNING: the corpus differs from --index, files were rebuilt"
    rows.append(Row.from_samples("no-op build (in-process, model loaded)", samples, unit="s", note=note))
    cli_samples, rebuilt = [], 0
    for _ in range(runs):
        elapsed, proc = _cli(ctx, "build", "--corpus", str(ctx.corpus), index=index)
        cli_samples.append(elapsed)
        rebuilt += "dense index:" in proc.stderr or "processing" in proc.stderr  # it did more than check
    note = "new process: interpreter start, imports, change detection"
    if rebuilt:
        note += f"; WARNING: {rebuilt} of {runs} runs rebuilt something (code or corpus changed during the run?)"
    rows.append(Row.from_samples("no-op build (`policy-kb build`, new process)", cli_samples, unit="s", note=note))
    log(f"no-op build: {rows[-2].median:.2f} s in-process, {rows[-1].median:.2f} s CLI")

    embedder = ctx.searcher().embedder
    store = Store(index)
    try:
        (index / CACHE_FILE).unlink()
        for suffix in ("-wal", "-shm"):
            (index / (CACHE_FILE + suffix)).unlink(missing_ok=True)
        t0 = time.perf_counter()
        stats = build_index(store, embedder)
        cold = time.perf_counter() - t0
        rows.append(
            Row(
                "dense index build, cold cache (encode all passages)",
                round(cold, 3),
                None,
                unit="s",
                n=1,
                note=f"{stats.encoded} passages encoded, {stats.encoded / cold:.1f} passages/s, {stats.kind}",
            )
        )
        warm = time_calls(lambda: build_index(store, embedder), 3)
        rows.append(Row.from_samples("dense index rebuild, warm cache (faiss only)", warm, unit="s"))
    finally:
        store.close()
    log(f"dense build: {cold:.1f} s cold cache, {rows[-1].median:.3f} s warm")
    return rows


def run(ctx: Context) -> list[Row]:
    _ = ctx.index  # builds the KB (timed) unless --index was given
    manifest = _check_index(ctx)
    rows = warm_search(ctx)
    rows += cold_start(ctx)
    rows += build_times(ctx, manifest)
    ctx.notes.append(
        f"{len(_questions())} questions. Knowledge base: model `{manifest.get('model')}`, "
        f"{manifest.get('count')} clauses, "
        f"{manifest.get('vectors')} passage vectors ({manifest.get('kind')} index)."
    )
    return rows
