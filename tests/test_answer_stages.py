"""The answer pipeline stage by stage (issue 13): understanding with a conversation, evidence features, the fitted
scorer, the answerability decision and the fit itself.  Seed knowledge base with the hashing test embedder, plus a
scratch one with a real law from ../shared/real-dev where a law's layout matters."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from conftest import answering_everything, one_real_text_index

from policy_kb.answer import answerable, evidence, scorer
from policy_kb.answer.compose import Answerer
from policy_kb.answer.evidence import Evidence, Features, plan_period
from policy_kb.answer.scorer import Model, Overall, Thresholds
from policy_kb.answer.understand import understand
from policy_kb.records import Clause

AS_OF = date(2026, 11, 23)
JIEXIU_CLOSURE = "jiexiu-2023-43m-oven-closure:二/（一）"


@pytest.fixture(scope="module")
def answerer(seed_index: Path):  # type: ignore[no-untyped-def]
    a = Answerer(seed_index, embedder_name="fake")
    yield a
    a.store.close()


def _evidence(answerer: Answerer, question: str, jurisdiction: str | None = None) -> list[Evidence]:
    q = understand(question, jurisdiction)
    ranked, _, _ = answerer.evidence(q, answerer._scope(q, jurisdiction, None), AS_OF)
    return ranked


# ---- understanding: follow-ups ------------------------------------------------------------------------------------
def test_follow_up_changes_the_place_and_keeps_topic_and_intent() -> None:
    before = understand("介休4.3米焦炉什么时候关？")
    q = understand("那忻州呢？", previous=before)
    assert (q.follow_up, q.jurisdiction, q.intent, q.topics) == (True, "忻州市", "deadline", ["4.3米焦炉"])
    assert "介休" not in q.search_text and "忻州" in q.search_text and "4.3米焦炉" in q.search_text


def test_follow_up_keeps_the_place_and_changes_the_aspect() -> None:
    before = understand("河南省焦化企业在居民区新建项目违法吗？")
    q = understand("罚多少？", previous=before)
    assert (q.follow_up, q.jurisdiction, q.wants_money, q.wants_penalty) == (True, "河南省", True, True)
    assert q.search_text.startswith("河南省焦化企业在居民区新建项目")


def test_english_follow_up() -> None:
    before = understand("In Xingtai, by when must 4.3 m coke ovens be closed?")
    q = understand("And what about Jining?", previous=before)
    assert (q.follow_up, q.jurisdiction, q.intent) == (True, "济宁市", "deadline")


def test_a_question_that_stands_alone_is_no_follow_up() -> None:
    before = understand("介休4.3米焦炉什么时候关？")
    q = understand("环境保护税按季申报的期限是多久？", previous=before)
    assert not q.follow_up and q.search_text == q.text


@pytest.mark.parametrize(
    "text", ["我们厂的焦化产能是当年通过市场化交易买来的", "山西哪个市要砍掉的焦化产能最多？", "项目在各市落地"]
)
def test_ordinary_words_are_no_place(text: str) -> None:
    assert understand(text).jurisdiction in (None, "山西省")


def test_question_features_read_once() -> None:
    q = understand("介休4.3米焦炉逾期不关会怎么样？")
    assert (q.wants_penalty, q.specifics) == (True, ["4.3米"])
    assert understand("“两断四停”是什么意思").quoted == ["两断四停"]
    assert understand("介休市焦化领导小组组长是谁").role == "组长"
    assert understand("十一五期间焦炭产能控制在多少").names_period


# ---- evidence ---------------------------------------------------------------------------------------------------
def test_features_of_the_deadline_sentence(answerer: Answerer) -> None:
    ranked = _evidence(answerer, "我们厂在介休，4.3米焦炉最晚什么时候关？")
    e = next(e for e in ranked if e.clause.id == JIEXIU_CLOSURE and e.text.startswith("2023年10月31日前"))
    f = e.features
    assert (f.intent_fit, f.place_doc, f.topic, f.obligation, f.title) == (1.0, 1.0, 1.0, 1.0, 0.0)
    assert f.cover > 0.5 and 0.0 <= f.dense <= 1.0 and e.obligation is not None
    assert e.obligation.deadline.date == "2023-10-31"
    assert all(0.0 <= v <= 1.0 for v in f.vector()), f


def test_the_chunk_feature_says_which_part_of_a_long_clause_the_question_is_about(answerer: Answerer) -> None:
    """五/（四） is three chunks in the dense index; the question is about the second one's words."""
    ranked = _evidence(answerer, "介休1号炉投产后能满足多少热源需求量？", "介休市")
    mine = [e for e in ranked if e.clause.id == "jiexiu-2023-43m-oven-closure:五/（四）"]
    asked = next(e for e in mine if e.text.startswith("鉴于1号炉投产后"))
    first = next(e for e in mine if e.start == 0)
    assert asked.features.chunk == 1.0 and asked.features.chunk_rank == 1.0
    assert first.features.chunk < 1.0 and first.features.chunk_rank < 1.0
    assert len({e.features.dense for e in mine}) == 1  # the clause's score: the same for each of its sentences
    same_chunk = [e for e in mine if 111 <= e.start < 249]  # sentences embedded in one chunk share its values
    assert len({(e.features.chunk, e.features.chunk_rank) for e in same_chunk}) == 1


def test_without_chunk_vectors_a_sentence_takes_its_clauses_dense_score(
    answerer: Answerer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An IVF index cannot give its vectors back by position: every sentence of a clause then gets the clause's
    best-chunk cosine, relative to the best candidate's, so the feature still means "close to the question"."""
    dense = answerer.searcher.dense
    assert dense is not None
    with monkeypatch.context() as m:
        m.setattr(dense, "kind", "ivf")
        assert dense.chunk_cosines(answerer.searcher.query_vector("热源需求量"), [1, 2, 3]) == {}
    monkeypatch.setattr(dense, "chunk_cosines", lambda vec, rowids: {})  # what an IVF index answers
    ranked = _evidence(answerer, "介休1号炉投产后能满足多少热源需求量？", "介休市")
    mine = [e for e in ranked if e.clause.id == "jiexiu-2023-43m-oven-closure:五/（四）"]
    assert len(mine) > 2 and len({e.features.chunk for e in mine}) == 1
    assert max(e.features.chunk for e in ranked) == 1.0 and min(e.features.chunk_rank for e in ranked) > 0


def test_a_value_the_question_names_is_not_what_it_asks_for(answerer: Answerer) -> None:
    ranked = _evidence(answerer, "介休哪两家企业的4.3米焦炉要关停，各是多大产能？", "介休市")
    capacities = next(e for e in ranked if "60万吨/年" in e.text)
    only_size = [e for e in ranked if "4.3米" in e.text and not any(c.isdigit() for c in e.text.replace("4.3", ""))]
    assert capacities.features.intent_fit == 1.0
    assert only_size and all(e.features.intent_fit == 0.0 for e in only_size)


def test_synonyms_count_as_the_word(answerer: Answerer) -> None:
    concepts = answerer.finder.concepts(understand("压减的焦化产能每吨补贴多少钱？"))
    assert ("补贴", "补偿", "补助") in concepts


def test_plan_period_from_the_five_year_plan_name(answerer: Answerer) -> None:
    plan = answerer.store.find_document("sx-2006-coking-11th-plan")
    assert plan_period(plan) == (2006, 2010)
    assert plan_period(answerer.store.find_document("sx-2019-66-coking-overcapacity")) is None


@pytest.fixture(scope="module")
def law_answerer(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    a = Answerer(one_real_text_index(tmp_path_factory, "d01_water_pollution_law.md"), embedder_name="fake")
    yield a
    a.store.close()


def test_an_item_brings_its_articles_penalty(law_answerer: Answerer) -> None:
    """The violation is an item `（二）`; the fine is in the article's own sentence: both are candidates."""
    ranked = _evidence(law_answerer, "水污染防治法 自动监测设备没联网 罚款")
    item = [e for e in ranked if e.clause.id.endswith("第八十二条/（二）")]
    article = [e for e in ranked if e.clause.id.endswith("第八十二条") and "二万元以上二十万元以下" in e.text]
    assert item and article
    assert article[0].features.context == 1.0 and article[0].features.intent_fit == 1.0


def test_a_chosen_lead_in_brings_the_items_it_announces(law_answerer: Answerer) -> None:
    """`…有下列行为之一的，…责令停产整治:` answers nothing alone: its items are quoted after it, each cited as its
    own clause, in the law's order; not when one of them is quoted already (the question was about that one)."""
    ranked = _evidence(law_answerer, "水污染防治法 自动监测设备没联网 罚款")
    lead = next(e for e in ranked if e.clause.id.endswith("第八十二条") and e.text.endswith(":"))
    items = law_answerer.finder.items([lead], every=False)
    assert [e.clause.id.rsplit("/", 1)[-1] for e in items] == ["（一）", "（二）", "（三）"]
    assert "自动监测设备" in items[1].text and all(e.text == e.clause.text.strip() for e in items)
    item = next(e for e in ranked if e.clause.id.endswith("第八十二条/（二）"))
    assert law_answerer.finder.items([lead, item], every=True) == []
    assert law_answerer.finder.items([item], every=True) == []  # an item ends with `；`: it announces nothing
    other = next(e for e in ranked if "第八十二条" not in e.clause.id)
    assert law_answerer.finder.items([other, lead], every=False) == []  # beside the best sentence: context
    assert len(law_answerer.finder.items([other, lead], every=True)) == 3  # a question asking for a list


def test_a_clause_whose_heading_is_its_rule_is_a_candidate(law_answerer: Answerer) -> None:
    """An item whose heading is the whole rule (`（一）水污染物，是指…的物质`) is quoted, not skipped as a bare
    heading: the sentence is a candidate, with `heading` set for the fitted weight to judge."""
    ranked = _evidence(law_answerer, "水污染防治法里水污染物是指什么")
    e = next(e for e in ranked if e.text.startswith("水污染物，是指"))
    assert e.features.heading == 1.0 and e.text.strip("。") == e.clause.heading


def test_penalty_answer_quotes_violation_and_fine(law_answerer: Answerer) -> None:
    with answering_everything(law_answerer):
        a = law_answerer.ask("水污染防治法 自动监测设备没联网 罚款", None, date(2026, 12, 6))
    assert a.status == "answered", a.answer
    assert "二万元以上二十万元以下的罚款" in a.answer
    assert any(c.clause_id.endswith("第八十二条") for c in a.citations)


# ---- scorer -----------------------------------------------------------------------------------------------------
def test_the_shipped_model_knows_every_feature() -> None:
    model = scorer.load()
    assert set(model.weights) == set(Features.names())
    assert set(model.answer_steps) <= set(Overall.names()) and {"best", "best_fit"} <= set(model.answer_steps)
    th = model.thresholds
    assert 0 < th.answer < 1 and 0 < th.select < 1 and 0 < th.ratio <= 1 and th.whole_clause >= 0


def test_probability_follows_the_weights() -> None:
    f = Features(*([0.0] * len(Features.names())))
    model = Model({"cover": 4.0, "unknown_feature": 9.0}, -2.0)
    low = model.probability(f)
    high = model.probability(replace(f, cover=1.0))
    assert low == pytest.approx(1 / (1 + 2.718281828**2), rel=1e-6) and high > 0.85
    assert Overall.of(understand("x"), []).best == 0.0


def test_model_file_round_trip(tmp_path: Path) -> None:
    steps = {"best": [(0.1, 1.25), (0.4, 0.5)], "missing": [(0.2, -2.0)]}
    model = Model({"cover": 1.5}, -1.0, Thresholds(0.4, 0.2, 0.5, 0.1, 300), steps, -0.5)
    path = tmp_path / "m.json"
    path.write_text(model.to_json({"report": {"n": 1}}), encoding="utf-8")
    assert scorer.load(path) == model
    assert json.loads(path.read_text(encoding="utf-8"))["report"] == {"n": 1}
    assert '"best": [\n      [0.1, 1.25],\n      [0.4, 0.5]\n    ]' in path.read_text(encoding="utf-8")  # a line a step


def test_answerability_adds_the_steps_a_feature_passes() -> None:
    model = Model({}, 0.0, answer_steps={"best": [(0.1, 1.0), (0.4, 0.5)], "missing": [(0.2, -2.0)]}, answer_bias=-1.0)
    names = Overall.names()

    def odds(**values: float) -> float:
        p = scorer._stepped(model.answer_steps, model.answer_bias, names, tuple(values.get(n, 0.0) for n in names))
        return math.log(p / (1 - p))

    assert odds(best=0.05) == pytest.approx(-1.0)
    assert odds(best=0.3) == pytest.approx(0.0)
    assert odds(best=0.9) == pytest.approx(0.5)
    assert odds(best=0.9, missing=0.5) == pytest.approx(-1.5)


def test_fitted_stumps_read_back_as_scikit_learns_log_odds() -> None:
    from sklearn.ensemble import GradientBoostingClassifier

    from policy_kb.evaluation.fit import _steps_of

    rng = np.random.default_rng(0)
    x = rng.random((300, 3))
    y = (x[:, 0] + 0.3 * rng.random(300) > 0.6).astype(int)
    boosted = GradientBoostingClassifier(max_depth=1, n_estimators=40, subsample=0.8, random_state=0).fit(x, y)
    steps, bias = _steps_of(boosted, ["a", "b", "c"], x)
    probs = [scorer._stepped(steps, bias, ["a", "b", "c"], tuple(row)) for row in x]
    assert np.allclose(probs, boosted.predict_proba(x)[:, 1], atol=1e-4)
    assert all(th == sorted(th) for th in ([t for t, _ in v] for v in steps.values()))


# ---- answerability ----------------------------------------------------------------------------------------------
def _fake(clause_id: str, text: str, score: float, start: int = 0, **features: float) -> Evidence:
    clause = Clause(clause_id, "doc", None, 1, None, [clause_id], None, text, "body", 0, len(text))
    values = {name: 0.0 for name in Features.names()} | features
    return Evidence(clause, text, start, 0, "山西省", None, Features(**values), score)


TH = Thresholds(answer=0.5, select=0.3, ratio=0.5, same_clause=0.2, whole_clause=0)


def test_below_the_threshold_is_refused_without_blaming_missing_words() -> None:
    """The answerability model refuses; a word no clause contains is one of its inputs, never the reason given."""
    q = understand("焦化企业碳排放配额怎么分配？")
    d = answerable.decide(q, [_fake("a", "焦化企业要加强管理。", 0.9)], 0.2, TH, ["配额"])
    assert d.chosen == [] and d.reason == "没有找到可以回答该问题的条款。"
    assert "配额" not in (d.reason or "") + (d.reason_en or "") and "没有出现" not in (d.reason or "")


def test_a_missing_word_does_not_refuse_and_becomes_a_caveat() -> None:
    """Above the threshold a question is answered although one of its words occurs in no clause (a typo, a word
    the documents do not use); the answer opens with a caveat that names the word."""
    q = understand("焦化企业什么时侯完成改造？")
    d = answerable.decide(q, [_fake("a", "2025年底前，焦化企业要完成改造。", 0.9)], 0.9, TH, ["时侯"])
    assert d.reason is None and d.chosen and d.missing == ["时侯"]
    assert answerable.caveat(d.missing, en=False) == "（文件中没有出现“时侯”，以下按问题的其余部分作答）"
    assert answerable.caveat(["氢"], en=True).startswith("(The documents do not mention “氢”")
    assert answerable.caveat([], en=False) == ""


def test_a_when_question_needs_a_date() -> None:
    q = understand("焦化企业什么时候完成改造？")
    d = answerable.decide(q, [_fake("a", "焦化企业要完成改造。", 0.9)], 0.9, TH, [])
    assert d.reason == "文件中没有找到相关的期限规定。"
    d = answerable.decide(q, [_fake("a", "2025年底前，焦化企业要完成改造。", 0.9)], 0.9, TH, [])
    assert d.reason is None
    d = answerable.decide(q, [_fake("a", "要提前谋划，提前完成气源、热源调整替代。", 0.9)], 0.9, TH, [])
    assert d.reason == "文件中没有找到相关的期限规定。"  # 提前完成 is no deadline


def test_a_when_question_answered_by_a_span_is_refused_without_denying_the_span() -> None:
    """A law sets a span of time, not a date (`届满前一个月`): the deadline check still refuses (session 14), but the
    refusal quotes the span and puts its sentence first instead of saying the documents set no time limit."""
    q = understand("锅炉检验合格证到期前多久要申请检验？")
    span = _fake("b", "使用单位应当在检验合格有效期届满前一个月向检验机构提出定期检验要求。", 0.8, start=12)
    other = _fake("a", "特种设备使用单位应当建立岗位责任制度。", 0.9)
    d = answerable.decide(q, [other, span], 0.9, TH, [])
    assert d.chosen == [] and d.closest == [span]
    assert d.reason == "文件没有规定具体日期，相关条款规定的是时限（“届满前一个月”），请核对下列条款。"
    assert "期限规定" not in (d.reason or "") and "没有出现" not in (d.reason or "")
    assert "“届满前一个月”" in (d.reason_en or "")
    for text, said in [
        ("接到报告后应当立即赶赴现场。", "立即"),
        ("应当提前七日书面通知。", "提前七日"),
        ("检测记录的保存期限不得少于2年。", "不得少于2年"),
        ("许可证有效期为5年。", "有效期为5年"),
    ]:
        d = answerable.decide(q, [_fake("c", text, 0.9)], 0.9, TH, [])
        assert d.reason and f"“{said}”" in d.reason, text
    # a plan named for its length is no time limit
    d = answerable.decide(q, [_fake("d", "实施打赢蓝天保卫战三年行动计划。", 0.9)], 0.9, TH, [])
    assert d.reason == "文件中没有找到相关的期限规定。" and d.closest == []


def test_states_time_covers_dates_limits_frequencies_and_spans() -> None:
    for text in (
        "2025年底前完成改造",
        "自季度终了之日起十五日内申报",
        "每3年进行一次安全评价",
        "届满前一个月提出",
        "立即报告",
    ):
        assert evidence.states_time(text), text
    for text in ("支持新建大机焦项目提前投产，具备投产条件后提前关停4.3米焦炉。", "企业要加强管理。"):
        assert not evidence.states_time(text), text


def test_a_refusal_shows_the_closest_sentences_clause_first() -> None:
    from policy_kb.answer.compose import closest_first
    from policy_kb.records import Hit

    def hit(cid: str) -> Hit:
        return Hit(cid, "doc", "条例", None, "河南省", [cid], None, "全文", "摘录", 1.0, {})

    span = _fake("b", "应当提前七日书面通知。", 0.8)
    out = closest_first([span], [hit("a"), hit("b"), hit("c")])
    assert [h.clause_id for h in out] == ["b", "a", "c"] and out[0].snippet == "应当提前七日书面通知。"
    assert out[1].snippet == "摘录"


def test_a_per_person_amount_is_not_answered_by_a_per_tonne_rate() -> None:
    q = understand("关停后职工每人补偿多少钱？")
    d = answerable.decide(q, [_fake("a", "按照30元/吨标准予以补偿。", 0.9)], 0.9, TH, [])
    assert d.reason == "文件中没有找到相关的金额规定。"


# real sentences: the nearest evidence of questions whose documents do not state the quantity asked for
@pytest.mark.parametrize(
    "question, sentence, answered",
    [
        (
            "夜间施工的证明递上去几天能批下来？",
            "未按照规定取得证明，在噪声敏感建筑物集中区域夜间进行产生噪声的建筑施工作业的。",
            False,
        ),
        (
            "安全条件论证报告交上去，多久能给答复？",
            "安全生产监督管理部门应当自收到报告之日起45日内作出审查决定。",
            True,
        ),
        ("用煤台账要留几年？", "台账保存记录不得少于二年。", True),
        (
            "How many years is a hazardous chemicals business licence valid for?",
            "依法取得危险化学品经营许可证的企业，凭相应的许可证件购买剧毒化学品。",
            False,
        ),
        ("厂界噪声晚上最多能到多少分贝？", "排放噪声应当符合噪声排放标准。", False),
        ("现场检查最少要来几个人？", "检查人员进行现场检查，不得少于两人，并应当主动出示执法证件。", True),
        ("应急演练多久搞一次？", "每半年至少组织一次生产安全事故应急救援演练。", True),
        ("批复几天能下来？", "本条例自2018年5月1日起施行。", False),  # a date is no duration
        ("现场检查最少要来几个人？", "送第一人民医院救治。", False),  # an ordinal is no count
    ],
)
def test_a_question_for_a_quantity_needs_that_quantity(question: str, sentence: str, answered: bool) -> None:
    """`几天`, `多少分贝`, `几个人`, `多久一次` are answered only by a sentence that states such a quantity."""
    d = answerable.decide(understand(question), [_fake("a", sentence, 0.9)], 0.9, TH, [])
    assert (d.reason is None) is answered, d.reason
    if not answered:
        assert (d.reason or "").startswith("文件中没有给出具体的")


def test_naming_the_best_clause_s_document_is_a_feature() -> None:
    """`水污染防治法 …罚多少`: the question names the document its best clause comes from (the answerer sets
    `named_document` against the knowledge base's titles)."""
    q = understand("水污染防治法 自动监测设备没联网 罚多少")
    best = [_fake("a", "未按照规定安装水污染物排放自动监测设备的，处二万元以上二十万元以下的罚款。", 0.9)]
    assert Overall.of(q, best).named == 0.0
    q.named_document = "doc"  # the document of `_fake`'s clauses
    assert Overall.of(q, best).named == 1.0


def test_the_answerability_model_learns_whether_the_candidates_hold_a_fact() -> None:
    """An answerable question whose candidate sentences hold none of its facts is a negative example: answering it
    could only quote the wrong clause."""
    from policy_kb.evaluation.fit import Example, _deliverable

    q = understand("焦化企业什么时候完成改造？")
    holds = Example({"answerable": True}, q, [], [0, 1], [], "doc")
    lacks = Example({"answerable": True}, q, [], [0, 0], [], "doc")
    unanswerable = Example({"answerable": False}, q, [], [], [], "none-1")
    assert [_deliverable(e) for e in (holds, lacks, unanswerable)] == [True, False, False]


def test_choose_cites_few_clauses_and_continues_lists() -> None:
    q = understand("焦化企业进白名单要满足什么条件？")
    ranked = [
        _fake("a", "企业必须符合以下条件之一：（1）焦炉煤气全部回收利用的；", 0.9, 0),
        _fake("a", "（2）配套建设煤气柜且运行正常的。", 0.01, 30),
        _fake("b", "另一条款。", 0.8),
        _fake("c", "第三条款。", 0.7),
        _fake("d", "第四条款。", 0.6),
        _fake("e", "差得远的条款。", 0.35),
    ]
    chosen = answerable.choose(q, ranked, TH)
    cited = list(dict.fromkeys(e.clause.id for e in chosen))
    assert cited[0] == "a" and len(cited) <= answerable.MAX_CLAUSES_LIST and "e" not in cited
    assert any(e.text.startswith("（2）") for e in chosen)  # the list goes on in the next sentence
    q = understand("焦化企业什么时候完成改造？")
    assert len({e.clause.id for e in answerable.choose(q, ranked[2:5], TH)}) <= answerable.MAX_CLAUSES


def test_a_heading_beside_its_body_is_not_quoted() -> None:
    """A clause's heading sentence is quoted when it is the best sentence or its clause's only one; beside the body
    that states the rule (`关停退出4.3米焦炉。2023年10月31日前，全面关停…`) it is left out."""
    q = understand("介休4.3米焦炉什么时候关停？")
    body = _fake("a", "2023年10月31日前，全面关停退出4.3米焦炉。", 0.9, 10)
    head = _fake("a", "关停退出4.3米焦炉。", 0.5, 0, heading=1.0)
    assert answerable.choose(q, [body, head], TH) == [body]
    alone = _fake("b", "新建焦炉炭化室高度不低于6米，同步配套建设干熄焦装置。", 0.9, 0, heading=1.0)
    assert answerable.choose(q, [alone], TH) == [alone]


# ---- the fit ----------------------------------------------------------------------------------------------------
def test_fit_writes_a_model_from_cross_validated_scores(answerer: Answerer, tmp_path: Path) -> None:
    from policy_kb.evaluation import fit
    from policy_kb.evaluation.extraction import load_gold

    gold = load_gold(Path(__file__).resolve().parent / "gold" / "questions.jsonl")
    out = tmp_path / "model.json"
    report = fit.fit(answerer, gold, AS_OF, out=out)
    model = scorer.load(out)
    assert set(model.weights) == set(Features.names()) and set(model.answer_steps) <= set(Overall.names())
    assert model.thresholds.answer in fit.ANSWER_GRID and model.thresholds.select in fit.SELECT_GRID
    assert model.weights["cover"] > 0 and model.weights["intent_fit"] > 0  # what the question asks, found
    cv = report["cross_validated"]
    assert report["trained_on"] >= 100 and cv["citation_precision"] >= fit.MIN_PRECISION - 0.05
    assert 0.5 <= cv["fact_recall"] <= 1.0


def test_steadiness_counts_decisions_a_refit_changes(answerer: Answerer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fitting procedure is deterministic, so refits on the same questions decide every probe question alike:
    whatever `eval answers --steadiness` reports comes from the training questions that differ between refits."""
    from policy_kb.evaluation import fit, steadiness
    from policy_kb.evaluation.extraction import load_gold

    gold = load_gold(Path(__file__).resolve().parent / "gold" / "questions.jsonl")
    examples = fit.collect(answerer, gold, AS_OF)
    monkeypatch.setattr(steadiness, "DROP_SHARE", 0.0)
    same = steadiness.measure(examples, refits=2)
    assert same.disagreement == 0.0 and same.fact_recall[1] == 0.0 and same.answered[1] == 0.0
    assert 0 < same.probe < len(examples) and 0.0 <= same.fact_recall[0] <= 1.0
    with pytest.raises(ValueError, match="at least 2"):
        steadiness.measure(examples, refits=1)


@pytest.mark.parametrize(
    "text, what",
    [
        ("今天太原天气怎么样？", "天气和实时空气质量"),
        ("忻州这个周末空气质量咋样", "天气和实时空气质量"),
        ("山西焦煤今天股价涨了还是跌了？", "股价和市场行情"),
        ("What is the current price of coke in Shanxi?", "实时市场价格"),
        ("重污染天气预警期间焦化企业要怎么限产？", None),
        ("焦炭价格有什么规定", None),
    ],
)
def test_out_of_scope_questions(text: str, what: str | None) -> None:
    assert understand(text).out_of_scope == what


def test_out_of_scope_is_refused_with_the_reason_and_nearest_clauses(answerer: Answerer) -> None:
    a = answerer.ask("今天太原天气怎么样？", None, AS_OF)
    assert a.status == "not_found"
    assert a.answer.splitlines()[0] == "政策文件不包含天气和实时空气质量，这个问题超出了知识库能回答的范围。"
    assert a.citations  # the nearest clauses, marked as not answering
