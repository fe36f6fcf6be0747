"""The intent model: a linear classifier over :mod:`kiosk.voice.features`, applied in plain Python.

The weights are trained at build time by ``scripts/train_intent_model.py`` (scikit-learn's
multinomial logistic regression on ``tests/voice/train.tsv`` and ``corpus.tsv``, clean and
through the recognition-error simulator) and committed as ``data/intent_model.json``, so
the kiosk needs neither scikit-learn nor numpy: a prediction is a sum of a few hundred
weights and a softmax.

Classes are the intent names, with ``help`` split into ``emergency`` and ``help`` (ordinary).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL = Path(__file__).with_name("data") / "intent_model.json"


@dataclass(frozen=True)
class Model:
    """Classes, their biases, and for each known feature its (class index, weight) pairs."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: dict[str, tuple[tuple[int, float], ...]]
    trained_on: str = ""
    """SHA-256 of the training sets the model was made from."""


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL) -> Model:
    """The committed model (read once)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    weights = {feature: tuple((int(i), w) for i, w in row.items()) for feature, row in data["weights"].items()}
    return Model(tuple(data["classes"]), tuple(data["bias"]), weights, data.get("trained_on", ""))


def probabilities(features: Sequence[str], model: Model | None = None) -> dict[str, float]:
    """Class -> probability for one utterance's features (binary, L2-normalised as in training)."""
    model = model or load_model()
    scores = list(model.bias)
    scale = 1.0 / math.sqrt(max(1, len(features)))
    for feature in features:
        for i, weight in model.weights.get(feature, ()):
            scores[i] += weight * scale
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return {name: e / total for name, e in zip(model.classes, exps, strict=True)}
