"""The encoder backends side by side (issue 17), and policy-kb against a generic RAG baseline, in one run.

Everything is interleaved round by round so that other work on a shared machine hits every workload alike.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections import Counter, defaultdict
from datetime import date

import numpy as np

from .common import ROOT, Context, Row, log

TITLE = "Encoder backends and a generic RAG baseline"
ORDER = 15
GOLD = [ROOT / "tests/gold/questions.jsonl", *sorted((ROOT / "tests/gold/answers").glob("*.jsonl"))]
QUESTIONS = ROOT / "tests/gold/questions.jsonl"
PASSAGE_SAMPLE = 150  # passages per throughput round (every third seed passage)
ROUNDS = 3
QUERY_ROUNDS = 2  # passes over the 120 questions for query-encoding times
SPEEDUP_TARGET = 2.5
BASELINE_RATIO_TARGET = 0.6  # policy-kb search mean ≤ 0.6 × the baseline's
ASK_MEAN_TARGET_MS = 60.0
BASELINE_CHUNK_CHARS = 750
BASELINE_RRF_K = 60
BM25_K1, BM25_B = 1.5, 0.75
AS_OF = date(2024, 6, 1)

METHOD = f"""
On the seed knowledge base (built with the default encoder, or `--index DIR`).

* **Vectors**: cosine of each backend's vectors to float32 PyTorch (`POLICY_KB_BF16=0`) on every seed passage and
  every question of `tests/gold/questions.jsonl` and `tests/gold/answers/*.jsonl`; min and mean.
* **Passage encoding**: {PASSAGE_SAMPLE} seed passages (every third) per round, {ROUNDS} rounds, backends alternating;
  PyTorch with its default thread count (one per core) and batches of 16, as `build_index` ran it before issue 17
  (bfloat16 autocast on CPUs with native bf16); ONNX 4-bit one passage per call, one call per core in parallel.
  Median passages/s; the speed-up is ONNX / PyTorch. Target ≥ {SPEEDUP_TARGET}×.
* **Query encoding**: `encode_queries` on one question, one thread, the questions of `tests/gold/questions.jsonl`
  {QUERY_ROUNDS}× with the backends alternating query by query.
* **Against a generic RAG baseline**: each document's cleaned text cut into {BASELINE_CHUNK_CHARS}-character chunks,
  jieba BM25 (k1 {BM25_K1}, b {BM25_B}) and e5-small through sentence-transformers (PyTorch, one thread: how such a
  baseline is usually built) over the chunks, fused by RRF (k {BASELINE_RRF_K}), top 10.
  The same questions go to the baseline, to policy-kb `Searcher.search` (hybrid, k=10) and to `Answerer.ask` (own
  jurisdiction, as-of {AS_OF.isoformat()}), interleaved question by question, after a warm-up pass; means over all
  samples. Targets: search mean ≤ {BASELINE_RATIO_TARGET} × the baseline's; ask mean ≤ {ASK_MEAN_TARGET_MS:.0f} ms.
  The baseline is also timed with policy-kb's ONNX encoder, to show how much of the difference is the encoder.
"""


def _questions(paths: list) -> list[dict]:
    return [
        json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def _encoders(ctx: Context):  # type: ignore[no-untyped-def]
    from policy_kb.embed.embedder import DEFAULT_MODEL_NAME, SentenceTransformerEmbedder
    from policy_kb.embed.onnx_embedder import OnnxEmbedder
    from policy_kb.embed.provision import ensure_model

    folder = ensure_model()
    return (
        SentenceTransformerEmbedder(folder, name=DEFAULT_MODEL_NAME),
        SentenceTransformerEmbedder(folder, name=DEFAULT_MODEL_NAME, bf16=False),
        OnnxEmbedder(folder, name=DEFAULT_MODEL_NAME),
    )


def vectors(passages: list[str], questions: list[str], torch_today, torch_f32, onnx) -> list[Row]:  # type: ignore[no-untyped-def]
    ref_p, ref_q = torch_f32.encode_passages(passages), torch_f32.encode_queries(questions)
    rows = []
    for label, enc in (("PyTorch as before (bf16 autocast where native)", torch_today), ("ONNX 4-bit", onnx)):
        cp = np.sum(enc.encode_passages(passages) * ref_p, axis=1)
        cq = np.sum(enc.encode_queries(questions) * ref_q, axis=1)
        for what, cos, n in (("seed passages", cp, len(passages)), ("gold questions", cq, len(questions))):
            rows.append(
                Row(
                    f"cosine to float32 PyTorch, {label}, {what} (min)",
                    round(float(cos.min()), 5),
                    None,
                    "cosine",
                    n,
                    note=f"mean {cos.mean():.5f}",
                )
            )
            log(f"{rows[-1].name}: {rows[-1].median} (mean {cos.mean():.5f})")
    return rows


def throughput(passages: list[str], torch_today, onnx) -> list[Row]:  # type: ignore[no-untyped-def]
    import os

    import torch

    sample = passages[::3][:PASSAGE_SAMPLE]
    torch.set_num_threads(os.cpu_count() or 1)  # as a build ran it before issue 17
    rates: dict[str, list[float]] = {"torch": [], "onnx": []}
    for enc in (torch_today, onnx):  # warm-up
        enc.encode_passages(sample[:8])
    for _ in range(ROUNDS):
        for key, enc in (("torch", torch_today), ("onnx", onnx)):
            t0 = time.perf_counter()
            enc.encode_passages(sample)
            rates[key].append(len(sample) / (time.perf_counter() - t0))
    torch_rate, onnx_rate = statistics.median(rates["torch"]), statistics.median(rates["onnx"])
    rows = [
        Row(
            "passage encoding, PyTorch as before",
            round(torch_rate, 1),
            None,
            "passages/s",
            ROUNDS,
            note=f"{torch.get_num_threads()} threads, batches of 16, {len(sample)} passages per round",
        ),
        Row(
            "passage encoding, ONNX 4-bit",
            round(onnx_rate, 1),
            None,
            "passages/s",
            ROUNDS,
            note=f"{os.cpu_count()} passages in parallel, one thread each",
        ),
        Row(
            "passage encoding speed-up, ONNX 4-bit / PyTorch",
            round(onnx_rate / torch_rate, 2),
            None,
            "×",
            ROUNDS,
            target=SPEEDUP_TARGET,
        ),
    ]
    for row in rows:
        log(f"{row.name}: {row.median} {row.unit}")
    return rows


def query_times(questions: list[str], torch_today, onnx) -> list[Row]:  # type: ignore[no-untyped-def]
    import torch

    torch.set_num_threads(1)
    samples: dict[str, list[float]] = {"torch": [], "onnx": []}
    for q in questions[:10]:
        torch_today.encode_queries([q]), onnx.encode_queries([q])
    for q in questions * QUERY_ROUNDS:
        for key, enc in (("torch", torch_today), ("onnx", onnx)):
            t0 = time.perf_counter()
            enc.encode_queries([q])
            samples[key].append(time.perf_counter() - t0)
    rows = [
        Row.from_samples("query encoding, PyTorch as before (1 query, 1 thread)", samples["torch"]),
        Row.from_samples("query encoding, ONNX 4-bit (1 query, 1 thread)", samples["onnx"]),
    ]
    for row in rows:
        log(f"{row.name}: median {row.median:.1f} ms")
    return rows


class Baseline:
    """A generic RAG retriever: fixed-size chunks, jieba BM25 and dense vectors, reciprocal-rank fusion."""

    def __init__(self, texts: list[str], encoder) -> None:  # type: ignore[no-untyped-def]
        import jieba

        self.cut = jieba.lcut
        self.chunks = [t[i : i + BASELINE_CHUNK_CHARS] for t in texts for i in range(0, len(t), BASELINE_CHUNK_CHARS)]
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.lengths = []
        for i, chunk in enumerate(self.chunks):
            tokens = [w for w in self.cut(chunk) if w.strip()]
            self.lengths.append(len(tokens))
            for term, tf in Counter(tokens).items():
                self.postings[term].append((i, tf))
        self.avg_len = sum(self.lengths) / len(self.lengths)
        self.encoder = encoder
        self.vectors = encoder.encode_passages(self.chunks)

    def bm25(self, query: str) -> list[int]:
        n = len(self.chunks)
        scores: dict[int, float] = defaultdict(float)
        for term in {w for w in self.cut(query) if w.strip()}:
            posting = self.postings.get(term, [])
            idf = math.log(1 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
            for i, tf in posting:
                norm = tf + BM25_K1 * (1 - BM25_B + BM25_B * self.lengths[i] / self.avg_len)
                scores[i] += idf * tf * (BM25_K1 + 1) / norm
        return sorted(scores, key=lambda i: -scores[i])[:50]

    def search(self, query: str, k: int = 10) -> list[str]:
        dense = np.argsort(-(self.vectors @ self.encoder.encode_queries([query])[0]))[:50]
        fused: dict[int, float] = defaultdict(float)
        for ranking in (self.bm25(query), dense.tolist()):
            for rank, i in enumerate(ranking):
                fused[i] += 1 / (BASELINE_RRF_K + rank + 1)
        return [self.chunks[i] for i in sorted(fused, key=lambda i: -fused[i])[:k]]


def against_baseline(ctx: Context, torch_today, onnx) -> list[Row]:  # type: ignore[no-untyped-def]
    import torch

    from policy_kb.answer.compose import Answerer
    from policy_kb.store import Store

    torch.set_num_threads(1)
    store = Store(ctx.index)
    texts = [d.text for d in store.documents()]
    store.close()
    generic = Baseline(texts, torch_today)
    generic_onnx = Baseline(texts, onnx)
    searcher = ctx.searcher()
    answerer = Answerer(ctx.index, searcher=searcher)
    questions = _questions([QUESTIONS])
    workloads = {
        "generic RAG baseline (sentence-transformers PyTorch encoder)": lambda q: generic.search(q["question"]),
        "generic RAG baseline with the ONNX 4-bit encoder": lambda q: generic_onnx.search(q["question"]),
        "policy-kb search (hybrid, k=10)": lambda q: searcher.search(q["question"], k=10),
        "policy-kb ask": lambda q: answerer.ask(q["question"], q.get("jurisdiction"), as_of=AS_OF),
    }
    for q in questions:  # warm-up: lazy loads, caches
        for fn in workloads.values():
            fn(q)
    samples: dict[str, list[float]] = {name: [] for name in workloads}
    n = 60 if ctx.quick else len(questions) * 2
    for i in range(n):
        q = questions[i % len(questions)]
        for name, fn in workloads.items():
            t0 = time.perf_counter()
            fn(q)
            samples[name].append(time.perf_counter() - t0)
    means = {name: 1000 * statistics.fmean(s) for name, s in samples.items()}
    base = means["generic RAG baseline (sentence-transformers PyTorch encoder)"]
    rows = [Row.from_samples(f"{name}: per query", s, note=f"mean {means[name]:.1f} ms") for name, s in samples.items()]
    rows.append(
        Row(
            "policy-kb search mean / baseline mean",
            round(means["policy-kb search (hybrid, k=10)"] / base, 2),
            None,
            "ratio",
            n,
            target=BASELINE_RATIO_TARGET,
            note=f"{means['policy-kb search (hybrid, k=10)']:.1f} ms / {base:.1f} ms",
        )
    )
    rows.append(Row("policy-kb ask mean", round(means["policy-kb ask"], 1), None, "ms", n, target=ASK_MEAN_TARGET_MS))
    for row in rows:
        log(f"{row.name}: median {row.median} {row.unit} {row.note}")
    return rows


def run(ctx: Context) -> list[Row]:
    from policy_kb.search.dense import clause_passages
    from policy_kb.store import Store

    store = Store(ctx.index)
    _, passages = clause_passages(store)
    store.close()
    questions = [q["question"] for q in _questions(GOLD)]
    torch_today, torch_f32, onnx = _encoders(ctx)
    rows = vectors(passages, questions, torch_today, torch_f32, onnx)
    rows += throughput(passages, torch_today, onnx)
    rows += query_times([q["question"] for q in _questions([QUESTIONS])], torch_today, onnx)
    rows += against_baseline(ctx, torch_today, onnx)
    ctx.notes.append(
        f"{len(passages)} seed passages, {len(questions)} gold questions; the machine was shared with "
        "other sessions during the run (see the CPU share above)."
    )
    return rows
