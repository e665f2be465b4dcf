"""One error boundary for every event of the web app, public API endpoints included.

Why at `Blocks.process_api` and not per handler: Gradio checks and converts the inputs (preprocess) before a handler
runs and the outputs after it, and both raise their own errors — with object reprs (`<…Textbox object at 0x…>`),
values and library messages in them — which a per-handler decorator never sees.  Every queued and direct API call
goes through `process_api`, so wrapping it once covers all events, present and future.

What a client gets:
* a user error (``UserError`` from a handler): its message, HTML-escaped (Gradio renders error text as HTML);
* an input Gradio could not convert (wrong type, a value outside a radio's choices): `输入无效 / invalid input`;
* anything else: `内部错误（编号 <id>）/ internal error (id <id>)`; the traceback is logged with the same id.
No path, repr or traceback ever reaches the client.
"""

from __future__ import annotations

import functools
import html
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import gradio as gr

from .handlers import UserError

log = logging.getLogger("policy_kb.app")

INVALID_INPUT = "输入无效：请检查各项的类型和取值 / invalid input: check the type and value of each field"
INTERNAL = "内部错误（编号 {id}）/ internal error (id {id})"
ERROR_TITLE = "出错了 / Error"


class PublicError(gr.Error):
    """An error whose message is safe to show: the only kind that leaves the boundary."""

    def __init__(self, message: str):
        super().__init__(message, title=ERROR_TITLE, print_exception=False)


class _InvalidInput(Exception):
    """Raised by the wrapped preprocess step: the client sent something the components cannot take."""


def new_error_id() -> str:
    return uuid.uuid4().hex[:10]


def public(error: BaseException) -> PublicError:
    """The safe, client-facing form of any exception (logged with an id when it is internal)."""
    if isinstance(error, PublicError):
        return error
    cause = error.__cause__
    if isinstance(error, UserError) or (isinstance(error, gr.Error) and isinstance(cause, UserError)):
        return PublicError(html.escape(str(cause if isinstance(cause, UserError) else error), quote=False))
    if isinstance(error, _InvalidInput):
        return PublicError(INVALID_INPUT)
    error_id = new_error_id()
    log.error("internal error %s: %s", error_id, type(error).__name__, exc_info=error)
    return PublicError(INTERNAL.format(id=error_id))


def _preprocess_guard(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(*args, **kwargs)
        except Exception as e:  # Gradio's own checks (gr.Error) and conversion failures alike
            log.info("invalid input refused: %s", type(e).__name__)
            raise _InvalidInput() from None

    return wrapper


def _boundary(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(*args, **kwargs)
        except Exception as e:
            raise public(e) from None

    return wrapper


def install(demo: gr.Blocks) -> gr.Blocks:
    """Put the boundary around every event of ``demo`` (call once, after all events are defined)."""
    if getattr(demo, "_policy_kb_boundary", False):
        return demo
    demo.preprocess_data = _preprocess_guard(demo.preprocess_data)  # type: ignore[method-assign,assignment]
    demo.process_api = _boundary(demo.process_api)  # type: ignore[method-assign,assignment]
    demo._policy_kb_boundary = True  # type: ignore[attr-defined]
    return demo
