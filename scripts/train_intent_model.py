"""Train the kiosk's intent model and write kiosk/voice/data/intent_model.json (build time).

Data: tests/voice/train.tsv and tests/voice/corpus.tsv (never dev.tsv or the frozen test
set), each sentence clean and through the recognition-error simulator at 5, 10 and 20 %
with two seeds of its own (1001, 1002; the benchmarks use 0-4). Features are exactly what
``kiosk.voice.intents`` computes at run time (context: tests/voice/conftest.py). Model:
scikit-learn's multinomial logistic regression on binary, L2-normalised features; weights
below 0.2 are dropped and the rest rounded to 0.01 (on dev.tsv this costs nothing and makes
the file ~8x smaller). Deterministic: the same inputs and library versions give the same
file; the file records the SHA-256 of its training sets and of the modules that compute
the features, which the test suite checks (retrain after changing any of them).

Usage: .venv/bin/python scripts/train_intent_model.py [--check] [--c 16]
       --check: exit 1 if the committed model differs from a fresh one
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.voice.classifier import MODEL  # noqa: E402
from kiosk.voice.intents import analyse, intent_class  # noqa: E402
from tests.voice.asr_errors import corrupt  # noqa: E402
from tests.voice.conftest import ACTIVITIES, CATALOG, NOW  # noqa: E402
from tests.voice.datasets import SETS, load  # noqa: E402

FEATURE_MODULES = ("normalise", "pinyin", "matching", "keywords", "synonyms", "numbers", "grocery", "dates",
                   "activities", "rules", "emergency", "features", "intents")
RATES = (0.05, 0.1, 0.2)
SEEDS = (1001, 1002)
DIGITS = 2
MIN_WEIGHT = 0.2


def samples() -> tuple[list[list[str]], list[str]]:
    """(features, class) for every training utterance and its simulated mishearings."""
    feats, labels = [], []
    for name in ("train", "corpus"):
        for example in load(SETS[name]):
            heard = [example.text] + [corrupt(example.text, rate, seed) for rate in RATES for seed in SEEDS]
            for text in dict.fromkeys(heard):
                feats.append(analyse(text, catalog=CATALOG, activities=ACTIVITIES, now=NOW).features)
                labels.append(intent_class(example.want))
    return feats, labels


def training_digest() -> str:
    """SHA-256 of what the model depends on (training sets, feature code), so a test can tell
    when the committed model is older than its inputs."""
    digest = hashlib.sha256()
    for path in training_inputs():
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def training_inputs() -> list[Path]:
    """The training sets and every module of kiosk/voice that shapes the features."""
    voice = ROOT / "kiosk" / "voice"
    code = [voice / f"{name}.py" for name in FEATURE_MODULES]
    return [SETS["train"], SETS["corpus"], *code]


def train(c: float) -> str:
    """The model as JSON text."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import normalize

    feats, labels = samples()
    vectorizer = DictVectorizer(sort=True)
    x = normalize(vectorizer.fit_transform([dict.fromkeys(f, 1) for f in feats]))
    model = LogisticRegression(C=c, max_iter=5000, tol=1e-6)
    model.fit(x, labels)
    weights = {}
    for j, feature in enumerate(vectorizer.get_feature_names_out()):
        row = {str(i): round(float(w), DIGITS) for i, w in enumerate(model.coef_[:, j]) if abs(w) >= MIN_WEIGHT}
        if row:
            weights[str(feature)] = row
    data = {
        "about": "intent model for kiosk.voice (scripts/train_intent_model.py); weights: feature -> {class index: w}",
        "trained_on": training_digest(),
        "samples": len(labels),
        "c": c,
        "classes": [str(k) for k in model.classes_],
        "bias": [round(float(b), DIGITS) for b in model.intercept_],
        "weights": weights,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def main() -> None:
    """Train and write (or with --check compare) the model."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--c", type=float, default=16.0, help="inverse regularisation strength")
    args = parser.parse_args()
    text = train(args.c)
    if args.check:
        if not MODEL.is_file() or MODEL.read_text(encoding="utf-8") != text:
            raise SystemExit("kiosk/voice/data/intent_model.json is out of date: run scripts/train_intent_model.py")
        return
    MODEL.write_text(text, encoding="utf-8")
    print(f"wrote {MODEL.relative_to(ROOT)} ({len(text.encode()) / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
