"""What the web app does in the background when it starts: reconcile the corpus folder with the knowledge base
(finish or discard crashed uploads, ingest stranded files, let the dense index catch up) and keep the export and
Gradio temp folders bounded.  In the background so the page is served at once; uploads wait for the
reconciliation (same lock), and every thread reloads the knowledge base when it is done."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from ..reconcile import reconcile
from .file_cache import GRADIO_TEMP_MAX_FILES, Janitor, Limits
from .service import Service

log = logging.getLogger("policy_kb.app")


def reconcile_now(service: Service) -> None:
    """Reconcile under the upload lock; a failure is logged, never fatal (the app still serves what it has)."""
    try:
        if (service.paths.index / "kb.sqlite").exists() and service.paths.corpus.is_dir():
            with service.build_lock:
                report = reconcile(service.paths.corpus, service.paths.index, progress=lambda m: log.info("%s", m))
                service.reload()
            if report.completed or report.discarded or (report.build and report.build.changed):
                log.warning("start-up reconciliation: %s", report.summary())
            for err in report.build.errors if report.build else []:
                log.warning("corpus file not ingested: %s", err)
    except Exception:
        log.exception("start-up reconciliation failed")
    finally:
        service.reconciled.set()


def start(service: Service, gradio_temp: Path | None = None) -> Janitor:
    threading.Thread(target=reconcile_now, args=(service,), daemon=True, name="policy-kb-reconcile").start()
    folders = [(service.paths.exports, service.export_limits)]
    if gradio_temp is not None:
        folders.append(
            (gradio_temp, Limits(max_bytes=service.settings.gradio_temp_bytes, max_files=GRADIO_TEMP_MAX_FILES))
        )
    return Janitor(folders).start()
