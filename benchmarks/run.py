"""Run the benchmarks and regenerate docs/benchmarks.md.

    .venv/bin/python -m benchmarks.run                 # every section
    .venv/bin/python -m benchmarks.run --only search   # one section; the others keep their stored numbers
    .venv/bin/python -m benchmarks.run --index DIR     # reuse a knowledge base instead of building the seed corpus
    .venv/bin/python -m benchmarks.run --render        # only re-render the page from benchmarks/results.json

Sections are discovered: any module of this package that defines TITLE, METHOD and run(ctx) -> list[Row] (see
benchmarks/common.py).  To add one, e.g. `ask` latency, create benchmarks/ask.py; nothing here changes.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path
from types import ModuleType

from . import common
from .common import Context, log

NOT_SECTIONS = {"common", "run", "__main__"}


def discover() -> dict[str, ModuleType]:
    """name → module for every benchmark section in this package, in page order."""
    import benchmarks

    found: dict[str, ModuleType] = {}
    for info in pkgutil.iter_modules(benchmarks.__path__):
        if info.name in NOT_SECTIONS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"benchmarks.{info.name}")
        if callable(getattr(module, "run", None)) and hasattr(module, "TITLE"):
            found[info.name] = module
    return dict(sorted(found.items(), key=lambda kv: (getattr(kv[1], "ORDER", 100), kv[0])))


def sections_meta(sections: dict[str, ModuleType]) -> dict[str, dict]:
    return {
        name: {"title": m.TITLE, "order": getattr(m, "ORDER", 100), "method": getattr(m, "METHOD", "")}
        for name, m in sections.items()
    }


def run_section(name: str, module: ModuleType, ctx: Context, options: str) -> dict:
    import os

    log(f"section {name}: {module.TITLE}")
    ctx.notes = []
    machine = common.machine_info()
    started = time.perf_counter()
    cpu = common.CpuShare()
    rows = module.run(ctx)
    others = cpu.others_cores()
    try:
        load_end = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load_end = None
    return {
        "title": module.TITLE,
        "order": getattr(module, "ORDER", 100),
        "method": getattr(module, "METHOD", ""),
        "ran_at": time.strftime("%Y-%m-%d %H:%M %Z"),
        "seconds": round(time.perf_counter() - started, 1),
        "options": options,
        "machine": machine,
        "loadavg_at_end": load_end,
        "other_processes_cpu_cores": others,
        "rows": [r.to_dict() for r in rows],
        "notes": list(ctx.notes),
    }


def main(argv: list[str] | None = None) -> int:
    sections = discover()
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="SECTION",
        help=f"run only these sections (repeat or comma-separate): {', '.join(sections)}",
    )
    p.add_argument("--index", type=Path, help="reuse this knowledge base (read only) instead of building corpus/")
    p.add_argument("--corpus", type=Path, default=common.ROOT / "corpus", help="corpus to build (default corpus/)")
    p.add_argument("--quick", action="store_true", help="fewer samples (a smoke run; numbers are noisier)")
    p.add_argument(
        "--sample", type=int, metavar="N", help="sections over a real corpus (lawrefbook) use about N of its files"
    )
    p.add_argument("--results", type=Path, default=common.RESULTS, help="raw results file (default %(default)s)")
    p.add_argument("--page", type=Path, default=common.PAGE, help="markdown page (default %(default)s)")
    p.add_argument("--render", action="store_true", help="do not measure; re-render the page from --results")
    p.add_argument("--keep", action="store_true", help="keep the scratch dir (built KB) for inspection")
    args = p.parse_args(argv)

    selected = [s for item in (args.only or []) for s in item.split(",") if s] or list(sections)
    unknown = [s for s in selected if s not in sections]
    if unknown:
        p.error(f"unknown section(s) {', '.join(unknown)}; known: {', '.join(sections)}")

    failed = []
    if not args.render:
        options = ", ".join(
            o
            for o in [
                "--quick" if args.quick else "",
                f"--index {args.index}" if args.index else "",
                f"--sample {args.sample}" if args.sample else "",
            ]
            if o
        )
        ctx = Context(args.index.resolve() if args.index else None, args.corpus.resolve(), args.quick, args.keep)
        ctx.sample = args.sample
        try:
            for name in selected:
                try:
                    result = run_section(name, sections[name], ctx, options)
                except Exception:  # one broken section must not lose the others' results
                    traceback.print_exc()
                    failed.append(name)
                    continue
                # saved after every section (a later crash keeps this one), re-reading the file under a lock so
                # that runs of other sections in parallel processes are not overwritten
                common.store_section(args.results, name, result, tuple(getattr(sections[name], "CARRY_OVER", ())))
        finally:
            ctx.close()
    with common.results_lock(args.results):
        data = common.load_results(args.results)
        args.page.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.page.with_name(args.page.name + ".tmp")
        tmp.write_text(common.render(data, sections_meta(sections)), encoding="utf-8")
        tmp.replace(args.page)
    log(f"wrote {args.page}" + ("" if args.render else f" and {args.results}"))
    if failed:
        log(f"failed sections: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
