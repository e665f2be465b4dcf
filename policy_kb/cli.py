"""`policy-kb` command line. Data goes to stdout, progress and errors to stderr.
Exit codes: 0 success, 1 runtime error, 2 usage error."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import __version__
from .records import ClauseKind, Level, Modality
from .settings import Settings, configure
from .store import Store, StoreError


class CliError(Exception):
    """A runtime failure with a one-line message and a hint."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.hint = hint


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def emit_jsonl(rows: list[Any]) -> None:
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


def open_store(args: argparse.Namespace) -> Store:
    return Store(args.index)


# ---- commands -------------------------------------------------------------------------------------------
def cmd_build(args: argparse.Namespace) -> int:
    from .build import default_workers
    from .reconcile import reconcile

    workers = args.workers or default_workers()
    # an upload the web app committed before a crash is finished first, not removed as a file gone from the corpus
    report = reconcile(Path(args.corpus), Path(args.index), workers=workers).build
    assert report is not None
    if args.json:
        emit_json(
            {
                "added": report.added,
                "updated": report.updated,
                "removed": report.removed,
                "unchanged": report.unchanged,
                "errors": [e.__dict__ for e in report.errors],
                "warnings": [w.__dict__ for w in report.warnings],
                "seconds": round(report.seconds, 3),
                "workers": workers,
                # wall seconds per phase, in order; stage seconds are CPU seconds summed over documents (across workers)
                "phases": [p.to_dict() for p in report.phases],
                "stage_seconds": {k: round(v, 3) for k, v in report.stage_seconds.items()},
            }
        )
    return 1 if (report.errors and args.strict) else 0


def cmd_docs(args: argparse.Namespace) -> int:
    store = open_store(args)
    docs = [d.to_dict() for d in store.documents()]
    if args.json:
        emit_json(docs)
    elif args.nl:
        emit_jsonl(docs)
    else:
        for d in docs:
            print(
                f"{d['id']}\t{d['doc_number'] or '-'}\t{d['issue_date'] or '-'}\t{d['jurisdiction'] or '-'}"
                f"\t{d['clause_count']} clauses\t{d['title'] or ''}"
            )
        for err in store.build_errors():
            print(f"error: {err['file']}: {err['problem']} ({err['hint']})", file=sys.stderr)
    return 0


def cmd_clauses(args: argparse.Namespace) -> int:
    store = open_store(args)
    doc = store.find_document(args.doc)
    if doc is None:
        known = ", ".join(d.id for d in store.documents()) or "none"
        raise CliError(f"no document '{args.doc}'", f"known documents: {known}")
    rows = [c.to_dict() for c in doc.clauses]
    if args.json:
        emit_json(rows)
    elif args.nl:
        emit_jsonl(rows)
    else:
        for c in doc.clauses:
            indent = "  " * max(c.level - 1, 0)
            label = "".join(c.path) if c.path else f"[{c.kind}]"
            print(f"{indent}{label} {c.text[:60].replace(chr(10), ' ')}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .export import ObligationFilter, render, select

    try:
        flt = ObligationFilter(
            jurisdiction=args.jurisdiction,
            doc=args.doc,
            department=args.department,
            due_before=args.due_before,
            due_after=args.due_after,
            modality=args.modality,
        )
        rows = select(open_store(args), flt)
    except (ValueError, LookupError) as e:
        raise CliError(str(e)) from e
    text = render(rows, args.format)
    if args.output:
        out = Path(args.output)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(text, encoding="utf-8", newline="")
        tmp.replace(out)
        print(f"wrote {len(rows)} obligations to {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


EVALUATIONS = ["extraction", "documents", "retrieval", "answers", "profiles"]


def _eval_extraction(args: argparse.Namespace) -> int:
    gold = Path(args.gold) if args.gold and "," not in args.gold else None
    from .evaluation.extraction import evaluate, load_gold

    store = open_store(args)
    preds = [o.to_dict() for o in store.obligations()]
    report = evaluate(load_gold(gold or Path("tests/gold/obligations.jsonl")), preds)
    if args.json:
        emit_json(report.to_dict())
    else:
        print(report.table())
        if args.verbose:
            print("\n".join(["", "missed:", *report.misses, "", "field errors:", *report.errors]))
    return 0


def _eval_profiles(args: argparse.Namespace) -> int:
    from .evaluation.profiles import evaluate_profiles, fit_profiles, load_gold
    from .evaluation.profiles import table as profiles_table

    split = args.split if args.split in ("dev", "test") else "all"
    if args.fit:
        if split != "dev" or args.profiles or args.baseline:
            raise CliError("`eval profiles --fit` fits on the dev split only", "drop --split/--profiles/--baseline")
        report = fit_profiles(_as_of(args.as_of))
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    if args.steadiness:
        if split != "dev" or args.profiles:
            raise CliError("`eval profiles --steadiness` refits on the dev split only", "use --split dev")
        from dataclasses import asdict

        from .evaluation.steadiness import measure_binding

        steadiness = measure_binding(load_gold("dev").examples(_as_of(args.as_of)))
        if args.json:
            emit_json(asdict(steadiness))
        else:
            print(steadiness.table())
        return 0
    models = None
    if args.cv and split != "dev":
        raise CliError("`eval profiles --cv` cross-validates on dev profiles only", "use --split dev")
    try:
        gold = load_gold(split, args.profiles.split(",") if args.profiles else None)
    except ValueError as e:
        raise CliError(str(e), "--profiles takes file stems of tests/gold/profiles/*.json, comma-separated") from e
    if args.cv:
        from .evaluation.binding_fit import fold_models

        dev = gold if not args.profiles else load_gold("dev")  # folds are fitted on every dev profile
        models = fold_models(dev.examples(_as_of(args.as_of)))
    for label, drop in (("gold as written", False), ("without rows of plans whose period is over", True)):
        results = evaluate_profiles(
            split, _as_of(args.as_of), baseline=args.baseline, drop_expired_gold=drop, gold=gold, models=models
        )
        print(f"{label}:\n{profiles_table(results)}\n")
    if args.verbose:
        for score in results:
            print("\n".join([f"== {score.name} missed:", *score.misses, "extra:", *score.extras]))
    return 0


def _eval_documents(args: argparse.Namespace) -> int:
    from .evaluation.documents import evaluate_split

    doc_report = evaluate_split(args.split, args.only)
    if args.json:
        emit_json(doc_report.to_dict())
    else:
        print(doc_report.table())
        if doc_report.missing_files:
            print(f"\nmissing source files: {', '.join(doc_report.missing_files)}")
        if args.verbose:
            print(
                "\n".join(
                    [
                        "",
                        "metadata errors:",
                        *doc_report.metadata_errors,
                        "",
                        "missed:",
                        *doc_report.obligations.misses,
                        "",
                        "field errors:",
                        *doc_report.obligations.errors,
                    ]
                )
            )
    return 0


def _eval_retrieval(args: argparse.Namespace) -> int:
    gold = Path(args.gold) if args.gold and "," not in args.gold else None
    from .evaluation.extraction import load_gold
    from .evaluation.retrieval import evaluate as eval_retrieval
    from .evaluation.retrieval import table
    from .search.hybrid import Searcher

    questions = load_gold(gold or Path("tests/gold/questions.jsonl"))
    modes = eval_retrieval(Searcher(args.index), questions)
    if args.json:
        emit_json(
            {
                m: {"recall@1": s.recall[1], "recall@5": s.recall[5], "recall@10": s.recall[10], "mrr": s.mrr}
                for m, s in modes.items()
            }
        )
    else:
        print(table(modes))
        if args.verbose:
            for m, s in modes.items():
                print(f"\n{m} misses (gold not in top 5):\n" + "\n".join(s.misses))
    return 0


def _eval_steadiness(args: argparse.Namespace, answerers: list[Any], questions: list[dict[str, Any]]) -> int:
    from dataclasses import asdict

    from .evaluation.fit import collect_all
    from .evaluation.steadiness import measure

    steadiness = measure(collect_all(answerers, questions, _as_of(args.as_of)))
    if args.json:
        emit_json(asdict(steadiness))
    else:
        print(steadiness.table())
    return 0


def _eval_answers(args: argparse.Namespace) -> int:
    from .answer.compose import Answerer
    from .evaluation.answers import evaluate as eval_answers
    from .evaluation.extraction import load_gold

    files = [Path(f) for f in args.gold.split(",")] if args.gold else [Path("tests/gold/questions.jsonl")]
    questions = [q for f in files for q in load_gold(f)]
    also = [Answerer(d) for d in args.also_index or []]
    if also and not (args.fit or args.cv or args.steadiness):
        hint = "e.g. eval answers --fit --also-index build/seed-index"
        raise CliError("--also-index goes with --fit, --cv or --steadiness", hint)
    if args.steadiness:
        return _eval_steadiness(args, [Answerer(args.index), *also], questions)
    if args.fit:
        from .evaluation.fit import fit

        fitted = fit(Answerer(args.index), questions, _as_of(args.as_of), also=also)
        print(
            f"fitted on {fitted['trained_on']} questions, {fitted['sentences']} sentences; "
            f"cross-validated ({fitted['folds']}): {fitted['cross_validated']}"
        )
        if also:
            print(f"per knowledge base {fitted['knowledge_bases']}: {fitted['cross_validated_per_kb']}")
        return 0
    answerer = Answerer(args.index)
    models = None
    if args.cv:
        from .evaluation.fit import fold_models

        models = fold_models(answerer, questions, _as_of(args.as_of), also=also)
    by_file = {f: {q["id"] for q in load_gold(f)} for f in files}
    reports = [[f] for f in files] if args.cv else [files]  # cross-validated: one report per gold file …
    if args.cv and args.report:  # … or per group of files (`--report dev.jsonl+dev_more.jsonl`)
        reports = [[Path(f) for f in group.split("+")] for group in args.report.split(",")]
    for group in reports:
        ids = set().union(*(by_file.get(f) or {q["id"] for q in load_gold(f)} for f in group))
        rep = eval_answers(answerer, [q for q in questions if q["id"] in ids], _as_of(args.as_of), args.verbose, models)
        if args.json:
            emit_json({k: v for k, v in rep.__dict__.items() if k not in ("failures", "causes")})
            continue
        if args.cv:
            print(f"\n{' + '.join(map(str, group))} (cross-validated by document)")
        print(rep.table())
        if args.verbose:
            print("\n".join(["", "failures:", *rep.failures]))
    for extra in also:  # the same fold models on each further knowledge base, on the questions it holds
        from .evaluation.fit import holds

        for group in reports:
            ids = set().union(*(by_file.get(f) or {q["id"] for q in load_gold(f)} for f in group))
            held = [q for q in questions if q["id"] in ids and holds(extra, q)]
            rep = eval_answers(extra, held, _as_of(args.as_of), args.verbose, models)
            if args.json:
                emit_json({k: v for k, v in rep.__dict__.items() if k not in ("failures", "causes")})
                continue
            print(f"\n{' + '.join(map(str, group))} on {extra.searcher.index_dir} ({len(held)} held; cross-validated)")
            print(rep.table())
            if args.verbose:
                print("\n".join(["", "failures:", *rep.failures]))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """`policy-kb eval WHAT`: one evaluation per gold set (see docs/quality.md)."""
    run = {
        "extraction": _eval_extraction,
        "profiles": _eval_profiles,
        "documents": _eval_documents,
        "retrieval": _eval_retrieval,
        "answers": _eval_answers,
    }.get(args.what)
    if run is None:
        raise CliError(f"unknown evaluation '{args.what}'", f"choose one of {', '.join(EVALUATIONS)}")
    return run(args)


def _as_of(value: str | None):
    from datetime import date

    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise CliError(f"--as-of must be a date like 2026-01-31, got '{value}'") from e


def _batch_line(line: str) -> tuple[str, str | None]:
    """A batch line is a question, or a JSON object `{"question": …, "history": [earlier questions]}` for a turn of a
    conversation (the last earlier question is what a follow-up is read with)."""
    if not line.lstrip().startswith("{"):
        return line, None
    try:
        data = json.loads(line)
        history = data.get("history") or []
        return str(data["question"]), (str(history[-1]) if history else None)
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise CliError(
            f"batch line is not a question or a JSON object with a 'question' field: {line[:60]}",
            'write {"question": "那忻州呢？", "history": ["介休4.3米焦炉什么时候关？"]}',
        ) from e


def cmd_ask(args: argparse.Namespace) -> int:
    from .answer.compose import Answerer

    if bool(args.question) == bool(args.batch):
        raise CliError("give either a QUESTION or --batch FILE", "e.g. policy-kb ask 介休4.3米焦炉什么时候关停")
    as_of = _as_of(args.as_of)
    answerer = Answerer(args.index)
    if args.batch:
        lines = (sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")).read().splitlines()
        for q in lines:
            if not q.strip():  # keep one output line per input line, with the full interface
                from .records import Answer, AnswerStatus, Intent

                empty = Answer(
                    question=q,
                    language="zh",
                    intent=Intent.GENERAL,
                    jurisdiction=args.jurisdiction,
                    status=AnswerStatus.NOT_FOUND,
                    answer="",
                    citations=[],
                    obligations=[],
                    as_of=as_of.isoformat(),
                    warnings=["empty question"],
                )
                sys.stdout.write(json.dumps(empty.to_dict(), ensure_ascii=False) + "\n")
                continue
            question, previous = _batch_line(q)
            answer = answerer.ask(question, args.jurisdiction, as_of, previous=previous)
            sys.stdout.write(json.dumps(answer.to_dict(), ensure_ascii=False) + "\n")
        return 0
    answer = answerer.ask(args.question, args.jurisdiction, as_of, previous=args.previous)
    if args.json:
        emit_json(answer.to_dict())
    elif args.nl:
        emit_jsonl([answer.to_dict()])
    else:
        print(answer.answer)
        print()
        for c in answer.citations:
            print(f"[{c.n}] {c.doc_number or c.doc_title or c.doc_id} {''.join(c.path)}  ({c.clause_id})")
        if answer.status != "answered":
            print(f"status: {answer.status}", file=sys.stderr)
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    """`policy-kb feedback export`: the users' votes on answers — the next evaluation set."""
    from .store.feedback import FeedbackStore
    from .store.feedback import render as render_feedback

    store = FeedbackStore(args.index)
    try:
        rows = store.all()
    finally:
        store.close()
    text = render_feedback(rows, args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
        print(f"wrote {len(rows)} votes to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_profile(args: argparse.Namespace) -> int:
    """`policy-kb profile check PROFILE.json`: every obligation that binds this company, why, and what to confirm."""
    from .profile.match import check
    from .profile.model import ProfileError, load_profile
    from .profile.outputs import render_checklist

    try:
        profile = load_profile(Path(args.profile))
    except ProfileError as e:
        raise CliError(str(e), "fix that field of the profile; see README, 我的义务") from e
    as_of = _as_of(args.as_of)
    store = open_store(args)
    items = check(store, profile, as_of)
    text = render_checklist(profile, items, args.format, as_of)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
        print(f"wrote {len(items)} obligations for {profile.name} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from .app import main as serve
    from .app import preload

    settings = configure(replace(args.settings, index=Path(args.index), corpus=Path(args.corpus)))
    preload(settings)
    serve(settings)
    return 0


def _search_filter(args: argparse.Namespace):
    from .search.filters import SearchFilter

    try:
        return SearchFilter(
            jurisdiction=args.jurisdiction,
            doc=args.doc,
            level=args.level,
            year_from=args.year_from,
            year_to=args.year_to,
            kind=args.kind,
            has_obligation=True if args.has_obligation else None,
        )
    except ValueError as e:
        raise CliError(str(e)) from e


def cmd_search(args: argparse.Namespace) -> int:
    from .search.hybrid import Searcher

    if bool(args.query) == bool(args.batch):
        raise CliError("give either a QUERY or --batch FILE", "e.g. policy-kb search 4.3米焦炉")
    flt = _search_filter(args)
    searcher = Searcher(args.index)
    if args.batch:
        lines = (sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")).read().splitlines()
        for q in lines:
            hits = searcher.search(q, mode=args.mode, k=args.k, flt=flt) if q.strip() else []
            sys.stdout.write(json.dumps({"query": q, "hits": [h.to_dict() for h in hits]}, ensure_ascii=False) + "\n")
        return 0
    hits = searcher.search(args.query, mode=args.mode, k=args.k, flt=flt)
    if args.json:
        emit_json([h.to_dict() for h in hits])
    elif args.nl:
        emit_jsonl([h.to_dict() for h in hits])
    else:
        if not hits:
            print("no results", file=sys.stderr)
        for i, h in enumerate(hits, 1):
            via = f" [{h.applies_via}]" if h.applies_via else ""
            print(f"{i}. {h.clause_id}{via}  {h.doc_number or h.doc_title or ''} {''.join(h.path)}\n   {h.snippet}")
    return 0


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jurisdiction", help="place, e.g. 介休市; rules of the places above it are included")
    p.add_argument("--doc", help="document id or file name")
    p.add_argument("--level", choices=[lv.value for lv in Level], help="level of the issuing government")
    p.add_argument("--year-from", type=int, help="issue year from (documents without a date are excluded)")
    p.add_argument("--year-to", type=int)
    p.add_argument("--kind", choices=[k.value for k in ClauseKind])
    p.add_argument("--has-obligation", action="store_true", help="only clauses with extracted obligations")


# ---- parser ---------------------------------------------------------------------------------------------
def _common(p: argparse.ArgumentParser, settings: Settings) -> None:
    p.add_argument(
        "--index",
        default=str(settings.index),
        help="knowledge-base folder (default: $POLICY_KB_INDEX or indices/)",
    )


def _output(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="JSON array/object on stdout")
    g.add_argument("--nl", action="store_true", help="JSON Lines on stdout")


def _positive_int(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return n


def make_parser(settings: Settings | None = None) -> argparse.ArgumentParser:
    settings = settings or Settings.from_env()
    parser = argparse.ArgumentParser(prog="policy-kb", description="Knowledge base over Chinese policy documents.")
    parser.set_defaults(settings=settings)
    parser.add_argument("--version", action="version", version=f"policy-kb {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="build or update the knowledge base from a corpus folder")
    _common(p, settings)
    p.add_argument("--corpus", default="corpus", help="folder with .txt/.md/.docx/.pdf/.html files (default: corpus/)")
    p.add_argument("--json", action="store_true", help="print the build report as JSON")
    p.add_argument("--strict", action="store_true", help="exit 1 when any file failed")
    p.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        metavar="N",
        help="processes that parse and extract documents (default: the number of cores; 1 = no worker processes)",
    )
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("docs", help="list documents with metadata")
    _common(p, settings)
    _output(p)
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("clauses", help="show the clause tree of one document")
    _common(p, settings)
    _output(p)
    p.add_argument("doc", metavar="DOC_ID", help="document id or (original) file name")
    p.set_defaults(func=cmd_clauses)

    p = sub.add_parser("export", help="export the obligations table")
    _common(p, settings)
    p.add_argument("table", choices=["obligations"])
    p.add_argument("--format", choices=["json", "jsonl", "csv"], default="json")
    p.add_argument("-o", "--output", help="write to FILE instead of stdout")
    p.add_argument("--jurisdiction", help="place; includes the rules of the places above it (介休市 → 晋中市, 山西省)")
    p.add_argument("--doc", help="document id or file name")
    p.add_argument("--department", help="department as written or canonical, e.g. 市工信局")
    p.add_argument("--due-before", help="deadline on or before YYYY-MM-DD")
    p.add_argument("--due-after", help="deadline on or after YYYY-MM-DD")
    p.add_argument("--modality", choices=[m.value for m in Modality])
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("search", help="search clauses (keyword + semantic + exact, fused)")
    _common(p, settings)
    _output(p)
    p.add_argument("query", nargs="?", metavar="QUERY")
    p.add_argument("--batch", metavar="FILE", help="one query per line ('-' = stdin); JSON Lines out")
    p.add_argument("--mode", choices=["hybrid", "keyword", "semantic"], default="hybrid")
    p.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    _add_filters(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with cited clauses")
    _common(p, settings)
    _output(p)
    p.add_argument("question", nargs="?", metavar="QUESTION")
    p.add_argument(
        "--batch",
        metavar="FILE",
        help="one question per line ('-' = stdin), or a JSON object "
        '{"question": …, "history": [earlier questions]}; JSON Lines out',
    )
    p.add_argument("--jurisdiction", help="the user's place, e.g. 介休市 (otherwise taken from the question)")
    p.add_argument("--as-of", help="date for deadline status, YYYY-MM-DD (default: today)")
    p.add_argument(
        "--previous",
        metavar="QUESTION",
        help="the question asked before, for a follow-up such as 那忻州呢？ or 罚多少？",
    )
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("feedback", help="export the users' 👍/👎 on answers (indices/feedback.sqlite)")
    _common(p, settings)
    p.add_argument("action", choices=["export"])
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser("profile", help="my obligations: a company profile against every obligation")
    _common(p, settings)
    p.add_argument("action", choices=["check"])
    p.add_argument("profile", metavar="PROFILE.json", help="company profile (place, industry, facilities)")
    p.add_argument("--as-of", help="date the deadline status is computed for (default today)")
    p.add_argument("--format", choices=["json", "csv", "ics"], default="json")
    p.add_argument("-o", "--output", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_profile)

    p = sub.add_parser(
        "serve", help="serve the web app (GRADIO_SERVER_NAME/GRADIO_SERVER_PORT, default 127.0.0.1:7860)"
    )
    _common(p, settings)
    p.add_argument("--corpus", default="corpus", help="corpus folder that admin uploads are saved into")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("eval", help="evaluate against the hand-written gold files in tests/gold/")
    _common(p, settings)
    p.add_argument("what", choices=EVALUATIONS)
    p.add_argument(
        "--baseline",
        action="store_true",
        help="`eval profiles`: score the jurisdiction filter alone (what existed before checklists)",
    )
    p.add_argument(
        "--split",
        choices=["dev", "dev3", "heldout", "heldout2", "test", "all"],
        default="dev",
        help="gold split of `eval documents` (tests/gold/real/<split>/; dev and dev3 are developed on, heldout and "
        "heldout2 are test splits)",
    )
    p.add_argument("--only", choices=["real", "fixtures"], help="`eval documents`: only the real texts or the fixtures")
    p.add_argument(
        "--gold",
        help="gold file (default: tests/gold/<obligations|questions>.jsonl); for `answers`, "
        "several separated by commas",
    )
    p.add_argument(
        "--fit",
        action="store_true",
        help="`eval answers`: fit the answer scorer on these questions and write policy_kb/data/answer_model.json; "
        "`eval profiles`: fit the binding classifier on the dev profiles and write policy_kb/data/binding_model.json",
    )
    p.add_argument(
        "--cv",
        action="store_true",
        help="`eval answers`: answer each question with a model fitted without its document's questions (5 folds "
        "by document, over all --gold files), one report per gold file; writes no model. `eval profiles`: decide "
        "each (profile, document) with a binding classifier fitted without that profile and that document",
    )
    p.add_argument(
        "--steadiness",
        action="store_true",
        help="`eval answers`: refit the whole answer model several times, each without a different tenth of the "
        "training documents, and report how many decisions on set-aside questions change (and their quality); "
        "`eval profiles --split dev`: the same for the binding classifier; writes no model",
    )
    p.add_argument(
        "--profiles",
        help="`eval profiles`: only these profiles (file stems of tests/gold/profiles/*.json, comma-separated)",
    )
    p.add_argument(
        "--also-index",
        action="append",
        metavar="DIR",
        help="`eval answers --fit/--cv`: a further knowledge base the answerability model learns on (the --gold "
        "questions it holds: unanswerable ones, and those whose gold clauses' documents it has); repeatable",
    )
    p.add_argument(
        "--report",
        help="`eval answers --cv`: gold files reported together, `+` within a group, `,` between groups "
        "(default: one report per --gold file)",
    )
    p.add_argument("--json", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true", help="list misses and field errors")
    p.add_argument("--as-of", help="date for deadline status in `eval answers` (default: today)")
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser(configure(Settings.from_env()))  # the environment is read here, once
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CliError as e:
        print(f"error: {e}" + (f" ({e.hint})" if e.hint else ""), file=sys.stderr)
        return 1
    except (StoreError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
