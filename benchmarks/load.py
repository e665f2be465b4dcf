"""Load: the web app under concurrent clients — errors, mixed-up answers, throughput, latency and server memory.

Run alone with `make stress` (= `python -m benchmarks.run --only load`).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .common import ROOT, Context, CpuShare, Row, log, percentile

TITLE = "Load: concurrent web clients"
ORDER = 30
QUESTIONS = ROOT / "tests" / "gold" / "questions.jsonl"
ALL = "全部 / all"
# (clients, questions per client, time limit in seconds); --quick shrinks them
RUNS = [(1, 50, 300), (20, 50, 600), (8, 50, 600)]
QUICK_RUNS = [(1, 10, 120), (20, 5, 180), (8, 5, 120)]
SETTLE_S = 5.0  # idle time before an "after" memory sample
REQUEST_TIMEOUT_S = 300.0

METHOD = f"""
The web app is started as users start it: `python app.py` in a new process (`POLICY_KB_INDEX` = the knowledge base
built from `corpus/` with the real embedding model, or a copy of `--index`; `GRADIO_SERVER_PORT` = a free port;
the app's own queue settings: chat `concurrency_limit=8`). After one warm-up question (model load), each run starts
*N* client threads at once, each with its own `gradio_client.Client` (its own session), each asking *M* questions of
`tests/gold/questions.jsonl` through the stable `/chat` API (jurisdiction 全部, as-of = the day of the run), cycling
through the 120 questions from its own starting offset (client *i* starts at question 6·*i*). A run stops early
when its time limit passes and reports how many questions completed. Runs, in this order: 1 client × 50 questions
(sequential baseline), 20 clients × 50, 8 clients × 50 (issue #8: concurrent throughput with 8 clients).

* **latency** – wall time of one `/chat` call at the client (queueing included); median and p95 over the run.
* **throughput** – completed questions ÷ wall time of the run (first question sent → last answer received).
* **correct pairing** – every response is compared with a reference computed in-process before the server starts,
  `handlers.chat(…)` → `Answerer.ask(question, None, as_of)` on the same knowledge base: the echoed question must be
  the one the client sent, and the answer text and the cited clauses (source titles and clause ids) must equal the
  reference. A response that differs is counted as *mixed up* when its answer and sources are those of another
  question.
* **errors** – exceptions raised by the client (server errors, timeouts of {REQUEST_TIMEOUT_S:.0f} s).
* **server memory** – VmRSS of the server process from `/proc/<pid>/status`, sampled every 0.5 s: idle after the
  warm-up, peak during each run, and idle {SETTLE_S:.0f} s after each run; *growth* compares the idle samples.
* **CPU** – average cores used during each run by the server (`/proc/<pid>/stat`), by the client threads (the
  benchmark process) and by every other process on the machine (`/proc/stat` minus both): on a small shared machine
  the other processes' share explains most run-to-run differences in throughput.
"""


def _questions() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _text(message: dict) -> str:
    """A chat message's text whether the content is a string or Gradio 6's list of parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    return "".join(part.get("text") or "" for part in content or [] if isinstance(part, dict))


def _signature(history: list[dict]) -> tuple[str, str, tuple[str, ...]]:
    """(question, answer text, source titles + bodies) of a one-question chat history."""
    question = _text(history[0]) if history else ""
    answer = _text(history[1]) if len(history) > 1 else ""
    sources = tuple(f"{(m.get('metadata') or {}).get('title', '')}\n{_text(m)}" for m in history[2:])
    return question, answer, sources


# ---- the server ---------------------------------------------------------------------------------------------------
def _cpu_seconds(pid: int) -> float:
    """user + system CPU time of a running process (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_kb(pid: int) -> tuple[int, int]:
    """(VmRSS in kB, thread count) of a process."""
    rss = threads = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
        elif line.startswith("Threads:"):
            threads = int(line.split()[1])
    return rss, threads


class Server:
    def __init__(self, ctx: Context, index: Path, corpus: Path, workdir: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = workdir / "app.log"
        env = dict(
            ctx.env(),
            POLICY_KB_INDEX=str(index),
            POLICY_KB_CORPUS=str(corpus),
            GRADIO_SERVER_PORT=str(self.port),
            GRADIO_SERVER_NAME="127.0.0.1",
            GRADIO_ANALYTICS_ENABLED="False",
            PYTHONUNBUFFERED="1",
        )
        env.pop("POLICY_KB_ADMIN_PASSWORD", None)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [ctx.python, str(ROOT / "app.py")], cwd=workdir, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        self.samples: list[tuple[float, int, int]] = []  # (monotonic time, rss kB, threads)
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample_loop, daemon=True, name="rss-sampler")

    def wait_ready(self, timeout: float = 180.0) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.proc.poll() is not None:
                raise SystemExit(f"app.py exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200:
                        self._sampler.start()
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"app.py did not answer on {self.url} within {timeout:.0f} s:\n{self.tail()}")

    def _sample_loop(self) -> None:
        while not self._stop.is_set() and self.proc.poll() is None:
            try:
                rss, threads = _rss_kb(self.proc.pid)
                self.samples.append((time.monotonic(), rss, threads))
            except (OSError, ValueError):
                pass
            self._stop.wait(0.5)

    def rss_mb(self) -> float:
        return round(_rss_kb(self.proc.pid)[0] / 1024, 1)

    def peak_between(self, t0: float, t1: float) -> tuple[float, int]:
        window = [(rss, th) for t, rss, th in self.samples if t0 <= t <= t1]
        if not window:
            return self.rss_mb(), 0
        return round(max(r for r, _ in window) / 1024, 1), max(th for _, th in window)

    def tail(self, n: int = 3000) -> str:
        try:
            return self.log_path.read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self) -> None:
        self._stop.set()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


# ---- clients ---------------------------------------------------------------------------------------------------------
@dataclass
class RunResult:
    clients: int
    per_client: int
    limit_s: float
    latencies: list[float] = field(default_factory=list)
    completed: int = 0
    identical: int = 0
    same_citations: int = 0
    wrong_question: int = 0
    mixed_up: int = 0
    errors: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    t0: float = 0.0
    t1: float = 0.0
    stopped_early: bool = False
    cores: dict[str, float] = field(default_factory=dict)  # average cores used: server, clients, others


def _client_loop(
    url: str,
    client_id: int,
    n: int,
    questions: list[dict],
    as_of: str,
    start: threading.Barrier,
    deadline: list[float],
    out: dict,
) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    start.wait()
    records = []
    for i in range(n):
        if time.monotonic() >= deadline[0]:
            out["stopped_early"] = True
            break
        q = questions[(client_id * 6 + i) % len(questions)]
        t0 = time.perf_counter()
        try:
            history, _box = client.submit(q["question"], [], ALL, as_of, api_name="/chat").result(
                timeout=REQUEST_TIMEOUT_S
            )
        except Exception as e:  # counted, the run goes on
            records.append(("error", q["id"], time.perf_counter() - t0, f"{type(e).__name__}: {e}"[:300]))
            continue
        records.append(("ok", q["id"], time.perf_counter() - t0, _signature(history)))
    out["records"] = records


def run_clients(
    url: str,
    clients: int,
    per_client: int,
    limit_s: float,
    questions: list[dict],
    as_of: str,
    reference: dict[str, tuple],
    server_pid: int,
) -> RunResult:
    by_answer = {sig[1:]: qid for qid, sig in reference.items()}  # (answer, sources) → question
    result = RunResult(clients, per_client, limit_s)
    start = threading.Barrier(clients + 1)
    deadline = [float("inf")]
    outs: list[dict] = [{} for _ in range(clients)]
    threads = [
        threading.Thread(
            target=_client_loop,
            name=f"client-{i}",
            args=(url, i, per_client, questions, as_of, start, deadline, outs[i]),
        )
        for i in range(clients)
    ]
    for t in threads:
        t.start()
    start.wait()  # every client has its session
    result.t0 = time.monotonic()
    deadline[0] = result.t0 + limit_s
    started = time.perf_counter()
    busy0, own0, server0 = CpuShare._busy(), CpuShare._own(), _cpu_seconds(server_pid)
    for t in threads:
        t.join()
    result.wall_s = time.perf_counter() - started
    result.t1 = time.monotonic()
    busy1, own1, server1 = CpuShare._busy(), CpuShare._own(), _cpu_seconds(server_pid)
    if busy0 is not None and busy1 is not None and result.wall_s > 0:
        server_s, own_s = server1 - server0, own1 - own0
        result.cores = {
            "server": server_s / result.wall_s,
            "clients": own_s / result.wall_s,
            "others": max(0.0, busy1 - busy0 - server_s - own_s) / result.wall_s,
        }
    for out in outs:
        result.stopped_early |= bool(out.get("stopped_early"))
        for kind, qid, seconds, payload in out.get("records", []):
            if kind == "error":
                result.errors.append(f"{qid}: {payload}")
                continue
            result.completed += 1
            result.latencies.append(seconds)
            ref = reference[qid]
            if payload[0] != ref[0]:
                result.wrong_question += 1
            if payload == ref:
                result.identical += 1
            elif len(result.diffs) < 5:
                result.diffs.append(f"{qid}: got answer {payload[1][:80]!r}, expected {ref[1][:80]!r}")
            if payload[2] == ref[2]:
                result.same_citations += 1
            other = by_answer.get(payload[1:])
            if payload[1:] != ref[1:] and other is not None and other != qid:
                result.mixed_up += 1  # the answer and sources of another question
    return result


# ---- the section ------------------------------------------------------------------------------------------------
def _reference(index: Path, corpus: Path, exports: Path, questions: list[dict], as_of: str) -> dict[str, tuple]:
    """What the app must answer for each question, computed in-process with the same handler and knowledge base."""
    from policy_kb.app import handlers
    from policy_kb.app.service import Paths, Service

    service = Service(Paths(index=index, corpus=corpus, exports=exports))
    reference = {}
    for q in questions:
        history = handlers.chat(service, q["question"], [], ALL, as_of)
        reference[q["id"]] = _signature(history)
    service.store().close()
    return reference


def _rows(res: RunResult, label: str, server: Server, idle_before: float, idle_after: float) -> list[Row]:
    total = res.clients * res.per_client
    peak, threads = server.peak_between(res.t0, res.t1)
    status = (
        f"{res.completed}/{total} completed in {res.wall_s:.0f} s"
        + (f" (stopped at the {res.limit_s:.0f} s limit)" if res.stopped_early else "")
        + f", {len(res.errors)} errors, {res.mixed_up} mixed up"
    )
    rows = []
    if res.latencies:
        rows.append(Row.from_samples(f"{label}: latency per question", res.latencies, note=status))
    cpu = (
        f"; CPU cores used on average: server {res.cores['server']:.2f}, client threads "
        f"{res.cores['clients']:.2f}, other processes {res.cores['others']:.2f} (of {os.cpu_count()})"
        if res.cores
        else ""
    )
    rows.append(
        Row(
            f"{label}: throughput",
            round(res.completed / res.wall_s, 2) if res.wall_s else 0.0,
            None,
            unit="questions/s",
            n=res.completed,
            note=status + cpu,
        )
    )
    rows.append(
        Row(
            f"{label}: responses identical to the in-process reference",
            round(100.0 * res.identical / res.completed, 1) if res.completed else 0.0,
            None,
            unit="%",
            n=res.completed,
            note=f"same cited clauses {res.same_citations}/{res.completed}; wrong question echoed "
            f"{res.wrong_question}; answers of another question {res.mixed_up}",
        )
    )
    rows.append(
        Row(
            f"{label}: errors",
            len(res.errors),
            None,
            unit="count",
            n=res.completed + len(res.errors),
            note="; ".join(res.errors[:3]),
        )
    )
    rows.append(
        Row(
            f"{label}: server RSS peak during the run",
            peak,
            None,
            unit="MB",
            n=1,
            note=f"idle before {idle_before:.0f} MB; peak threads {threads}",
        )
    )
    rows.append(
        Row(
            f"{label}: server RSS growth (idle after − idle before)",
            round(idle_after - idle_before, 1),
            None,
            unit="MB",
            n=1,
            note=f"idle after {idle_after:.0f} MB ({SETTLE_S:.0f} s after the run)",
        )
    )
    return rows


def run(ctx: Context) -> list[Row]:
    questions = _questions()
    work = ctx.scratch("load")
    if ctx.index_arg is not None:  # never write into a reused knowledge base: the app runs on a copy
        index = work / "index"
        if not index.exists():
            shutil.copytree(ctx.index, index, ignore=shutil.ignore_patterns(".build.lock", "exports"))
    else:
        index = ctx.index
    corpus = work / "corpus"
    if not corpus.exists():
        shutil.copytree(ctx.corpus, corpus)
    as_of = date.today().isoformat()

    log(f"load: computing {len(questions)} reference answers in-process …")
    t0 = time.perf_counter()
    reference = _reference(index, corpus, work / "exports", questions, as_of)
    log(f"load: reference answers in {time.perf_counter() - t0:.1f} s")

    server = Server(ctx, index, corpus, work)
    rows: list[Row] = []
    try:
        ready = server.wait_ready()
        from gradio_client import Client

        t0 = time.perf_counter()
        Client(server.url, verbose=False).predict(questions[0]["question"], [], ALL, as_of, api_name="/chat")
        warm = time.perf_counter() - t0
        time.sleep(SETTLE_S)
        idle0 = idle = server.rss_mb()
        log(f"load: app.py answered after {ready:.1f} s, first question (model load) {warm:.1f} s, idle RSS {idle} MB")
        rows.append(Row("server start → first page (`python app.py`)", round(ready, 2), None, unit="s", n=1))
        rows.append(Row("first question after start (loads the model)", round(warm, 2), None, unit="s", n=1))
        rows.append(Row("server RSS idle after warm-up", idle, None, unit="MB", n=1))
        for clients, per_client, limit in QUICK_RUNS if ctx.quick else RUNS:
            label = f"{clients} client{'s' if clients > 1 else ''} × {per_client} questions"
            log(f"load: {label} (limit {limit} s) …")
            res = run_clients(server.url, clients, per_client, limit, questions, as_of, reference, server.proc.pid)
            time.sleep(SETTLE_S)
            after = server.rss_mb()
            rows += _rows(res, label, server, idle, after)
            p50 = percentile(res.latencies, 50) * 1000 if res.latencies else float("nan")
            p95 = percentile(res.latencies, 95) * 1000 if res.latencies else float("nan")
            log(
                f"load: {label}: {res.completed} done in {res.wall_s:.1f} s = {res.completed / res.wall_s:.2f} q/s, "
                f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, errors {len(res.errors)}, identical {res.identical}, "
                f"mixed up {res.mixed_up}, RSS {idle:.0f} → {after:.0f} MB, cores "
                + ", ".join(f"{k} {v:.2f}" for k, v in res.cores.items())
            )
            for d in res.diffs:
                log(f"load:   differs: {d}")
            for e in res.errors[:5]:
                log(f"load:   error: {e}")
            if res.diffs:
                ctx.notes.append(
                    f"{label}: first responses that differ from the reference: "
                    + "; ".join(d.replace("|", "\\|") for d in res.diffs[:3])
                )
            idle = after
        rows.append(
            Row(
                "server RSS growth over all runs (idle at end − idle after warm-up)",
                round(idle - idle0, 1),
                None,
                unit="MB",
                n=1,
                note=f"{idle0:.0f} → {idle:.0f} MB",
            )
        )
        if server.proc.poll() is not None:
            raise RuntimeError(f"app.py died during the load test:\n{server.tail()}")
    finally:
        server.stop()
    ctx.notes.append(
        f"{len(questions)} questions in `tests/gold/questions.jsonl`; as-of {as_of}; server log tail "
        "kept in the scratch dir with `--keep`."
    )
    return rows
