"""``anxin models``: install help says what is installed where; verify's exit code tells the truth."""

from __future__ import annotations

import pytest

from anxin.cli import main
from kiosk.voice.models import DEFAULT_MODEL


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return int(exit_info.value.code or 0)


def test_install_help_names_the_model_its_size_and_where_it_goes(capsys):
    assert _run(["models", "install", "--help"]) == 0
    text = capsys.readouterr().out
    assert DEFAULT_MODEL in text and "42 MB" in text and "voice_models" in text and "--dir" in text


def test_verify_fails_without_a_model(tmp_path, capsys):
    assert _run(["models", "verify", "--dir", str(tmp_path)]) == 1
    assert "not installed" in capsys.readouterr().err


def test_verify_passes_for_a_complete_model_and_fails_once_a_file_is_missing(tmp_path):
    model = tmp_path / DEFAULT_MODEL
    for part in ("am/final.mdl", "conf/mfcc.conf", "graph/HCLr.fst"):  # the files Vosk needs to load
        (model / part).parent.mkdir(parents=True, exist_ok=True)
        (model / part).write_bytes(b"x")
    assert _run(["models", "verify", "--dir", str(tmp_path)]) == 0
    (model / "am" / "final.mdl").unlink()
    assert _run(["models", "verify", "--dir", str(tmp_path)]) == 1
