"""`profile check` latency on the seed corpus: a company's checklist with the binding classifier's sentence term."""

from __future__ import annotations

import time
from datetime import date

from .common import ROOT, Context, Row, log

TITLE = "My obligations (`profile check`)"
ORDER = 25
CHECK_P50_TARGET_MS = 1000.0  # the 我的义务 tab answers within a second
PROFILES = ("jiexiu_changsheng_coking", "yuanping_6m_coking", "qingxu_taiyuan_coking", "yuxian_yangquan_cement")
AS_OF = date(2026, 12, 6)

METHOD = f"""
The seed corpus built with the real model (shared with the other sections, or `--index DIR`), whose build encodes
every obligation sentence into the embedding cache for the binding classifier's sentence term.

* **Warm checklist**: `profile.match.check(store, profile, as_of)` in one process with the store open, for the
  profiles {", ".join(PROFILES)} of `tests/gold/profiles/` in turn (5 rounds after one warm-up round; 2 with
  `--quick`). Each sample reads the obligations, decides each one (rules, then the classifier with the sentence
  vectors read from the cache) and sorts the checklist. Target: median ≤ {CHECK_P50_TARGET_MS:.0f} ms.
* **Vectors encoded at the first checklist**: the same check once the copy's embedding cache is deleted, so every
  candidate sentence is encoded (a knowledge base built before the sentence term, or one whose cache was deleted);
  the encoder is loaded beforehand. Both rows run on a copy of the knowledge base.
"""


def run(ctx: Context) -> list[Row]:
    import shutil

    from policy_kb.embed.embedder import provisioned_embedder
    from policy_kb.profile.match import check
    from policy_kb.profile.model import load_profile
    from policy_kb.store import Store
    from policy_kb.store.embedding_cache import CACHE_FILE

    profiles = [load_profile(ROOT / "tests" / "gold" / "profiles" / f"{name}.json") for name in PROFILES]
    copy = ctx.scratch("checklist-kb")  # a check writes vectors it lacks into the cache: never into a reused --index
    shutil.copytree(ctx.index, copy, dirs_exist_ok=True)
    store = Store(copy)
    try:
        sizes = [len(check(store, p, AS_OF)) for p in profiles]  # warm-up: lazy loads, the binding model
        samples = []
        for _ in range(2 if ctx.quick else 5):
            for p in profiles:
                t0 = time.perf_counter()
                check(store, p, AS_OF)
                samples.append(time.perf_counter() - t0)
    finally:
        store.close()
    rows = [
        Row.from_samples(
            "warm checklist (check, vectors from the cache)",
            samples,
            target=CHECK_P50_TARGET_MS,
            note="items per profile: " + ", ".join(f"{n} {s}" for n, s in zip(PROFILES, sizes, strict=True)),
        )
    ]
    for suffix in ("", "-wal", "-shm"):
        (copy / (CACHE_FILE + suffix)).unlink(missing_ok=True)
    provisioned_embedder()  # loaded already: the row measures encoding, not the model load
    store = Store(copy)
    try:
        t0 = time.perf_counter()
        check(store, profiles[0], AS_OF)
        first = time.perf_counter() - t0
    finally:
        store.close()
    rows.append(Row.from_samples(f"first checklist, no cached vectors ({PROFILES[0]})", [first], unit="s"))
    for row in rows:
        log(f"{row.name}: median {row.median:.2f} {row.unit}")
    ctx.notes.append(f"as of {AS_OF.isoformat()}; {len(samples)} warm samples.")
    return rows
