"""The recognition-error simulator used to measure the parser (tests/voice/asr_errors.py)."""

from __future__ import annotations

from tests.voice.asr_errors import common_characters, contextual_syllables, corrupt, near_syllables, readings
from tests.voice.datasets import SETS, load

TEXTS = [e.text for e in load(SETS["dev"]) if e.text]


def _chars(text: str) -> str:
    return text.replace(" ", "")


def test_clean_rate_returns_the_text_unchanged() -> None:
    assert all(corrupt(text, 0.0, seed=3) == text for text in TEXTS)


def test_same_seed_same_errors_and_other_seeds_differ() -> None:
    first = [corrupt(text, 0.2, seed=1) for text in TEXTS]
    assert first == [corrupt(text, 0.2, seed=1) for text in reversed(TEXTS)][::-1]
    assert first != [corrupt(text, 0.2, seed=2) for text in TEXTS]


def test_error_rate_is_about_the_rate_asked_for() -> None:
    total = sum(len(t) for t in TEXTS)
    for rate in (0.05, 0.1, 0.2):
        changed = sum(sum(a != b for a, b in zip(t, _chars(corrupt(t, rate, 0)), strict=False)) for t in TEXTS)
        assert 0.5 * rate < changed / total < 2.5 * rate, rate


def test_homophones_keep_the_toneless_syllable() -> None:
    assert contextual_syllables("救命") == ["jiu", "ming"]
    assert contextual_syllables("银行") == ["yin", "hang"]  # read in context, not 行 xing
    out = [_chars(corrupt("救命救命救命救命", 0.5, seed)) for seed in range(40)]
    swapped = [c for text in out if len(text) == 8 for c in text[0::2] if c != "救"]
    sounding = [c for c in swapped if "jiu" in readings(c)]  # the rest: shifted by a deletion + insertion
    assert len(set(sounding)) >= 3 and len(sounding) >= 0.6 * len(swapped)


def test_southern_near_homophones() -> None:
    assert "si" in near_syllables("shi") and "zi" in near_syllables("zhi") and "ci" in near_syllables("chi")
    assert "lan" in near_syllables("nan") and "hui" in near_syllables("fei") and "hu" in near_syllables("fu")
    assert "ling" in near_syllables("lin") and "cheng" in near_syllables("chen")


def test_replacements_are_common_characters_and_output_is_spaced() -> None:
    common = set(common_characters()) | set(" ".join(TEXTS))
    assert len(common_characters()) == 3755
    noisy = [corrupt(text, 0.2, 0) for text in TEXTS]
    assert all(set(text) <= common | {" "} for text in noisy)
    assert sum(" " in text for text in noisy) > len(noisy) // 2
