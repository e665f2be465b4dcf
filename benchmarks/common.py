"""Shared pieces of the benchmark harness: result rows, the run context, timing helpers, machine facts, and the
results.json ⇄ docs/benchmarks.md round trip.

A benchmark *section* is a module in this package that defines

    TITLE: str              heading on the page
    ORDER: int              position on the page (smaller first)
    METHOD: str             markdown paragraph(s): what is measured and how
    CARRY_OVER: tuple[str]  (optional) name prefixes of rows a run may skip; their last values are kept
    def run(ctx: Context) -> list[Row]

`benchmarks.run` discovers such modules, runs the selected ones and re-renders the whole page from
benchmarks/results.json, so sections that were not re-run keep their previous numbers.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"
PAGE = ROOT / "docs" / "benchmarks.md"
SCHEMA = 1


# ---- rows ------------------------------------------------------------------------------------------------------
# Units whose figures are better when higher: a target is then a floor, met when measured/target ≥ 1.
HIGHER_IS_BETTER_UNITS = frozenset({"recall", "%", "questions/s", "passages/s", "×"})


@dataclass
class Row:
    """One measured quantity.  `median`/`p95` are in `unit`; `target` (same unit) applies to the median: a ceiling
    for times and sizes, a floor for recall and throughput (`higher_is_better`, inferred from the unit when None)."""

    name: str
    median: float
    p95: float | None = None
    unit: str = "ms"
    n: int = 1
    target: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    higher_is_better: bool | None = None

    @property
    def higher(self) -> bool:
        return self.unit in HIGHER_IS_BETTER_UNITS if self.higher_is_better is None else self.higher_is_better

    @property
    def ratio(self) -> float | None:
        return self.median / self.target if self.target else None

    @property
    def meets_target(self) -> bool | None:
        if self.ratio is None:
            return None
        return self.ratio >= 1 if self.higher else self.ratio <= 1

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Row:
        keys = ("name", "median", "p95", "unit", "n", "target", "note", "extra", "higher_is_better")
        return cls(**{k: d[k] for k in keys if k in d})

    @classmethod
    def from_samples(cls, name: str, seconds: list[float], unit: str = "ms", **kw: Any) -> Row:
        scale = 1000.0 if unit == "ms" else 1.0
        values = [s * scale for s in seconds]
        return cls(
            name=name,
            median=round(statistics.median(values), 3),
            p95=round(percentile(values, 95), 3),
            unit=unit,
            n=len(values),
            **kw,
        )


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (the value below which q% of samples fall); max for tiny samples."""
    s = sorted(values)
    if not s:
        raise ValueError("no samples")
    rank = max(1, -(-len(s) * q // 100))  # ceil(n·q/100)
    return s[int(rank) - 1]


def time_calls(fn: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


# ---- context -----------------------------------------------------------------------------------------------------
class Context:
    """What sections share: the knowledge base (built once with the real model, or reused), a scratch dir,
    the python to spawn, and options.  Sections must not write into a reused --index dir: copy it to
    `scratch()` first."""

    def __init__(self, index: Path | None, corpus: Path, quick: bool, keep: bool = False):
        self.index_arg = index
        self.corpus = corpus
        self.quick = quick
        self.keep = keep
        self.python = sys.executable
        self._tmp = Path(tempfile.mkdtemp(prefix="policy-kb-bench-"))
        self._index: Path | None = None
        self.build_report: Any = None  # set when the KB was built here
        self.build_seconds: float | None = None
        self._searcher: Any = None
        self.notes: list[str] = []  # free-text notes of the section being run (reset per section)
        self.sample: int | None = None  # `--sample N`: sections over a real corpus use about N of its files

    def scratch(self, name: str) -> Path:
        path = self._tmp / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def env(self) -> dict[str, str]:
        """Environment for child processes: the default (real) model unless the caller chose one."""
        return dict(os.environ)

    @property
    def index(self) -> Path:
        if self._index is None:
            if self.index_arg is not None:
                if not (self.index_arg / "kb.sqlite").exists():
                    raise SystemExit(f"--index {self.index_arg}: no knowledge base there (run `policy-kb build`)")
                self._index = self.index_arg
            else:
                from policy_kb.pipeline import build_all

                target = self._tmp / "index"
                log(f"building the seed knowledge base with the real model into {target} …")
                t0 = time.perf_counter()
                self.build_report = build_all(self.corpus, target, progress=lambda m: None)
                self.build_seconds = time.perf_counter() - t0
                if self.build_report.errors:
                    raise SystemExit(f"build failed: {self.build_report.errors}")
                self._index = target
        return self._index

    def searcher(self) -> Any:
        if self._searcher is None:
            from policy_kb.search.hybrid import Searcher

            self._searcher = Searcher(self.index)
        return self._searcher

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.store.close()
        if not self.keep:
            shutil.rmtree(self._tmp, ignore_errors=True)
        else:
            log(f"kept scratch dir {self._tmp}")


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# ---- machine ----------------------------------------------------------------------------------------------------
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))} (kernel {platform.release()})"
    except OSError:
        pass
    return platform.platform()


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for pkg in ("policy-kb", "torch", "sentence-transformers", "faiss-cpu", "jieba", "numpy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "policy_kb"], cwd=ROOT, capture_output=True, text=True, timeout=10
        )
        return out.stdout.strip() + ("+local changes" if dirty.stdout.strip() else "") if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def machine_info() -> dict[str, Any]:
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    threads = None
    try:
        import torch

        threads = torch.get_num_threads()
    except ImportError:
        pass
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": _ram_gib(),
        "python": platform.python_version(),
        "os": _os_name(),
        "torch_default_threads": threads,
        "loadavg_at_start": load,
        "versions": _versions(),
        "commit": _git_commit(),
    }


class CpuShare:
    """How much CPU *other* processes used while a section ran (in cores, averaged over its wall time): the
    load average cannot tell this run's own work from the neighbours'."""

    def __init__(self) -> None:
        self.t0, self.busy0, self.own0 = time.monotonic(), self._busy(), self._own()

    @staticmethod
    def _busy() -> float | None:
        try:
            fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        except (OSError, ValueError, IndexError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def others_cores(self) -> float | None:
        busy = self._busy()
        wall = time.monotonic() - self.t0
        if busy is None or self.busy0 is None or wall <= 0:
            return None
        return round(max(0.0, (busy - self.busy0) - (self._own() - self.own0)) / wall, 2)


# ---- results.json and the page ------------------------------------------------------------------------------------
def load_results(path: Path = RESULTS) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {"schema": SCHEMA, "sections": {}}
    data.setdefault("sections", {})
    return data


def save_results(data: dict[str, Any], path: Path = RESULTS) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


@contextlib.contextmanager
def results_lock(path: Path) -> Iterator[None]:
    """Serialises read-modify-write of results.json between benchmark processes."""
    import fcntl
    import hashlib

    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]  # lock outside the repo: nothing to ignore
    with open(Path(tempfile.gettempdir()) / f"policy-kb-bench-{key}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def store_section(path: Path, name: str, result: dict[str, Any], carry_over: tuple[str, ...] = ()) -> None:
    """Merge one section's fresh result into the results file as it is now (not as it was when this run began)."""
    with results_lock(path):
        data = load_results(path)
        data["sections"][name] = merge_section(data["sections"].get(name), result, carry_over)
        data["schema"] = SCHEMA
        save_results(data, path)


def merge_section(
    previous: dict[str, Any] | None, new: dict[str, Any], carry_over: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A re-run replaces its section.  Rows the new run did not produce but that the section declares optional
    (names starting with one of `carry_over`, e.g. the full build, skipped when --index reuses a knowledge base) are
    carried over from the previous run and marked as such; other vanished rows are dropped."""
    if not previous:
        return new
    names = {r["name"] for r in new["rows"]}
    for row in previous.get("rows", []):
        if row["name"] not in names and row["name"].startswith(carry_over) and carry_over:
            carried = dict(row)
            carried["carried_over_from"] = row.get("carried_over_from") or previous.get("ran_at")
            new["rows"].append(carried)
    return new


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "–"
    if unit == "ms":
        return f"{v:.1f}" if v < 100 else f"{v:.0f}"
    if unit == "s":
        return f"{v:.2f}" if v < 10 else f"{v:.1f}"
    return f"{v:g}"


def _machine_line(m: dict[str, Any]) -> str:
    return (
        f"{m.get('cpu')}, {m.get('cores')} cores, {m.get('ram_gib')} GiB RAM, Python {m.get('python')}, "
        f"{m.get('os')}; load average at start {m.get('loadavg_at_start')}"
    )


def render(data: dict[str, Any], sections_meta: dict[str, dict[str, Any]]) -> str:
    """The whole docs/benchmarks.md from results.json.  `sections_meta` maps section name → {title, order, method}
    for sections whose module is still present (a stored section without a module keeps its stored metadata)."""
    secs = data.get("sections", {})
    order = sorted(secs, key=lambda s: (secs[s].get("order", sections_meta.get(s, {}).get("order", 100)), s))
    lines = [
        "# Benchmarks",
        "",
        "<!-- generated by `python -m benchmarks.run` from benchmarks/results.json; edit those, not this page -->",
        "",
        "Regenerate with `.venv/bin/python -m benchmarks.run` (all sections) or "
        "`.venv/bin/python -m benchmarks.run --only search` (one section; the others keep their stored numbers). "
        "`--index DIR` reuses an existing knowledge base instead of building the seed corpus into a temp dir; "
        "`--quick` takes fewer samples.",
        "",
        "Latencies are wall-clock times; *median* and *p95* are over *n* samples (p95 is the nearest-rank "
        "95th percentile, i.e. the maximum when n < 20). *ratio* = measured median / target: ≤ 1 meets a target for "
        "times and sizes, ≥ 1 for figures where higher is better (recall, throughput, speed-ups).",
        "",
    ]
    hardware = ("cpu", "cores", "ram_gib", "python", "os")  # what makes numbers comparable; load and commit vary
    machines = {tuple(secs[s].get("machine", {}).get(k) for k in hardware) for s in order}
    shared = len(machines) == 1 and bool(order)
    if shared:
        m = secs[order[0]].get("machine", {})
        lines += [
            "## Machine",
            "",
            "| | |",
            "|---|---|",
            f"| CPU | {m.get('cpu')} |",
            f"| cores | {m.get('cores')} (torch's default thread count: "
            f"{m.get('torch_default_threads', m.get('torch_threads'))}) |",
            f"| RAM | {m.get('ram_gib')} GiB |",
            f"| Python | {m.get('python')} |",
            f"| OS | {m.get('os')} |",
            "",
            "Package versions and the code commit are listed with each section.",
            "",
        ]
    for name in order:
        sec = secs[name]
        meta = sections_meta.get(name, {})
        m = sec.get("machine", {})
        title = sec.get("title") or meta.get("title") or name
        method = sec.get("method") or meta.get("method") or ""  # how the stored numbers were made
        lines += [
            f"## {title}",
            "",
            f"Section `{name}`, measured {sec.get('ran_at', '?')}"
            + (f" ({sec['options']})" if sec.get("options") else "")
            + (f", code at commit {m['commit']}" if m.get("commit") else "")
            + ".",
        ]
        if not shared:
            lines.append(f"Machine: {_machine_line(m)}.")
        if m.get("versions"):
            lines.append("Packages: " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()) + ".")
        others = sec.get("other_processes_cpu_cores")
        busy = (
            f" Other processes used {others} of the {m.get('cores')} cores on average while it ran."
            if others is not None
            else ""
        )
        lines.append(
            f"Load average (1/5/15 min) at start {m.get('loadavg_at_start')}, at end "
            f"{sec.get('loadavg_at_end')}.{busy} Work by other processes on the machine inflates the numbers."
        )
        lines += [
            "",
            method.strip(),
            "",
            "| benchmark | median | p95 | unit | n | target | ratio | notes |",
            "|---|---:|---:|---|---:|---:|---:|---|",
        ]
        carried = False
        for r in sec.get("rows", []):
            row = Row.from_dict(r)
            note = row.note
            if r.get("carried_over_from"):
                note = (note + " " if note else "") + f"† from the run of {r['carried_over_from']}"
                carried = True
            ratio = f"{row.ratio:.2f}" if row.ratio is not None else "–"
            if row.meets_target is not None:
                ratio += " ✓" if row.meets_target else " ✗"
            lines.append(
                f"| {row.name} | {_fmt(row.median, row.unit)} | {_fmt(row.p95, row.unit)} | {row.unit} | "
                f"{row.n} | {_fmt(row.target, row.unit)} | {ratio} | {note} |"
            )
        if carried:
            lines += ["", "† not re-measured by the latest run of this section (e.g. `--index` skips the full build)."]
        for extra in sec.get("notes", []):
            lines += ["", extra]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
