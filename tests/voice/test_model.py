"""The committed intent model: current with its training data and feature code, small, and sane."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from kiosk.voice.classifier import MODEL, load_model, probabilities
from kiosk.voice.intents import INTENT_NAMES, analyse
from kiosk.voice.pinyin import fuzzy, fuzzy_variants, readings, sound_alike

from .conftest import ACTIVITIES, CATALOG, NOW

TRAINER = Path(__file__).parents[2] / "scripts" / "train_intent_model.py"


def _trainer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("train_intent_model", TRAINER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_model_was_trained_on_the_current_data_and_feature_code() -> None:
    """Changing train.tsv, corpus.tsv or a feature module needs ``scripts/train_intent_model.py``."""
    assert load_model().trained_on == _trainer().training_digest()


def test_model_is_small_and_knows_every_intent() -> None:
    model = load_model()
    assert MODEL.stat().st_size < 1_000_000
    assert set(model.classes) == (set(INTENT_NAMES) - {"help"}) | {"help", "emergency"}


def test_probabilities_sum_to_one_and_follow_the_words() -> None:
    def top(text: str) -> str:
        probs = probabilities(analyse(text, catalog=CATALOG, activities=ACTIVITIES, now=NOW).features)
        assert abs(sum(probs.values()) - 1) < 1e-9
        return max(probs, key=probs.__getitem__)

    assert top("帮我买两斤鸡蛋") == "grocery_order"
    assert top("我想报名太极拳") == "activity_signup"
    assert top("胸口疼得喘不上气") == "emergency"


def test_pinyin_is_toneless_fuzzy_and_knows_every_reading() -> None:
    assert fuzzy("就命") == fuzzy("救命") == ["jiu", "min"]
    assert fuzzy("是") == fuzzy("四") and fuzzy("流") == fuzzy("牛") and fuzzy("飞") == fuzzy("灰")
    assert readings("着")[:3] == ("zhe", "zhao", "zhuo")
    assert ("zao", "huo") in fuzzy_variants("着火")  # read in context: zhao huo
    assert sound_alike("声音打一点", "大小") == "声音大一点"
