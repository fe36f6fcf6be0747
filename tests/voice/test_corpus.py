"""Accuracy of ``parse`` over the utterance corpus (tests/voice/corpus.tsv), per intent."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from kiosk.voice.intents import Intent, parse

from .conftest import ACTIVITIES, CATALOG, NOW

CORPUS = Path(__file__).with_name("corpus.tsv")
OVERALL_BAR = 0.95
PER_INTENT_BAR = 0.85
_ITEM = re.compile(r"^(?P<name>[^*]+?)(?:\*(?P<qty>[0-9.]+)(?P<unit>\D*))?$")


def _items(spec: str) -> list[dict]:
    items = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        match = _ITEM.match(part)
        assert match, part
        qty = float(match["qty"]) if match["qty"] else None
        items.append({"name": match["name"], "quantity": qty, "unit": match["unit"] or None})
    return items


def expected_intent(name: str, spec: str) -> Intent:
    """Build the expected Intent from the corpus' compact slot notation."""
    if name == "help":
        return Intent(name, {"emergency": spec == "1"})
    if name == "grocery_order":
        return Intent(name, {"items": _items(spec)})
    if name in ("activity_signup", "activity_cancel"):
        return Intent(name, {"activity_id": None if spec == "-" else spec})
    if name == "volume":
        return Intent(name, {"direction": spec})
    return Intent(name, {})


def load_corpus() -> list[tuple[str, Intent]]:
    """(utterance, expected intent) pairs from the corpus file."""
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        text, name, spec = (line.split("\t") + ["", ""])[:3]
        rows.append((text, expected_intent(name, spec)))
    return rows


def evaluate() -> tuple[Counter, Counter, list[str]]:
    """Per-intent totals and hits, plus a description of every miss."""
    totals, hits, misses = Counter(), Counter(), []
    for text, want in load_corpus():
        got = parse(text, catalog=CATALOG, activities=ACTIVITIES, now=NOW)
        totals[want.name] += 1
        if got == want:
            hits[want.name] += 1
        else:
            misses.append(f"{text!r}: want {want}, got {got}")
    return totals, hits, misses


def report(totals: Counter, hits: Counter) -> str:
    """A small per-intent accuracy table."""
    lines = [f"{name:16} {hits[name]:4}/{totals[name]:<4} {hits[name] / totals[name]:6.1%}" for name in sorted(totals)]
    overall = sum(hits.values()) / sum(totals.values())
    lines.append(f"{'overall':16} {sum(hits.values()):4}/{sum(totals.values()):<4} {overall:6.1%}")
    return "\n".join(lines)


def test_corpus_is_large_and_covers_every_intent() -> None:
    rows = load_corpus()
    assert len(rows) >= 300
    assert {want.name for _, want in rows} >= {
        "help",
        "grocery_order",
        "activity_signup",
        "activity_cancel",
        "status",
        "confirm",
        "deny",
        "repeat",
        "home",
        "volume",
        "slower",
        "unknown",
    }


def test_corpus_accuracy_meets_the_bar(capsys) -> None:
    totals, hits, misses = evaluate()
    with capsys.disabled():
        print("\n" + report(totals, hits))
        for miss in misses:
            print("  MISS", miss)
    assert sum(hits.values()) / sum(totals.values()) >= OVERALL_BAR
    for name in totals:
        assert hits[name] / totals[name] >= PER_INTENT_BAR, name
