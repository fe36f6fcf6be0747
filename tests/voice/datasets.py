"""The labelled utterance sets and how they are scored.

Every set is a TSV file ``text<TAB>intent<TAB>slots`` (``#`` starts a comment line) in the
notation of ``corpus.tsv``: help -> ``1`` (emergency) / ``0``; grocery_order ->
``名称*数量单位; ...`` (a bare name = no amount); activity_* -> an activity id or ``-``;
volume -> ``up`` / ``down``; report_problem -> ``problem`` /
``suggestion``; others empty. All sets share the context in ``conftest.py``.

- ``corpus.tsv``: the parser's original corpus (training data from issue 14 on);
- ``train.tsv``: fresh sentences the intent model is trained on;
- ``dev.tsv``: fresh sentences for tuning, never trained on;
- ``testset_frozen_2026-12-06.tsv``: written by another engineer without sight of the
  parser, never used for tuning; :func:`score` reports it only as aggregate figures.

:func:`score` parses every utterance, clean or through the recognition-error simulator
(:mod:`tests.voice.asr_errors`) at a rate and a few seeds, and counts exact intent+slot
matches per intent and the recall of spoken emergencies.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.voice.intents import Intent

from .asr_errors import corrupt

HERE = Path(__file__).parent
SETS: dict[str, Path] = {
    "corpus": HERE / "corpus.tsv",
    "train": HERE / "train.tsv",
    "dev": HERE / "dev.tsv",
    "test": HERE / "testset_frozen_2026-12-06.tsv",
}
FROZEN = frozenset({"test"})
"""Sets whose individual results must never be shown (only aggregate figures)."""
_ITEM = re.compile(r"^(?P<name>[^*]+?)(?:\*(?P<qty>[0-9.]+)(?P<unit>\D*))?$")


@dataclass(frozen=True)
class Example:
    """One labelled utterance."""

    text: str
    want: Intent


def _items(spec: str) -> list[dict]:
    items = []
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        match = _ITEM.match(part)
        if match is None:
            raise ValueError(f"bad item {part!r}")
        qty = float(match["qty"]) if match["qty"] else None
        items.append({"name": match["name"], "quantity": qty, "unit": match["unit"] or None})
    return items


def expected_intent(name: str, spec: str) -> Intent:
    """The Intent that the compact slot notation *spec* describes for intent *name*."""
    spec = spec.strip()
    if name == "help":
        return Intent(name, {"emergency": spec == "1"})
    if name == "grocery_order":
        return Intent(name, {"items": _items(spec)})
    if name in ("activity_signup", "activity_cancel"):
        return Intent(name, {"activity_id": None if spec in ("-", "") else spec})
    if name == "volume":
        return Intent(name, {"direction": spec})
    if name == "report_problem":
        return Intent(name, {"kind": spec or "problem"})
    return Intent(name, {})


def load(path: Path) -> list[Example]:
    """The examples of one TSV file, in file order."""
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        text, name, spec = (line.split("\t") + ["", ""])[:3]
        rows.append(Example(text, expected_intent(name.strip(), spec)))
    return rows


def is_emergency(intent: Intent) -> bool:
    """True for ``help`` with ``emergency`` set."""
    return intent.name == "help" and bool(intent.slots.get("emergency"))


@dataclass
class Scores:
    """Counts over one pass (or several seeds) of a set."""

    totals: Counter = field(default_factory=Counter)
    hits: Counter = field(default_factory=Counter)
    emergencies: int = 0
    emergencies_found: int = 0
    false_emergencies: int = 0
    unsure: int = 0
    misses: list[tuple[str, str, Intent, Intent]] = field(default_factory=list)
    """(original text, text parsed, wanted, got) — never shown for a frozen set."""

    @property
    def accuracy(self) -> float:
        """Share of utterances with exactly the wanted intent and slots."""
        return sum(self.hits.values()) / max(1, sum(self.totals.values()))

    @property
    def emergency_recall(self) -> float:
        """Share of spoken emergencies parsed as emergencies (sure or unsure)."""
        return self.emergencies_found / max(1, self.emergencies)

    def intent_accuracy(self, name: str) -> float:
        """Exact accuracy on the utterances whose wanted intent is *name*."""
        return self.hits[name] / max(1, self.totals[name])


Parser = Callable[[str], Intent]


def score(examples: Sequence[Example], parse: Parser, *, rate: float = 0.0, seeds: Sequence[int] = (0,),
          confident: float = 0.0) -> Scores:
    """Parse every example (through the error simulator at *rate*, once per seed) and count.

    ``unsure`` counts answers whose confidence is below *confident*.
    """
    scores = Scores()
    for seed in seeds if rate > 0 else (0,):
        for example in examples:
            heard = corrupt(example.text, rate, seed)
            got = parse(heard)
            _count(scores, example, heard, got, confident)
    return scores


def _count(scores: Scores, example: Example, heard: str, got: Intent, confident: float) -> None:
    want = example.want
    scores.totals[want.name] += 1
    if got == want:
        scores.hits[want.name] += 1
    else:
        scores.misses.append((example.text, heard, want, got))
    if got.confidence < confident:
        scores.unsure += 1
    if is_emergency(want):
        scores.emergencies += 1
        scores.emergencies_found += is_emergency(got)
    elif is_emergency(got):
        scores.false_emergencies += 1
