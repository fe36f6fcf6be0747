"""Accuracy of kiosk.voice.intents.parse on a labelled set, clean and with simulated recognition errors.

Prints, for each error rate, the share of utterances parsed with exactly the wanted intent and
slots, the recall of spoken emergencies, false emergencies and unsure answers, and the
accuracy per intent. The frozen test set is reported as aggregate figures only: ``--misses``
refuses it, so nobody tunes the parser on its individual sentences.

Usage: .venv/bin/python benchmarks/voice_accuracy.py [--set dev] [--rates 0,5,10,20] [--seeds 5]
       [--markdown] [--misses N]
       --set: corpus | train | dev | test | a path to a TSV file in the corpus notation
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.voice.intents import CONFIDENT, INTENT_NAMES, parse  # noqa: E402
from tests.voice.conftest import ACTIVITIES, CATALOG, NOW  # noqa: E402
from tests.voice.datasets import FROZEN, SETS, Scores, load, score  # noqa: E402


def table(rows: list[tuple[int, Scores]], markdown: bool) -> str:
    """One column per error rate; overall figures first, then each intent."""
    head = ["", *(f"{rate} % errors" for rate, _ in rows)]
    lines = [
        ["**exact intent + slots**", *(f"**{s.accuracy:.1%}**" for _, s in rows)],
        ["emergencies recognised", *(f"{s.emergency_recall:.1%} ({s.emergencies_found}/{s.emergencies})"
                                     for _, s in rows)],
        ["false emergencies", *(str(s.false_emergencies) for _, s in rows)],
        [f"answers below CONFIDENT ({CONFIDENT})", *(str(s.unsure) for _, s in rows)],
    ]
    for name in INTENT_NAMES:
        if rows[0][1].totals[name]:
            lines.append([f"{name} ({rows[0][1].totals[name]})", *(f"{s.intent_accuracy(name):.1%}" for _, s in rows)])
    if not markdown:
        widths = [max(len(str(r[i])) for r in [head, *lines]) for i in range(len(head))]
        return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *lines])
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(out + ["| " + " | ".join(r) + " |" for r in lines])


def main() -> None:
    """Score one set at each error rate and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default="dev")
    parser.add_argument("--rates", default="0,5,10,20", help="error rates in percent")
    parser.add_argument("--seeds", type=int, default=5, help="simulator seeds per noisy rate")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--misses", type=int, default=0, help="show up to N misses (not for the frozen set)")
    args = parser.parse_args()
    path = SETS.get(args.set, Path(args.set))
    if args.misses and (args.set in FROZEN or path.resolve() in {SETS[k].resolve() for k in FROZEN}):
        parser.error("the frozen test set is reported as aggregate figures only")
    examples = load(path)
    parse_one = partial(parse, catalog=CATALOG, activities=ACTIVITIES, now=NOW)
    started = time.perf_counter()
    rows = []
    for rate in (int(r) for r in args.rates.split(",")):
        rows.append((rate, score(examples, parse_one, rate=rate / 100, seeds=range(args.seeds), confident=CONFIDENT)))
    print(f"set={path.name} utterances={len(examples)} seeds={args.seeds} ({time.perf_counter() - started:.1f} s)")
    print(table(rows, args.markdown))
    for rate, scores in rows if args.misses else ():
        print(f"\nmisses at {rate} %:")
        for text, heard, want, got in scores.misses[: args.misses]:
            print(f"  {text!r} heard {heard!r}: want {want.name} {want.slots}, got {got.name} {got.slots} "
                  f"conf={got.confidence:.2f}")


if __name__ == "__main__":
    main()
