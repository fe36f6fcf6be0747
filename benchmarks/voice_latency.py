"""End of speech -> first sound of the kiosk's answer (Vosk + parse + dialog + pyttsx3).

The utterance is espeak-ng speech resampled to 16 kHz mono with trailing silence, streamed into
Vosk in real time (100 ms chunks, as the microphone delivers them). Timeline per run:

    speech ends ──(end of speech: 600 ms quiet, or Vosk's endpointer)──> final text
                ──(parse, dialog, TTS)──> player starts

"Speech ends" is the last 10 ms of the WAV louder than 5 % of its loudest 10 ms.

"First sound" is the moment the speaker starts its player on the synthesised WAV (``aplay``
would start playing within a few ms; this machine has no sound card, so the player here
only records the time). The Chinese model cannot be installed on build machines, so the
recognition part runs with the PyPI Korean model on Korean speech; the answer part is timed
both for what the dialog answers to that (没听明白) and for typical Chinese utterances fed
as recognised text.

Usage: .venv/bin/python benchmarks/voice_latency.py [--model DIR] [--runs 5] [--vosk-endpointer-only]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.core.effects import Speak  # noqa: E402
from kiosk.core.events import Heard  # noqa: E402
from kiosk.core.handle import handle  # noqa: E402
from kiosk.core.samples import started  # noqa: E402
from kiosk.voice.intents import parse  # noqa: E402
from kiosk.voice.models import packaged_model_path  # noqa: E402
from kiosk.voice.recognizer import (  # noqa: E402
    QUIET_TAIL_MS,
    VoskRecognizer,
    bias_phrases,
    load_model,
    rms,
    wav_chunks,
)
from kiosk.voice.speaker import Pyttsx3Speaker  # noqa: E402
from tests.voice.conftest import ACTIVITIES, CATALOG, NOW  # noqa: E402

LEAD_S, TAIL_S = 0.2, 1.5
CHINESE = ("我要买两斤鸡蛋", "救命啊", "我要报名太极拳晨练", "大声一点")


def speech_wav(directory: Path, text: str = "안녕하세요. 감사합니다.") -> tuple[Path, float]:
    """16 kHz mono speech with silence around it; returns (path, second of the last audible 10 ms)."""
    raw, out = directory / "raw.wav", directory / "speech16k.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(out), "pad", str(LEAD_S), str(TAIL_S)],
                   check=True)
    with wave.open(str(out)) as w:
        pcm = w.readframes(w.getnframes())
    frames = [rms(pcm[i : i + 320]) for i in range(0, len(pcm), 320)]  # 10 ms each
    loud = max(frames) * 0.05
    last = max(i for i, level in enumerate(frames) if level >= loud)
    return out, (last + 1) / 100


class PlayerClock:
    """A fake player that only writes down when it was started (no sound card needed)."""

    def __init__(self, directory: Path) -> None:
        self.marks = directory / "player-started.txt"
        self.marks.write_text("")
        self.command = ("/bin/sh", "-c", 'date +%s.%N >> "$0"', str(self.marks))

    def wait_next(self, count: int, timeout: float = 10.0) -> float:
        """Epoch time of the ``count``-th player start."""
        end = time.time() + timeout
        while time.time() < end:
            lines = self.marks.read_text().split()
            if len(lines) >= count:
                return float(lines[count - 1])
            time.sleep(0.001)
        raise TimeoutError("the speaker never started its player")


def answer(text: str) -> str:
    """What the kiosk says first to ``text`` (pure: parse + the core's handle, on the sample kiosk)."""
    intent = parse(text, catalog=CATALOG, activities=ACTIVITIES, now=NOW)
    _, effects = handle(started(), Heard(text, intent, NOW))
    return next(e.text for e in effects if isinstance(e, Speak))


def run_once(model: object, wav: Path, speech_end: float, speaker: Pyttsx3Speaker, clock: PlayerClock,
             count: int, chunk_ms: int, quiet_tail_ms: int | None) -> tuple[float, float, str]:
    """(endpoint ms, answer ms, text) for one utterance streamed in real time."""
    recognizer = VoskRecognizer(model, phrases=bias_phrases(CATALOG, [a["title"] for a in ACTIVITIES]),
                                quiet_tail_ms=quiet_tail_ms)
    start = time.time()
    fed = 0.0
    final = None
    for chunk in wav_chunks(wav, chunk_ms):
        fed += len(chunk) / 32000
        time.sleep(max(0.0, start + fed - time.time()))  # the microphone delivers in real time
        final = recognizer.accept(chunk)
        if final is not None and final.text:
            break
    if final is None or not final.text:
        final = recognizer.finish()
    heard_at = time.time()
    speaker.speak(answer(final.text))
    sound_at = clock.wait_next(count)
    return (heard_at - (start + speech_end)) * 1000, (sound_at - heard_at) * 1000, final.text


def main() -> None:
    """Print endpoint, answer and total latency per run and their medians."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=packaged_model_path())
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chunk-ms", type=int, default=100, help="microphone chunk size (the kiosk uses 100)")
    parser.add_argument("--vosk-endpointer-only", action="store_true",
                        help="leave the end of speech to Vosk's endpointer (no quiet-tail rule)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        wav, speech_end = speech_wav(directory)
        clock = PlayerClock(directory)
        speaker = Pyttsx3Speaker(player=clock.command)
        model = load_model(args.model)
        speaker.render_to_wav("预热", directory / "warm.wav")  # the first synthesis loads the voice
        count = 0
        ends, answers = [], []
        tail = None if args.vosk_endpointer_only else QUIET_TAIL_MS
        print(f"model={args.model} chunks={args.chunk_ms} ms quiet tail={tail} ms "
              f"speech ends at {speech_end:.2f} s of {speech_end + TAIL_S:.2f} s audio")
        for run in range(args.runs):
            count += 1
            endpoint_ms, answer_ms, text = run_once(model, wav, speech_end, speaker, clock, count, args.chunk_ms, tail)
            ends.append(endpoint_ms)
            answers.append(answer_ms)
            print(f"run {run + 1}: heard {text!r}  endpoint {endpoint_ms:.0f} ms  answer {answer_ms:.0f} ms  "
                  f"total {endpoint_ms + answer_ms:.0f} ms")
        for text in CHINESE:
            count += 1
            heard_at = time.time()
            reply = answer(text)
            speaker.speak(reply)
            ms = (clock.wait_next(count) - heard_at) * 1000
            answers.append(ms)
            print(f"answer to {text!r} -> {reply!r}: {ms:.0f} ms")
        speaker.close()
    print(f"median endpoint {statistics.median(ends):.0f} ms, median answer {statistics.median(answers):.0f} ms, "
          f"median total {statistics.median(ends) + statistics.median(answers):.0f} ms "
          f"(max total {max(ends) + max(answers):.0f} ms)")


if __name__ == "__main__":
    main()
