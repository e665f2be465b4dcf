"""Web app entry point: `python app.py` serves policy-kb on $GRADIO_SERVER_NAME:$GRADIO_SERVER_PORT
(default 127.0.0.1:7860). The UI lives in policy_kb.app so `policy-kb serve` runs the same app."""

from policy_kb.app import main, preload
from policy_kb.settings import Settings, configure

if __name__ == "__main__":
    settings = configure(Settings.from_env())  # the POLICY_KB_* variables, read once (policy_kb/settings.py)
    preload(settings)  # the encoder loads while gradio is imported
    main(settings)
