"""The web app.  Importing this package does not import gradio (1–2 s): app.py starts loading the encoder
first, so the model and the UI load side by side on two cores."""


def main() -> None:
    from .ui import main as run

    run()


def preload() -> None:
    """Load the encoder and jieba's dictionary in a background thread (the first question needs both)."""
    import threading

    def run() -> None:
        import jieba

        from ..embed.embedder import load_embedder

        try:
            load_embedder()
            jieba.initialize()
        except Exception:  # reported with its fix by the first request that needs it
            pass

    threading.Thread(target=run, daemon=True, name="policy-kb-preload").start()
