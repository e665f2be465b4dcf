"""Real corpus at scale: structure, metadata and obligations of the 3,467 LawRefBook documents
(../shared/lawrefbook/), which nobody here wrote gold for.  The source itself is the gold for structure: every line
that starts with `第X条` is an article, so the parsed article count must equal that line count."""

from __future__ import annotations

import re
import statistics
import tarfile
import time
from pathlib import Path

from .common import ROOT, Context, Row, log, percentile

TITLE = "Real corpus: structure, metadata and obligations at scale"
ORDER = 60
ARCHIVE = ROOT.parent / "shared" / "lawrefbook" / "lawrefbook-2f4c5c2.tar.xz"
ARTICLE_LINE = re.compile(r"^第[一二三四五六七八九十百千零〇]+条", re.M)
QUICK_SAMPLE = 300  # every n-th document with --quick, so a run takes a minute or two

METHOD = f"""
The archive `../shared/lawrefbook/lawrefbook-2f4c5c2.tar.xz` (3,467 markdown laws, regulations, judicial
interpretations and local regulations) is unpacked into a scratch dir; every file (`--quick`: {QUICK_SAMPLE} evenly
spaced files) goes through `process_file` (load, clean, clauses, metadata) and `extract_document` (obligations) in
one process, as a build does before indexing. No knowledge base, no embedding.

* **Articles**: a document is right when its parsed 第X条 clauses equal the number of source lines that start
  with 第X条 (documents with at least one such line). Baseline measured before issue 12 (README of the archive):
  97.8 % of 3,318 documents, 95.7 % of 147,127 articles.
* **Metadata**: share of documents with articles whose jurisdiction, level and issue date are filled (stated in the
  text; right or wrong is measured on the hand-written gold, `policy-kb eval documents`).
* **Penalties**: share of documents that mention 罚款 in an article and get at least one fine with an amount.
* **Time**: per document, parse + extract, median and p95; failures are documents that raised.
"""


def _files(ctx: Context) -> list[Path]:
    target = ctx.scratch("lawrefbook")
    if not any(target.iterdir()):
        with tarfile.open(ARCHIVE) as tar:
            tar.extractall(target, filter="data")
    files = sorted(p for p in target.rglob("*.md") if p.is_file())
    if ctx.quick:
        step = max(1, len(files) // QUICK_SAMPLE)
        files = files[::step]
    return files


def run(ctx: Context) -> list[Row]:
    if not ARCHIVE.is_file():
        ctx.notes.append(f"skipped: {ARCHIVE} not found")
        return []
    from policy_kb.extract.obligations import extract_document
    from policy_kb.ingest.document import process_file

    files = _files(ctx)
    seconds: list[float] = []
    failures: list[str] = []
    docs_with_articles = docs_right = articles_src = articles_got = 0
    filled = {"jurisdiction": 0, "level": 0, "issue_date": 0}
    fined_docs = fine_mentions = obligations = 0
    for n, path in enumerate(files, 1):
        raw = path.read_text(encoding="utf-8", errors="replace")
        started = time.perf_counter()
        try:
            doc, _, _ = process_file(path, f"doc{n}")
            obs = extract_document(doc)
        except Exception as e:
            failures.append(f"{path.name}: {type(e).__name__}: {e}")
            continue
        seconds.append(time.perf_counter() - started)
        obligations += len(obs)
        expected = len(ARTICLE_LINE.findall(raw))
        if expected:
            got = sum(1 for c in doc.clauses if (c.label or "").startswith("第") and (c.label or "").endswith("条"))
            docs_with_articles += 1
            docs_right += got == expected
            articles_src += expected
            articles_got += min(got, expected)
            for name in filled:
                filled[name] += getattr(doc, name) is not None
            if re.search(r"^第.{1,8}条.*罚款", raw, re.M):
                fine_mentions += 1
                fined_docs += any(p.kind == "fine" and (p.min or p.max) for o in obs for p in o.penalties)
        if n % 250 == 0:
            log(f"  {n}/{len(files)} documents")
    share = lambda a, b: round(100 * a / b, 2) if b else 0.0  # noqa: E731
    per_doc = [s * 1000 for s in seconds]
    sample = f"{len(files)} files" + (" (--quick sample)" if ctx.quick else "")
    rows = [
        Row(
            "documents parsed and extracted",
            len(seconds),
            unit="docs",
            n=len(files),
            note=f"{len(failures)} failed" + (f": {failures[:3]}" if failures else ""),
        ),
        Row(
            "article count equal to the source",
            share(docs_right, docs_with_articles),
            unit="% of docs",
            n=docs_with_articles,
            note=f"{docs_right}/{docs_with_articles} documents with articles; {sample}",
        ),
        Row("articles found", share(articles_got, articles_src), unit="% of articles", n=articles_src),
        Row(
            "penalty amounts found where 罚款 is in an article",
            share(fined_docs, fine_mentions),
            unit="% of docs",
            n=fine_mentions,
        ),
        Row(
            "obligations per document", round(obligations / max(1, len(seconds)), 1), unit="obligations", n=len(seconds)
        ),
        Row(
            "parse + extract per document",
            round(statistics.median(per_doc), 1) if per_doc else 0.0,
            round(percentile(per_doc, 95), 1) if per_doc else None,
            unit="ms",
            n=len(per_doc),
        ),
    ]
    for name, count in filled.items():
        rows.append(
            Row(
                f"{name} filled (documents with articles)",
                share(count, docs_with_articles),
                unit="% of docs",
                n=docs_with_articles,
            )
        )
    return rows
