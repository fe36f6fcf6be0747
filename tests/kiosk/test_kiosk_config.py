"""KioskConfig: loaded from TOML, validated with errors that say what to change."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import KioskConfig, load_config
from kiosk.errors import ConfigError, FontNotFound
from kiosk.ui.fonts import find_cjk_font

VALID = """
portal_url = "http://127.0.0.1:8000/"
token = "kiosk-token-1"
site_name = "幸福社区"
place = "社区中心大厅"
duty_phone = "010-6512 3456"
outbox_path = "data/outbox.sqlite3"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_loads_with_defaults_and_relative_paths(tmp_path):
    config = load_config(_write(tmp_path, VALID))
    assert config.portal_url == "http://127.0.0.1:8000"
    assert config.outbox_path == tmp_path / "data" / "outbox.sqlite3"
    assert (config.fullscreen, config.hide_cursor, config.orientation) == (False, False, "landscape")
    assert (config.width, config.height) == (1920, 1080)
    assert config.site_cache_path.name == "outbox.sqlite3.site-cache.json"


def test_kiosk_table_and_fullscreen_hide_the_cursor(tmp_path):
    config = load_config(_write(tmp_path, "[kiosk]\n" + VALID + "fullscreen = true\n"))
    assert config.fullscreen and config.hide_cursor


def test_config_is_frozen(tmp_path):
    config = load_config(_write(tmp_path, VALID))
    with pytest.raises(AttributeError):
        config.token = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param('orientation = "diagonal"', "orientation must be", id="bad-orientation"),
        pytest.param('orientation = "portrait"', "portrait needs height >= width", id="portrait-landscape-size"),
        pytest.param("width = 100", "width must be between", id="tiny-window"),
        pytest.param('width = "wide"', "width must be a whole number", id="width-not-int"),
        pytest.param('fullscreen = "yes"', "fullscreen must be true or false", id="fullscreen-not-bool"),
        pytest.param("idle_timeout_s = 1", "idle_timeout_s must be between", id="idle-too-short"),
    ],
)
def test_invalid_values_are_refused_with_advice(tmp_path, extra, message):
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, VALID + extra + "\n"))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param('token = "kiosk-token-1"', 'token = "changeme"', "placeholder", id="placeholder-token"),
        pytest.param('portal_url = "http://127.0.0.1:8000/"', 'portal_url = "127.0.0.1:8000"', "http://",
                     id="url-without-scheme"),
        pytest.param('duty_phone = "010-6512 3456"', 'duty_phone = "call Li"', "duty_phone", id="phone-letters"),
        pytest.param('place = "社区中心大厅"', 'place = "  "', "place must not be empty", id="empty-place"),
        pytest.param('site_name = "幸福社区"', "site_name = 3", "site_name must be a string", id="site-not-str"),
        pytest.param('outbox_path = "data/outbox.sqlite3"', "", "missing required keys: outbox_path",
                     id="missing-key"),
    ],
)
def test_bad_required_values_are_refused(tmp_path, old, new, message):
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, VALID.replace(old, new)))


def test_missing_and_broken_files_raise_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "portal_url = "))


def test_unknown_keys_are_logged_not_fatal(tmp_path, caplog):
    load_config(_write(tmp_path, VALID + 'colour = "red"\n'))
    assert "ignoring unknown keys colour" in caplog.text


def test_from_mapping_builds_without_a_file(tmp_path):
    data = {"portal_url": "https://portal.example", "token": "t-1", "site_name": "S", "place": "P",
            "duty_phone": "12345", "outbox_path": "o.sqlite3"}
    assert KioskConfig.from_mapping(data, base_dir=tmp_path).outbox_path == tmp_path / "o.sqlite3"


def test_font_lookup_names_every_place_it_looked(tmp_path):
    with pytest.raises(FontNotFound, match="fonts-wqy-microhei") as info:
        find_cjk_font([tmp_path / "a.ttc", tmp_path / "b.otf"])
    assert str(tmp_path / "b.otf") in str(info.value)


def test_debian_wqy_font_is_found():
    assert find_cjk_font().name in {"wqy-microhei.ttc", "NotoSansSC-Regular.otf", "NotoSansSC-Regular.ttf",
                                    "wqy-zenhei.ttc"}


def test_service_and_voice_keys_load_with_paths_relative_to_the_file(tmp_path):
    config = load_config(_write(tmp_path, VALID + 'timezone = "Asia/Urumqi"\nvoice_wav_dir = "wavs"\n'
                                "greeting_wait_s = 0.5\nvoice = false\n"))
    assert config.tzinfo.key == "Asia/Urumqi" and config.voice_wav_dir == tmp_path / "wavs"
    assert config.greeting_wait_s == 0.5 and config.voice is False
    assert config.data_path("catalog.json") == tmp_path / "data" / "outbox.sqlite3.catalog.json"


def test_voice_models_default_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_config(_write(tmp_path, VALID)).models_dir == tmp_path / "voice_models"


def test_unknown_time_zone_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="timezone 'Mars/Olympus' is unknown"):
        load_config(_write(tmp_path, VALID + 'timezone = "Mars/Olympus"\n'))
