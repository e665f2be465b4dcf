"""The web app.  Importing this package does not import gradio (2.3 s CPU): app.py starts loading what the
first answer needs first (preload), so that and the UI load side by side on two cores."""

from __future__ import annotations

from ..settings import Settings


def main(settings: Settings | None = None) -> None:
    """Serve the app with ``settings`` (`policy-kb serve`), else those of the environment (`python app.py`)."""
    from .ui import main as run

    run(settings or Settings.from_env())


WARM_QUESTION = "小焦炉啥时候必须停"


def preload(settings: Settings | None = None) -> None:
    """Answer one question in a background thread, before gradio is imported: it loads the encoder (1.5 s) and
    everything else the first answer loads lazily — jieba's dictionaries and tagger, the pinyin table (1.7 s) —
    while the main thread spends 3.4 s importing gradio and building the page, so the two overlap on two cores."""
    import threading

    def run() -> None:
        from ..answer.compose import Answerer

        try:
            Answerer((settings or Settings.from_env()).index).ask(WARM_QUESTION, None)
        except Exception:  # a missing index is reported with its fix by the first request
            pass

    threading.Thread(target=run, daemon=True, name="policy-kb-preload").start()
