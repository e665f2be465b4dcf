"""Gradio web app."""

from .ui import build_app, main

__all__ = ["build_app", "main"]
