"""Export the provisioned e5 folder to ONNX with int8 weights, once, at provisioning time.

Why: eager PyTorch spends most of a query in the encoder and embeds passages slowly; onnxruntime with dynamically
quantised int8 weights encodes a query about 2–4× faster and passages about 2× faster on this CPU, with vectors at
cosine ≥ 0.99 to float32 PyTorch (measurements in docs/benchmarks.md, test in tests/test_onnx_encoder.py).  Query
time also drops PyTorch, transformers and sentence-transformers from the import path (cold start).

Only the matrix multiplications are quantised, per output channel: per-tensor scales, or quantising the 250k-row
word-embedding table as well, cost cosine 0.98 on the seed passages.  The feed-forward output projections stay
float32: with them quantised too the vectors were at cosine ≥ 0.995 but `eval answers` lost 0.02–0.03 fact recall
on the seed questions; without, cosine ≥ 0.998.  The graph is the bare BERT encoder (inputs
`input_ids`, `attention_mask`, `token_type_ids`; output `last_hidden_state`) in the layout sentence-transformers'
own ONNX backend reads (`onnx/model_qint8.onnx`), so pooling stays in the folder's module files.

The export needs torch, onnx and onnxruntime; nothing here is imported at query time.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

ONNX_SUBDIR = "onnx"
QUANTISED_FILE = "model_qint8.onnx"
EXPORT_MANIFEST = "policy_kb_export.json"
# Bump when the exported graph or the quantisation changes so existing exports are redone.
EXPORT_FORMAT = 2
FFN_OUTPUT_SUFFIX = "/output/dense/MatMul"
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "last_hidden_state"
# The export is checked against PyTorch on these before it is installed: a broken export must never replace the
# PyTorch path silently.  The bar is the acceptance bar of issue 17 (all seed passages and questions ≥ 0.99).
CHECK_TEXTS = (
    "query: 小焦炉啥时候必须停？",
    "query: When must 4.3 m coke ovens in Jiexiu be shut down?",
    "passage: 2023年10月31日前，全面关停退出炭化室高度4.3米焦炉。",
    "passage: 加强餐饮油烟治理，城市建成区餐饮服务单位全部安装油烟净化设施（市生态环境局牵头）。",
)
MIN_CHECK_COSINE = 0.99

Progress = Callable[[str], None]


def quantised_path(model_folder: Path) -> Path:
    """Where the int8 ONNX encoder of a provisioned folder lives."""
    return model_folder / ONNX_SUBDIR / QUANTISED_FILE


def _source_stamp(model_folder: Path) -> dict[str, object]:
    """What the export was made from: the folder's own manifest (it fingerprints the weights)."""
    from .provision import MANIFEST

    try:
        manifest = json.loads((model_folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    return {"format": EXPORT_FORMAT, "opset": OPSET, "source": manifest.get("sources")}


def is_exported(model_folder: Path) -> bool:
    """The int8 file exists and was exported from the folder's current weights with the current recipe."""
    stamp = model_folder / ONNX_SUBDIR / EXPORT_MANIFEST
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return quantised_path(model_folder).is_file() and recorded == _source_stamp(model_folder)


def _export_fp32(model_folder: Path, out: Path) -> None:
    """torch.onnx (TorchScript exporter: needs no onnxscript) with dynamic batch and sequence axes."""
    import torch

    from .embedder import _import_sentence_transformer

    st = _import_sentence_transformer()(str(model_folder), device="cpu", local_files_only=True)
    bert = st[0].auto_model.eval()
    bert.set_attn_implementation("eager")  # the plain softmax graph; onnxruntime fuses it at load time

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    ids = torch.tensor([[0, 6, 5, 2], [0, 6, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUTS, OUTPUT)}
    # the tracer warns about every shape-dependent branch of the model; the dynamic axes cover them (checked below)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Encoder().eval(),
            (ids, mask, torch.zeros_like(ids)),
            str(out),
            input_names=list(INPUTS),
            output_names=[OUTPUT],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


def _ffn_output_matmuls(fp32: Path) -> list[str]:
    """The feed-forward output projections (1536 → 384) of every layer: their inputs, GELU outputs with long
    tails, lose the most to 8-bit activations."""
    import onnx

    graph = onnx.load(str(fp32), load_external_data=False).graph
    return [
        n.name
        for n in graph.node
        if n.op_type == "MatMul" and n.name.endswith(FFN_OUTPUT_SUFFIX) and "/attention/" not in n.name
    ]


def _quantise(fp32: Path, out: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(fp32),
        str(out),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
        nodes_to_exclude=_ffn_output_matmuls(fp32),
    )


def _check(model_folder: Path, candidate: Path) -> float:
    """Lowest cosine between the candidate's vectors and float32 PyTorch's on CHECK_TEXTS."""
    from .embedder import SentenceTransformerEmbedder
    from .onnx_embedder import OnnxEmbedder

    torch_enc = SentenceTransformerEmbedder(model_folder, bf16=False)
    onnx_enc = OnnxEmbedder(model_folder, model_file=candidate)
    texts = list(CHECK_TEXTS)
    a = torch_enc._encode(texts, None)
    b = onnx_enc._encode(texts, "")
    return float(np.min(np.sum(a * b, axis=1)))


def ensure_onnx(model_folder: Path, progress: Progress) -> Path:
    """The folder's int8 ONNX encoder, exported once (about 30 s on 2 cores).  Written to a temp dir, checked
    against PyTorch, then renamed into place, so a crash or a concurrent provisioning never leaves half a file."""
    target = quantised_path(model_folder)
    if is_exported(model_folder):
        return target
    progress(f"exporting the encoder to ONNX with int8 weights -> {target}")
    work = Path(tempfile.mkdtemp(prefix=".onnx-export-", dir=model_folder))
    try:
        fp32 = work / "model_fp32.onnx"
        _export_fp32(model_folder, fp32)
        staged = work / ONNX_SUBDIR
        staged.mkdir()
        _quantise(fp32, staged / QUANTISED_FILE)
        fp32.unlink()
        cosine = _check(model_folder, staged / QUANTISED_FILE)
        if cosine < MIN_CHECK_COSINE:
            raise RuntimeError(
                f"the int8 ONNX export disagrees with PyTorch (cosine {cosine:.4f} < "
                f"{MIN_CHECK_COSINE}); the PyTorch encoder stays in use"
            )
        (staged / EXPORT_MANIFEST).write_text(
            json.dumps(_source_stamp(model_folder), indent=2) + "\n", encoding="utf-8"
        )
        for path in [staged, *staged.iterdir()]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        final = model_folder / ONNX_SUBDIR
        if final.exists():
            shutil.rmtree(final)
        os.replace(staged, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    progress(f"ONNX encoder ready (cosine to PyTorch ≥ {cosine:.4f} on the check sentences)")
    return target
