"""Gradio 6 UI over the knowledge base."""

from __future__ import annotations

import os
from pathlib import Path

import gradio as gr

from ..store import Store, default_index_dir


def _docs_table(index: Path) -> list[list[str]]:
    store = Store(index)
    try:
        return [[d.id, d.doc_number or "—", d.issue_date or "—", d.jurisdiction or "—", str(len(d.clauses)),
                 d.title or ""] for d in store.documents()]
    finally:
        store.close()


def _clause_tree(index: Path, doc_id: str) -> str:
    store = Store(index)
    try:
        doc = store.find_document(doc_id)
        if doc is None:
            return "未找到该文件 / document not found"
        lines = []
        for c in doc.clauses:
            label = "".join(c.path) if c.path else f"〔{c.kind}〕"
            lines.append(f"{'  ' * max(c.level - 1, 0)}- **{label}** {c.text[:80]}")
        return "\n".join(lines)
    finally:
        store.close()


def build_app(index: Path | None = None) -> gr.Blocks:
    index = Path(index or default_index_dir())
    with gr.Blocks(title="policy-kb 政策知识库") as demo:
        gr.Markdown("# policy-kb 政策知识库\n山西焦化行业政策文件：条款、义务与问答")
        with gr.Tab("文件 Documents"):
            table = gr.Dataframe(headers=["id", "文号", "日期", "地区", "条款数", "标题"], interactive=False)
            doc = gr.Textbox(label="文件 ID / document id")
            tree = gr.Markdown()
            demo.load(lambda: _docs_table(index), outputs=table, api_name="documents")
            doc.submit(lambda d: _clause_tree(index, d), inputs=doc, outputs=tree, api_name="clauses")
    return demo


def main() -> None:
    host = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    build_app().launch(server_name=host, server_port=port)
