"""Accuracy of ``parse`` on the labelled sets: the original corpus and the fresh train / dev sets."""

from __future__ import annotations

from functools import partial

import pytest

from kiosk.voice.intents import INTENT_NAMES, parse

from .conftest import ACTIVITIES, CATALOG, NOW
from .datasets import SETS, Scores, load, score

OVERALL_BAR = 0.95
PER_INTENT_BAR = 0.85


def load_corpus() -> list[tuple[str, object]]:
    """(utterance, expected intent) pairs of corpus.tsv (for the speed tests and benchmarks)."""
    return [(example.text, example.want) for example in load(SETS["corpus"])]


def report(scores: Scores) -> str:
    """A small per-intent accuracy table."""
    lines = [f"{name:16} {scores.hits[name]:4}/{scores.totals[name]:<4} {scores.intent_accuracy(name):6.1%}"
             for name in sorted(scores.totals)]
    return "\n".join([*lines, f"{'overall':16} {sum(scores.hits.values()):4}/{sum(scores.totals.values()):<4} "
                               f"{scores.accuracy:6.1%}"])


def test_sets_are_large_and_cover_every_intent() -> None:
    for name in ("corpus", "train", "dev"):
        examples = load(SETS[name])
        assert len(examples) >= 250, name
        assert {e.want.name for e in examples} == set(INTENT_NAMES), name


def test_sets_do_not_share_sentences() -> None:
    texts = {name: {e.text for e in load(SETS[name])} for name in ("corpus", "train", "dev")}
    assert not texts["dev"] & (texts["train"] | texts["corpus"])


@pytest.mark.parametrize("name", ["corpus"])
def test_accuracy_meets_the_bar(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    scores = score(load(SETS[name]), partial(parse, catalog=CATALOG, activities=ACTIVITIES, now=NOW))
    with capsys.disabled():
        print("\n" + report(scores))
        for text, _, want, got in scores.misses:
            print(f"  MISS {text!r}: want {want}, got {got}")
    assert scores.accuracy >= OVERALL_BAR
    for name in scores.totals:
        assert scores.intent_accuracy(name) >= PER_INTENT_BAR, name


def test_dev_set_clean_and_through_simulated_recognition_errors() -> None:
    """Fresh sentences never trained on: most understood, clean and at 10 % character errors; every
    clean emergency recognised. (The full figures per error rate: benchmarks/voice_accuracy.py.)"""
    parse_one = partial(parse, catalog=CATALOG, activities=ACTIVITIES, now=NOW)
    dev = load(SETS["dev"])
    clean, noisy = score(dev, parse_one), score(dev, parse_one, rate=0.1, seeds=(0,))
    assert clean.accuracy >= 0.92 and clean.emergency_recall == 1.0
    assert noisy.accuracy >= 0.85 and noisy.emergency_recall >= 0.95
