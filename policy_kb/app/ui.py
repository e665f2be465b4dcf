"""Gradio 6 UI: 问答 chat, 条款检索 search, 义务清单 obligations, 时间线 timeline, 文件 documents.

The page renders at once; the model and indexes load in a background thread (Service.warm_up). API names
`chat`, `search` and `export_obligations` are stable for programmatic clients (gradio_client)."""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from starlette.middleware import Middleware

from ..records import Modality
from ..settings import Settings
from . import errors, startup
from . import handlers as h
from .render import CSS, linked_clause
from .service import Paths, Service
from .upload_input import UploadBox, UploadLimit

PAGE_SCRIPT = Path(__file__).with_name("static") / "page.js"
CONTEXT_HINT = (
    "<p class='hint'>点击回答中的 [1]、[2] … 在此查看所引条款及其上下文 / click [n] to read the cited clause here</p>"
)


def page_options() -> dict[str, Any]:
    """How the page is launched (theme, css, the page script): one place for `main()` and the browser tests."""
    return {
        "theme": gr.themes.Soft(primary_hue="red"),
        "css": CSS,
        "head": f"<script>{PAGE_SCRIPT.read_text(encoding='utf-8')}</script>",
    }


EXAMPLES = [
    "我们厂在介休，4.3米焦炉最晚什么时候关？",
    "忻州市的4.3米焦炉要在什么时候前全部关停？",
    "压减焦化产能的补偿标准是多少？",
    "介休市住建局负责什么？",
    "When must 4.3 m coke ovens in Jiexiu be shut down?",
    "晋政办发〔2022〕51号规定了哪些内容？",
]


def _user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn UserError into gr.Error so the message shows in the page instead of a generic failure."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except h.UserError as e:
            raise gr.Error(str(e)) from e

    return wrapper


TIMELINE_PADDING = 0.04  # of the date range on each side, so the first point and the 今天 markers sit inside the chart


def _padded(dates: pd.Series) -> list[float | None] | None:
    """x limits (epoch seconds, which Gradio turns into the chart's time scale) a little wider than the dates."""
    if dates.empty:
        return None
    first, last = dates.min().timestamp(), dates.max().timestamp()
    pad = max((last - first) * TIMELINE_PADDING, 30 * 86_400)
    return [first - pad, last + pad]


def _chat_tab(service: Service, places_: list[Any], today: str) -> tuple[gr.Dropdown, gr.DateTime]:
    """问答: the question box, the answers with their [n] citations and the cited clause in context; returns the
    place and the as-of date, which 我的义务 and the page load share."""
    with gr.Tab("问答 Chat", id="chat"):
        with gr.Row():
            place = gr.Dropdown(
                places_,
                value=h.ALL,
                label="所在地区 / your jurisdiction",
                scale=2,
                min_width=260,
                allow_custom_value=True,
            )
            as_of = gr.DateTime(
                today,
                include_time=False,
                type="string",
                label="截至日期 / as of (YYYY-MM-DD)",
                scale=1,
                min_width=240,
            )  # a date picker
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=340):
                # fills the window's height; no auto-scroll to the bottom (it hid the question): after an answer
                # the page script scrolls the question to the top, so the answer reads from its first line
                bot = gr.Chatbot(
                    label="回答 / answers",
                    elem_id="chat",
                    height="calc(100vh - 330px)",
                    min_height=320,
                    autoscroll=False,
                    buttons=[],
                )
                msg = gr.Textbox(
                    label="问题 / question",
                    placeholder="例如：我们厂在介休，4.3米焦炉最晚什么时候关？",
                    max_length=500,
                    submit_btn=True,
                )
                with gr.Row():
                    copy = gr.Button("复制回答（纯文本）/ copy answer", size="sm")
                    clear = gr.Button("清空 / clear", size="sm")
                gr.Examples(EXAMPLES, inputs=msg, label="示例问题 / examples")
            with gr.Column(scale=2, min_width=300):
                chat_context = gr.HTML(CONTEXT_HINT, label="条款上下文 / clause in context", elem_id="chat-context")
        # the page script writes a clicked [n]'s clause id here (a visually hidden box)
        open_chat = gr.Textbox(visible="hidden", elem_id="open-clause-chat")
        copy_text = gr.Textbox(visible="hidden", elem_id="copy-text")
        msg.submit(
            _user_errors(lambda m, hist, p, d: (h.chat(service, m, hist, p, d), "")),
            [msg, bot, place, as_of],
            [bot, msg],
            api_name="chat",
            concurrency_limit=8,
        ).then(lambda hist: h.copy_text(service, hist), bot, copy_text, api_visibility="private").then(
            None, None, None, js="() => policyKb.showQuestion()"
        )
        copy.click(
            lambda text: gr.Info("已复制 / copied") if text else gr.Warning("还没有回答 / no answer yet"),
            copy_text,
            None,
            js="(text) => policyKb.copy(text)",
            api_visibility="private",
        )
        clear.click(lambda: ([], "", ""), None, [bot, copy_text, open_chat], api_visibility="private")
        # `change`, not `input`: the page script sets the box's value, which Gradio reports as a change
        open_chat.change(
            lambda cid: h.clause_context(service, cid) if cid else CONTEXT_HINT,
            open_chat,
            chat_context,
            api_visibility="private",
        ).then(None, None, None, js="() => policyKb.reveal('chat-context')")

        def _vote(hist: list[dict[str, Any]], p: str, d: str, data: gr.LikeData) -> None:
            gr.Info(h.feedback(service, hist, data.index, data.liked, p, d))

        bot.like(_user_errors(_vote), [bot, place, as_of], None, api_visibility="private")
    return place, as_of


def _search_tab(service: Service, places_: list[Any], docs: list[Any]) -> tuple[gr.Dropdown, gr.Dropdown]:
    """条款检索: keyword / hybrid / semantic search with filters, a result opened in context; returns the place
    and document filters (refreshed when a document is uploaded)."""
    with gr.Tab("条款检索 Search", id="search"):
        with gr.Row():
            query = gr.Textbox(
                label="关键词或问题 / query",
                placeholder="补偿标准、干熄焦、4.3米、晋政办发〔2019〕66号",
                max_length=500,
                scale=3,
            )
            mode = gr.Radio(
                [("综合 / hybrid", "hybrid"), ("关键词 / keyword", "keyword"), ("语义 / semantic", "semantic")],
                value="hybrid",
                label="模式 / mode",
                scale=2,
            )
        with gr.Row():
            s_place = gr.Dropdown(places_, value=h.ALL, label="地区 / jurisdiction", allow_custom_value=True)
            s_doc = gr.Dropdown([h.ALL, *docs], value=h.ALL, label="文件 / document", allow_custom_value=True)
            y_from = gr.Textbox(label="发文年份起 / year from", placeholder="2019")  # empty, not 0
            y_to = gr.Textbox(label="至 / to", placeholder="2024")
        go = gr.Button("检索 / search", variant="primary")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=340):
                results = gr.HTML(elem_id="search-results")
            with gr.Column(scale=2, min_width=300):
                pick = gr.Dropdown(
                    [],
                    label="查看条款上下文 / open a result in context",
                    interactive=True,
                    allow_custom_value=True,
                )  # the API opens any clause id
                context = gr.HTML(elem_id="search-context")
        open_search = gr.Textbox(visible="hidden", elem_id="open-clause-search")

        def _search(q: str, m: str, p: str, d: str, a: Any, b: Any) -> tuple[str, Any]:
            page, choices = h.search(service, q, m, p, d, a, b)
            return page, gr.update(choices=choices, value=None)

        inputs = [query, mode, s_place, s_doc, y_from, y_to]
        go.click(_user_errors(_search), inputs, [results, pick], api_name="search", concurrency_limit=8)
        query.submit(_user_errors(_search), inputs, [results, pick], api_visibility="private")
        pick.change(lambda cid: h.clause_context(service, cid), pick, context, api_name="clause_context")
        # a click on a result (its path or 查看上下文) opens it: the picker follows, so both show the same
        # clause
        open_search.change(lambda cid: cid, open_search, pick, api_visibility="private").then(
            None, None, None, js="() => policyKb.reveal('search-context')"
        )
    return s_place, s_doc


@dataclass
class _ObligationsTab:
    """What the page load fills in the 义务清单 tab."""

    place: gr.Dropdown
    doc: gr.Dropdown
    table: gr.Dataframe
    count: gr.Markdown
    download: gr.DownloadButton


def _obligations_tab(service: Service, places_: list[Any], docs: list[Any]) -> _ObligationsTab:
    """义务清单: the obligations table with its filters and a download that always holds the rows shown."""
    with gr.Tab("义务清单 Obligations", id="obligations"):
        with gr.Row():
            o_place = gr.Dropdown(
                places_, value=h.ALL, label="地区 / jurisdiction (incl. higher levels)", allow_custom_value=True
            )
            o_doc = gr.Dropdown([h.ALL, *docs], value=h.ALL, label="文件 / document", allow_custom_value=True)
            o_dept = gr.Textbox(label="部门 / department", placeholder="市工信局")
        with gr.Row():
            o_after = gr.Textbox(label="截止不早于 / due after", placeholder="2023-01-01")
            o_before = gr.Textbox(label="截止不晚于 / due before", placeholder="2023-12-31")
            o_mod = gr.Dropdown(
                [
                    h.ALL,
                    ("必须 / must", Modality.MUST.value),
                    ("禁止 / must not", Modality.MUST_NOT.value),
                    ("鼓励 / encouraged", Modality.ENCOURAGED.value),
                    ("目标 / target", Modality.TARGET.value),
                    ("可以 / may", Modality.MAY.value),
                ],
                value=h.ALL,
                label="类型 / modality",
            )
            o_fmt = gr.Radio(["csv", "json", "jsonl"], value="csv", label="下载格式 / format")
        with gr.Row():
            o_go = gr.Button("筛选 / filter", variant="primary")
            o_dl = gr.DownloadButton("下载 / download", variant="secondary")
        o_count = gr.Markdown(elem_classes=["count"])
        # narrow columns for dates, places and references so that the obligation and its departments get the
        # width (no sideways scrolling at 1366 px); a click on 条款 opens the clause below the table
        table = gr.Dataframe(
            headers=h.OBLIGATION_COLUMNS,
            datatype=h.OBLIGATION_TYPES,
            interactive=False,
            wrap=True,
            max_height=600,
            elem_id="obligations-table",
            column_widths=["8%", "7%", "7%", "12%", "8%", "34%", "14%", "10%"],
        )
        o_context = gr.HTML(elem_id="obligations-context")

        def _open_row(evt: gr.SelectData) -> str:
            """A click anywhere in a row opens its clause in context below the table (the row's details)."""
            row = evt.row_value or []
            clause_id = linked_clause(str(row[h.OBLIGATION_COLUMNS.index("条款 clause")])) if row else None
            return h.clause_context(service, clause_id)

        table.select(_open_row, None, o_context, api_visibility="private").then(
            None, None, None, js="() => policyKb.reveal('obligations-context')"
        )
        filters = [o_place, o_doc, o_dept, o_before, o_after, o_mod]
        export = _user_errors(lambda p, d, dep, b, a, m, f: h.export_obligations(service, p, d, dep, b, a, m, f))

        def _refresh(*filter_values: Any) -> tuple[list[list[str]], str]:
            rows = h.obligations_table(service, *filter_values)
            return rows, f"共 {len(rows)} 条义务 / {len(rows)} obligations"

        # the download button serves the file it holds when clicked, so the file is prepared whenever the
        # filters or the format change: a single click always downloads exactly the rows on screen
        refresh = _user_errors(_refresh)
        table_out = [table, o_count]
        o_go.click(refresh, filters, table_out, api_visibility="private").then(
            export, [*filters, o_fmt], o_dl, api_name="export_obligations"
        )
        o_fmt.change(export, [*filters, o_fmt], o_dl, api_visibility="private")
        # a filter that changes without 筛选 (a typed department, a new place) refreshes the table and the file
        # together, so the download never holds other rows than the table shows
        for event in [
            *(d.change for d in (o_place, o_doc, o_mod)),
            *(e for t in (o_dept, o_before, o_after) for e in (t.submit, t.blur)),
        ]:
            event(refresh, filters, table_out, api_visibility="private").then(
                export, [*filters, o_fmt], o_dl, api_visibility="private"
            )
    return _ObligationsTab(o_place, o_doc, table, o_count, o_dl)


def _timeline(service: Service, place: str) -> Any:
    """The deadlines of a place (and the places above it) as chart points."""
    rows = h.timeline_rows(service, place)
    df = pd.DataFrame(
        {
            "date": pd.to_datetime([r["date"] for r in rows]),
            "截止日期": [r["date"] for r in rows],  # the tooltip shows the date as written
            "地区": [r["place"] for r in rows],
            "状态": [r["status"] for r in rows],
            "义务": [r["obligation"] for r in rows],
            "出处": [r["source"] for r in rows],
        }
    )
    return gr.update(value=df, x_lim=_padded(df["date"]))


def _timeline_tab(service: Service, places_: list[Any]) -> tuple[gr.Dropdown, gr.ScatterPlot]:
    """时间线: every dated obligation of a place on a time axis, passed ones grey."""
    with gr.Tab("时间线 Timeline", id="timeline"):
        t_place = gr.Dropdown(places_, value=h.ALL, label="地区 / jurisdiction", allow_custom_value=True)
        plot = gr.ScatterPlot(
            x="date",
            y="地区",
            color="状态",
            tooltip=["截止日期", "地区", "义务", "出处"],
            color_map={"已过期 passed": "#9ca3af", "未到期 upcoming": "#dc2626", "今天 today": "#1d4ed8"},
            x_title="截止日期 / deadline",
            y_title="地区 / place",
            height=420,
        )

        t_place.change(functools.partial(_timeline, service), t_place, plot, api_visibility="private")
    return t_place, plot


def _mine_tab(
    demo: gr.Blocks, service: Service, places_: list[Any], as_of: gr.DateTime, p_saved: gr.BrowserState
) -> None:
    """我的义务: the company profile form → its checklist, CSV and ICS; the form and the obligations seen last time
    are kept in the browser (``p_saved``) and restored at page load."""
    with gr.Tab("我的义务 My obligations", id="mine"):
        gr.Markdown(
            "填写企业所在地、行业和设施，列出约束本企业的全部条款：逾期、即将到期、长期和需确认的义务，"
            "每条注明适用原因和出处。档案保存在本浏览器中。 / Your plant's profile → every clause that "
            "binds it; kept in this browser."
        )
        with gr.Row():
            p_name = gr.Textbox(label="企业名称 / company", placeholder="示例焦化公司", min_width=200)
            p_place = gr.Dropdown(
                places_[1:], label="所在地 / place（县、市或省）", allow_custom_value=True, min_width=200
            )
            p_industry = gr.Dropdown(
                h.INDUSTRIES,
                value=["焦化"],
                multiselect=True,
                allow_custom_value=True,
                label="行业 / industry",
                min_width=200,
            )
        p_facilities = gr.Dataframe(
            headers=h.FACILITY_COLUMNS,
            value=[["焦炉", 2, "4.3米", "12年", "60万吨/年"]],
            interactive=True,
            row_count=1,
            row_limits=(1, None),
            column_count=5,
            column_limits=(5, 5),
            label="设施 / facilities（数值带单位，如 4.3米、12年、60万吨/年）",
        )
        with gr.Row():
            p_go = gr.Button("生成义务清单 / my checklist", variant="primary")
            p_csv = gr.DownloadButton("下载 CSV", variant="secondary")
            p_ics = gr.DownloadButton("下载日历 ICS / calendar", variant="secondary")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=340):
                p_list = gr.HTML(elem_id="my-obligations")
            with gr.Column(scale=2, min_width=300):
                p_context = gr.HTML(elem_id="mine-context")
        open_mine = gr.Textbox(visible="hidden", elem_id="open-clause-mine")
        open_mine.change(
            lambda cid: h.clause_context(service, cid), open_mine, p_context, api_visibility="private"
        ).then(None, None, None, js="() => policyKb.reveal('mine-context')")

        def _checklist(
            name: str, where: str, industry: Any, facilities: Any, d: Any, saved: dict[str, Any]
        ) -> tuple[Any, ...]:
            profile = h.profile_from_form(name, where, industry, facilities)
            page, ids, csv_file, ics_file = h.my_checklist(service, profile, d, (saved or {}).get("seen"))
            form = {
                "name": name,
                "place": where,
                "industry": industry,
                "facilities": facilities.values.tolist() if hasattr(facilities, "values") else facilities,
            }
            return (
                page,
                csv_file,
                ics_file,
                {"profile": form, "seen": ids},
            )

        p_go.click(
            _user_errors(_checklist),
            [p_name, p_place, p_industry, p_facilities, as_of, p_saved],
            [p_list, p_csv, p_ics, p_saved],
            api_visibility="private",
        )

        def _restore(saved: dict[str, Any]) -> tuple[Any, ...]:
            form = (saved or {}).get("profile")
            if not form:
                return tuple(gr.update() for _ in range(4))
            return form.get("name"), form.get("place"), form.get("industry"), form.get("facilities")

        demo.load(_restore, p_saved, [p_name, p_place, p_industry, p_facilities], api_visibility="private")


def _documents_tab(
    service: Service, docs: list[Any], place_boxes: list[gr.Dropdown], doc_boxes: list[gr.Dropdown]
) -> tuple[gr.Dataframe, gr.Markdown, gr.Dropdown]:
    """文件: the documents, a clause tree, cited documents missing from the corpus, and the admin upload, after
    which the new document and its place become selectable in ``place_boxes`` and ``doc_boxes``."""
    with gr.Tab("文件 Documents", id="documents"):
        doc_table = gr.Dataframe(
            headers=h.DOCUMENT_COLUMNS,
            interactive=False,
            wrap=True,
            column_widths=["34%", "14%", "10%", "9%", "7%", "6%", "20%"],
        )
        tree_doc = gr.Dropdown(docs, value=None, label="条款树 / clause tree")
        tree = gr.Markdown()
        gr.Markdown("#### 被引用但未收录的文件 / cited documents not in the corpus")
        missing = gr.Markdown()
        with gr.Accordion("上传文件（管理员）/ upload (admin)", open=False, visible=h.admin_enabled(service)):
            # type and size are checked by the server (handlers.upload) with the app's own messages
            up_file = UploadBox(label="txt / md / docx / pdf / html")
            up_pw = gr.Textbox(label="管理员密码 / admin password", type="password")
            up_go = gr.Button("上传并入库 / upload and ingest")
            up_msg = gr.Markdown()

            def _upload(f: str | None, pw: str, request: gr.Request) -> tuple[Any, ...]:
                message = h.upload(service, f, pw, client=request.client.host if request.client else "?")
                # the new document (and its place) become selectable everywhere without a restart
                names, ids = h.jurisdiction_choices(service), h.document_choices(service)
                return (
                    message,
                    h.documents_table(service),
                    gr.update(choices=ids),
                    *(gr.update(choices=[h.ALL, *ids]) for _ in doc_boxes),
                    *(gr.update(choices=names) for _ in place_boxes),
                )

            up_go.click(
                _user_errors(_upload),
                [up_file, up_pw],
                [up_msg, doc_table, tree_doc, *doc_boxes, *place_boxes],
                api_visibility="private",
                concurrency_limit=1,
            )
        tree_doc.change(lambda d: h.clause_tree_md(service, d), tree_doc, tree, api_visibility="private")
    return doc_table, missing, tree_doc


def _page_load(service: Service) -> tuple[Any, ...]:
    """Per page load: fresh tables, the current document and place lists (a document uploaded in another session
    is selectable), and a ready export so the first click on 下载 downloads the table shown."""
    try:
        names, ids = h.jurisdiction_choices(service), h.document_choices(service)
        rows = h.obligations_table(service)
        return (
            h.documents_table(service),
            h.missing_citations_md(service),
            _timeline(service, h.ALL),
            rows,
            f"共 {len(rows)} 条义务 / {len(rows)} obligations",
            h.export_obligations(service, h.ALL, h.ALL, "", "", "", h.ALL, "csv"),
            *(gr.update(choices=names) for _ in range(4)),
            *(gr.update(choices=[h.ALL, *ids]) for _ in range(2)),
            gr.update(choices=ids),
        )
    except Exception as e:  # e.g. no knowledge base yet
        return ([], f"⚠️ {e}", gr.update(), [], "", None, *(gr.update() for _ in range(7)))


def build_app(
    index: Path | None = None,
    corpus: Path | None = None,
    exports: Path | None = None,
    gradio_temp: Path | None = None,
    settings: Settings | None = None,
) -> gr.Blocks:
    """The app; ``gradio_temp``: Gradio's temp folder when it is this app's own (then it is kept bounded too);
    ``index``/``corpus`` override ``settings`` (default: read from the environment)."""
    settings = settings or Settings.from_env()
    index = Path(index or settings.index)
    service = Service(
        Paths(index=index, corpus=Path(corpus or settings.corpus), exports=Path(exports or index / "exports")),
        settings,
    )
    try:
        places_ = h.jurisdiction_choices(service)
        docs = h.document_choices(service)
    except Exception:  # no knowledge base yet: the Documents tab says how to build it
        places_, docs = [h.ALL], []
    today = date.today().isoformat()

    with gr.Blocks(title="policy-kb 政策知识库") as demo:
        gr.HTML(
            "<div class='banner'><b>policy-kb 政策知识库</b> · 山西焦化行业政策：条款、义务、期限与责任部门 · "
            "每个回答都注明出处 / every answer cites its clauses</div>"
        )

        # 我的义务: the profile and the obligations seen last time stay in this browser (localStorage); outside the
        # tabs,
        # which Gradio mounts only when opened, so that it is read at page load
        p_saved = gr.BrowserState(
            {"profile": None, "seen": []}, storage_key="policy-kb-my-obligations", secret="policy-kb-my-obligations"
        )
        with gr.Tabs(overflow_behavior="wrap"):  # on a phone the five tabs wrap to two rows, not "•••"
            place, as_of = _chat_tab(service, places_, today)
            s_place, s_doc = _search_tab(service, places_, docs)
            obligations = _obligations_tab(service, places_, docs)
            t_place, plot = _timeline_tab(service, places_)
            _mine_tab(demo, service, places_, as_of, p_saved)
            place_boxes = [place, s_place, obligations.place, t_place]
            doc_boxes = [s_doc, obligations.doc]
            doc_table, missing, tree_doc = _documents_tab(service, docs, place_boxes, doc_boxes)

        def _load() -> tuple[Any, ...]:  # (the name tests and clients look the page-load event up by)
            return _page_load(service)

        demo.load(
            _load,
            None,
            [
                doc_table,
                missing,
                plot,
                obligations.table,
                obligations.count,
                obligations.download,
                *place_boxes,
                *doc_boxes,
                tree_doc,
            ],
            api_visibility="private",
        )
    demo.service = service  # for tests
    demo.janitor = startup.start(service, gradio_temp)
    return errors.install(demo)


# Gradio keeps each session's component values (≈0.8 MB per page load here: the tables the page loads with) until
# this many newer sessions exist; its default (10,000) let memory grow with every page view (the soak: +60 MB a
# minute).  A session pushed out starts again from the page's defaults on its next event.
STATE_SESSIONS = 200


def main(settings: Settings | None = None) -> None:
    """Serve the app with ``settings`` (the entry point's), else those of the environment."""
    settings = settings or Settings.from_env()
    host = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    # Gradio's temp folder of its own (it holds a copy of every file served), so the app can keep it bounded
    gradio_temp = Path(
        os.environ.setdefault("GRADIO_TEMP_DIR", str(Path(tempfile.gettempdir()) / f"policy-kb-gradio-{os.getuid()}"))
    )
    app = build_app(gradio_temp=gradio_temp, settings=settings)
    app.service.warm_up()  # type: ignore[attr-defined]
    app.queue(default_concurrency_limit=8).launch(
        server_name=host,
        server_port=port,
        **page_options(),
        allowed_paths=[str(app.service.paths.exports.resolve())],  # type: ignore[attr-defined]
        # the upload size limit is the app's own (413 with its message), not Gradio's English max_file_size
        app_kwargs={"middleware": [Middleware(UploadLimit, limit_bytes=settings.max_upload_bytes)]},
        state_session_capacity=STATE_SESSIONS,
        show_error=False,
    )  # errors.install already makes every message safe; nothing else is shown
