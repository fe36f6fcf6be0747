"""Accessibility by construction (issue 7.6): every screen of the real app, checked from the widget tree.

Set ``ANXIN_UPDATE_SCREENSHOTS=1`` to refresh docs/screenshots/kiosk-*.png from this walk.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.core.samples import CATALOG, NOW, sample_states
from kiosk.core.state import Site
from kiosk.ui import theme as th
from kiosk.ui.a11y import A11yRules, audit, contrast_ratio, window_rect
from kiosk.ui.app import site_of
from tests.kiosk.fakes import FakePortal
from tests.kiosk.harness import KioskHarness
from tests.kiosk.test_core_spoken import canonical, readings

MARKUP = re.compile(r"\[/?b\]")

DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
UPDATE_SHOTS = os.environ.get("ANXIN_UPDATE_SCREENSHOTS") == "1"


@pytest.mark.parametrize(
    ("fg", "bg", "expected"),
    [
        pytest.param((0, 0, 0, 1), (1, 1, 1, 1), 21.0, id="black-on-white"),
        pytest.param((1, 1, 1, 1), (1, 1, 1, 1), 1.0, id="same-colour"),
        pytest.param(th.hex_rgba("#777777"), (1, 1, 1, 1), 4.48, id="grey-777-fails-aa"),
        pytest.param((0, 0, 0, 0.5), (1, 1, 1, 1), 3.98, id="translucent-text-is-blended"),
    ],
)
def test_contrast_ratio_matches_wcag_examples(fg, bg, expected):
    assert contrast_ratio(fg, bg) == pytest.approx(expected, abs=0.02)


@pytest.mark.parametrize(
    ("fg", "bg"),
    [pytest.param(th.BUTTON_TEXT.get(name, th.TEXT_ON_DARK), normal, id=f"{name}")
     for name, (normal, _) in th.BUTTON_STYLES.items()]
    + [pytest.param(th.BUTTON_TEXT.get(name, th.TEXT_ON_DARK), pressed, id=f"{name}-pressed")
       for name, (_, pressed) in th.BUTTON_STYLES.items()]
    + [pytest.param(th.TEXT, bg, id=f"panel-{name}") for name, bg in th.TONE_PANELS.items()]
    + [pytest.param(th.TEXT, th.BACKGROUND, id="body"), pytest.param(th.TEXT, th.PANEL_STRIP, id="strip"),
       pytest.param(th.TEXT_ON_DARK, th.HEADER_BG, id="header")],
)
def test_palette_pairs_reach_aaa_contrast(fg, bg):
    assert contrast_ratio(fg, bg) >= 7.0


def _shown_lines(h: KioskHarness) -> list[str]:
    """Every visible text of the window, line by line as written (a card's markup removed)."""
    return [line for text in h.texts() for line in MARKUP.sub("", text).split("\n") if line.strip()]


def _walk(h: KioskHarness, site: Site, shots: Path | None) -> tuple[int, int, dict[str, tuple]]:
    """Draw every sample state of the core: no rule broken, every visible text said.

    Returns how many states and visible lines were checked, and where 返回首页 was."""
    h.app._tick_event.cancel()  # the samples are frozen in time: no ticks, no idle timer, no portal news
    h.app.runtime.stop()
    h.app.runtime.pictures.fetch_missing([item.picture_url or "" for item in CATALOG])
    home_rects: dict[str, tuple] = {}
    states = lines = 0
    for label, state in sample_states(site):
        h.app.show(replace(state, site=site))
        h.pump(0.05)
        violations = audit(h.app.root, window_size=tuple(h.window.size), window_bg=h.window.clearcolor,
                           dpi=h.app.config_obj.screen_dpi, rules=A11yRules())
        assert not violations, f"{label}:\n" + "\n".join(map(str, violations))
        heard = canonical(h.app.view.full_speech)
        shown = _shown_lines(h)
        missing = [line for line in shown if not any(r in heard for r in readings(line))]
        assert missing == [], f"{label}: shown but not said: {missing}\nsaid: {h.app.view.full_speech}"
        states, lines = states + 1, lines + len(shown)
        if h.find_or_none("nav.home") is not None:
            home_rects[label] = window_rect(h.find("nav.home"))
        assert h.find("nav.repeat")  # 再听一遍 on every screen
        if shots is not None:
            h.screenshot(shots / f"kiosk-{label.replace('_', '-')}.png")
    return states, lines, home_rects


@pytest.mark.kivy
@pytest.mark.parametrize("portrait", [False, True], ids=["landscape-1080p", "portrait-1080p"])
def test_every_screen_state_meets_the_rules_and_says_what_it_shows(kiosk_config, tmp_path, portrait):
    size = (1080, 1920) if portrait else (1920, 1080)
    config = replace(kiosk_config, orientation="portrait" if portrait else "landscape", width=size[0],
                     height=size[1])
    site = replace(site_of(config), greeting_wait_s=1.5)
    with KioskHarness(config, client=FakePortal(), size=size, clock=lambda: NOW) as h:
        states, lines, home_rects = _walk(h, site, tmp_path if UPDATE_SHOTS else None)
    assert states >= 50 and lines >= 400, (states, lines)
    assert len(set(home_rects.values())) == 1, f"返回首页 moved: {home_rects}"
    if UPDATE_SHOTS:
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        suffix = "-portrait" if portrait else ""
        for png in tmp_path.glob("kiosk-*.png"):
            shutil.copyfile(png, DOCS_SHOTS / png.name.replace(".png", f"{suffix}.png"))


@pytest.mark.kivy
def test_audit_catches_each_broken_rule(make_harness, fake_portal):
    """The audit is not vacuous: a deliberately bad tree breaks every rule it checks."""
    from kivy.uix.boxlayout import BoxLayout

    from kiosk.ui.widgets import BigButton, Panel, TextLabel

    make_harness(client=fake_portal)  # a GL context for text textures
    root = Panel(th.BACKGROUND, size=(1920, 1080), size_hint=(None, None))
    row = BoxLayout(size=(1920, 300), size_hint=(None, None), spacing=4)
    for i in range(5):
        row.add_widget(BigButton(f"选{i}", font_size=52, on_tap=lambda: None))
    root.add_widget(row)
    tiny = BigButton("小", font_size=20, on_tap=lambda: None, role="nav", size_hint=(None, None), size=(60, 60),
                     pos=(3000, 0))
    root.add_widget(tiny)
    grey = TextLabel("看不清楚的字", font_size=20, color=th.hex_rgba("#999999"), size_hint=(None, None),
                     size=(40, 40))
    root.add_widget(grey)
    for widget in (grey, tiny, *row.children):
        widget.texture_update()
    row.do_layout()
    rules = {v.rule for v in audit(root, window_size=(1920, 1080), window_bg=th.BACKGROUND, dpi=141)}
    assert rules >= {"text-size", "contrast", "text-fits", "button-height", "target-size", "on-screen", "gap",
                     "choices"}
