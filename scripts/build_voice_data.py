"""Build the voice data files that ship in kiosk/voice/data/ (run after changing their sources).

- ``polyphones.tsv``: every phrase of pypinyin's phrase dictionary whose reading differs from
  its characters' first readings (着急 zhao2 ji2, 银行 yin2 hang2), with the tone-numbered
  reading, plus the phrases that would otherwise be split wrongly around them (十一月 keeps
  一月 from being read as a phrase). :mod:`kiosk.voice.reading` reads prompts with it, so the kiosk gets
  phrase-aware readings without loading the whole dictionary (~45 MB of RAM).

This script must run with pypinyin's phrase dictionary loaded (PYPINYIN_NO_PHRASES unset).

Usage: .venv/bin/python scripts/build_voice_data.py [--check]
       --check: exit 1 if a committed file differs from what would be built
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "kiosk" / "voice" / "data"


def polyphones() -> str:
    """The polyphone phrase table as TSV text (sorted, one phrase a line)."""
    if os.environ.get("PYPINYIN_NO_PHRASES"):
        raise SystemExit("unset PYPINYIN_NO_PHRASES: the build needs pypinyin's phrase dictionary")
    from pypinyin import phrases_dict, pinyin_dict
    from pypinyin.contrib.tone_convert import to_tone3

    def usual(char: str) -> str:
        return to_tone3(pinyin_dict.pinyin_dict.get(ord(char), char).split(",")[0], neutral_tone_with_five=True)

    readings, differing = {}, set()
    for phrase, marked in phrases_dict.phrases_dict.items():
        reading = [to_tone3(r[0], neutral_tone_with_five=True) for r in marked]
        if len(reading) != len(phrase):
            continue
        readings[phrase] = reading
        if reading != [usual(ch) for ch in phrase]:
            differing.add(phrase)
    kept = differing | {p for p in readings if p not in differing and _contains(p, differing)}
    lines = [f"{phrase}\t{' '.join(readings[phrase])}" for phrase in sorted(kept)]
    header = "# phrase<TAB>tone-numbered pinyin; built by scripts/build_voice_data.py from pypinyin's phrases\n"
    return header + "\n".join(lines) + "\n"


def _contains(phrase: str, differing: set[str]) -> bool:
    """True if a differing phrase lies inside *phrase* after its first character (一月 in 十一月)."""
    return any(phrase[k : k + n] in differing for k in range(1, len(phrase)) for n in range(2, len(phrase) - k + 1))


BUILDERS = {"polyphones.tsv": polyphones}


def main() -> None:
    """Write (or with --check compare) every data file."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    stale = []
    for name, build in BUILDERS.items():
        path, text = DATA / name, build()
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)} ({len(text.encode()) / 1024:.0f} KiB)")
    if stale:
        print("out of date:", ", ".join(stale), "- run scripts/build_voice_data.py", file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
