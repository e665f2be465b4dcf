"""The second reading of the gold (tests/gold/agreement): the targets are ones a careful reader meets."""

from policy_kb.evaluation import agreement


def test_second_reader_meets_the_answer_targets_on_train7():
    a = agreement.answers()
    assert round(a.fact_recall, 3) == 0.938
    assert a.unanswerable_accuracy == 1.0
    assert round(a.answerability_agreement, 3) == 0.978
    assert a.citation_precision >= 0.9 and a.chars_per_citation <= 250


def test_second_reader_checklists_agree_with_the_gold():
    c = agreement.checklists()
    assert (c.precision, c.recall) == (0.988, 0.988)
    assert round(c.sentence_f1, 3) == 0.988
    assert c.status >= 0.9
