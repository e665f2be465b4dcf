"""The admin upload's input side: a file box that keeps the user's file name, and a size limit on the upload route
that answers in the app's words.

Why: Gradio stores an upload under the part of its name after the last `/` with `<>:"|?*$!{}` removed
(`通知<b>x</b>.txt` arrives as `b.txt`), while the name the user's file had is still in the request (`orig_name`).
And Gradio's own checks (`file_types`, `max_file_size`) answer in English in the browser before the app sees the
file; the app checks type and size itself (handlers.upload) and this route limit refuses oversize bodies with a
Chinese message before they are written to disk.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
from gradio.data_classes import FileData
from gradio.utils import NamedString

UPLOAD_ROUTE_SUFFIX = "/upload"
MULTIPART_SLACK = 1024  # multipart headers and boundaries around one file (a few hundred bytes)


class UploadBox(gr.File):
    """gr.File whose value is the uploaded file's path with ``.orig_name``, the name the user's file had."""

    is_template = True  # rendered by the frontend's File component

    def _process_single_file(self, f: FileData) -> NamedString | bytes:  # type: ignore[override]
        path = NamedString(f.path)
        path.orig_name = f.orig_name or ""  # type: ignore[attr-defined]
        return path


def too_large_message(limit_bytes: int) -> str:
    mb = limit_bytes / 1_048_576
    return f"文件过大（上限 {mb:.0f} MB）/ file too large (limit {mb:.0f} MB)"


class UploadLimit:
    """ASGI middleware: refuse an upload body over ``limit_bytes`` (plus multipart slack) with 413 and the app's
    message — at once when Content-Length says so, else as soon as the streamed body passes the limit."""

    def __init__(self, app: Any, limit_bytes: int):
        self.app = app
        self.limit = limit_bytes
        self.message = too_large_message(limit_bytes).encode("utf-8")

    async def _refuse(self, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(self.message)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": self.message})

    @staticmethod
    async def _drain(receive: Any, message: dict | None = None) -> None:
        """Read the rest of the body without keeping it, so the client can read the answer (a client still
        sending when the server answers sees a broken pipe instead)."""
        while message is None or (message.get("type") == "http.request" and message.get("more_body")):
            message = await receive()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "POST"
            or not scope.get("path", "").rstrip("/").endswith(UPLOAD_ROUTE_SUFFIX)
        ):
            await self.app(scope, receive, send)
            return
        cap = self.limit + MULTIPART_SLACK
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > cap:
            await self._drain(receive)
            await self._refuse(send)
            return
        seen, over = 0, False

        async def counted() -> dict:
            nonlocal seen, over
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > cap and not over:
                over = True
                await self._drain(receive, message)
                return {"type": "http.disconnect"}  # the upload route stops reading
            return message

        async def guarded(message: dict) -> None:
            if not over:  # once refused, the route's own answer is replaced by ours
                await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not over:
                raise
        if over:
            await self._refuse(send)
