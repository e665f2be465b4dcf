"""`policy-kb` command line. Data goes to stdout, progress and errors to stderr.
Exit codes: 0 success, 1 runtime error, 2 usage error."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import __version__
from .store import Store, StoreError, default_index_dir


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
    from .pipeline import build_all

    report = build_all(Path(args.corpus), Path(args.index))
    if args.json:
        emit_json({"added": report.added, "updated": report.updated, "removed": report.removed,
                   "unchanged": report.unchanged, "errors": [e.__dict__ for e in report.errors],
                   "seconds": round(report.seconds, 3)})
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
            print(f"{d['id']}\t{d['doc_number'] or '-'}\t{d['issue_date'] or '-'}\t{d['jurisdiction'] or '-'}"
                  f"\t{d['clause_count']} clauses\t{d['title'] or ''}")
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


# ---- parser ---------------------------------------------------------------------------------------------
def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", default=str(default_index_dir()),
                   help="knowledge-base folder (default: $POLICY_KB_INDEX or indices/)")


def _output(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true", help="JSON array/object on stdout")
    g.add_argument("--nl", action="store_true", help="JSON Lines on stdout")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="policy-kb", description="Knowledge base over Chinese policy documents.")
    parser.add_argument("--version", action="version", version=f"policy-kb {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="build or update the knowledge base from a corpus folder")
    _common(p)
    p.add_argument("--corpus", default="corpus", help="folder with .txt/.md/.docx/.pdf/.html files (default: corpus/)")
    p.add_argument("--json", action="store_true", help="print the build report as JSON")
    p.add_argument("--strict", action="store_true", help="exit 1 when any file failed")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("docs", help="list documents with metadata")
    _common(p)
    _output(p)
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("clauses", help="show the clause tree of one document")
    _common(p)
    _output(p)
    p.add_argument("doc", metavar="DOC_ID", help="document id or (original) file name")
    p.set_defaults(func=cmd_clauses)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
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
