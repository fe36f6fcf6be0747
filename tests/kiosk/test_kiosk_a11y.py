"""Accessibility by construction (issue 7.6): every screen of the real app, checked from the widget tree.

Set ``ANXIN_UPDATE_SCREENSHOTS=1`` to refresh docs/screenshots/kiosk-*.png from this walk.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk import theme as th
from kiosk.a11y import A11yRules, audit, contrast_ratio, window_rect
from tests.kiosk.fake_community import NOW
from tests.kiosk.fakes import FakePortal
from tests.kiosk.harness import KioskHarness

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


# Each step brings the app to one screen state; the walk audits and photographs each.
def _home(h: KioskHarness, portal: FakePortal) -> None:
    """Worst case for the strip: more alerts than lines, and the portal just went away."""
    portal.others.append({"id": 1, "kind": "sos", "state": "accepted", "emergency": True, "place": "3号楼 201"})
    portal.others.append({"id": 2, "kind": "fall", "state": "open", "emergency": True, "place": "5号楼 302"})
    for i in range(3, 8):
        portal.others.insert(0, {"id": i, "kind": "inactivity", "state": "open", "place": f"{i}号楼"})
    assert h.wait_for_text("跌倒报警 · 5号楼 · 正在通知志愿者", 10)
    portal.set_reachable(False)
    assert h.wait_for_text("网络中断", 10)


def _confirm_help(h: KioskHarness, portal: FakePortal) -> None:
    portal.set_reachable(True)
    h.tap("home.help")


def _help_offline(h: KioskHarness, portal: FakePortal) -> None:
    portal.set_reachable(False)
    h.tap("confirm_help.yes")
    assert h.wait_for_text("暂时联系不上服务中心", 10)


def _help_delivered(h: KioskHarness, portal: FakePortal) -> None:
    portal.set_reachable(True)
    assert h.wait_for_text("已送达，正在通知志愿者", 10)


def _help_accepted(h: KioskHarness, portal: FakePortal) -> None:
    portal.set_state(portal.raised[-1]["event_id"], "accepted", accepted_by="李志愿")
    assert h.wait_for_text("志愿者已接单：李志愿", 10)


def _confirm_cancel(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("help_status.cancel")


def _help_resolved(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("confirm_cancel.no")
    portal.set_state(portal.raised[-1]["event_id"], "resolved")
    assert h.wait_for_text("评价这次帮忙", 10)


def _rating(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("help_status.rate")
    h.tap("rating.star.4")
    assert h.has_text("您打了 4 颗星")


def _notice(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("提交评价")
    assert h.has_text("谢谢您的评价") and portal.ratings[-1]["stars"] == 4


def _grocery_categories(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("nav.home")
    h.tap("home.groceries")
    assert h.wait_until(lambda: getattr(h.find_or_none("grocery_categories.tile.0"), "has_picture", False), 10)


def _grocery_items(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("grocery_categories.tile.0")
    h.tap("grocery_items.tile.0")
    h.tap("grocery_items.tile.2")
    assert h.has_text("已选 半斤") and h.has_text("购物车（2 样）")


def _cart(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("grocery_items.cart")
    h.tap("cart.row.0.more")
    h.tap("cart.row.0.more")
    assert h.has_text("1斤半")


def _resident(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("cart.checkout")
    assert h.wait_until(lambda: h.screen == "resident", 5)
    for key in "0201":
        h.tap(key)
    assert h.find("resident.display").text == "0 2 0 1"


def _confirm_order(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("确定")
    assert h.wait_until(lambda: h.screen == "confirm", 5) and h.has_text("确定要下单吗？")


def _order_submitted(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("confirm.yes")
    assert h.wait_for_text("已下单，等志愿者认领", 5)


def _order_bought(h: KioskHarness, portal: FakePortal) -> None:
    portal.set_order(portal.posts[-1]["event_id"], "bought", claimed_by="李志愿", amount_paid_fen=4250)
    assert h.wait_for_text("一共花了 42.50 元", 5)


def _order_delivered(h: KioskHarness, portal: FakePortal) -> None:
    portal.set_order(portal.posts[-1]["event_id"], "delivered")
    assert h.wait_for_text("我收到了", 5)


def _activities(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("nav.home")
    h.tap("home.activities")
    assert h.wait_for_text("本周六上午九点，社区服务中心一楼大厅", 5)


def _activity_detail(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("activities.card.1")
    assert h.has_text("本周六上午九点，社区服务中心一楼大厅") and h.has_text("还有 18 个名额")


def _greet(h: KioskHarness, portal: FakePortal) -> None:
    portal.nearby = [{"address": "F0:00:00:00:00:01", "resident_id": 1, "rssi": -50}]
    h.tap("activity_detail.action")
    assert h.wait_until(lambda: h.screen == "greet", 5) and h.has_text("王阿姨，您好！是您吗？")


def _confirm_signup(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("greet.yes")
    assert h.screen == "confirm" and h.has_text("确定要报名“社区义诊”吗？")


def _signed_up(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("confirm.yes")
    assert h.wait_for_text("报名成功", 5) and h.wait_for_text("取消报名", 5)


def _my_activities(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("activity_detail.back")
    h.tap("activities.mine")
    assert h.wait_for_text("王阿姨的活动", 5) and h.has_text("您已报名")


def _my_requests(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("nav.home")
    h.tap("home.requests")
    assert h.wait_until(lambda: h.screen == "greet", 5)
    h.tap("greet.yes")
    assert h.wait_for_text("王阿姨的请求", 5) and h.wait_for_text("已送到，可以评价", 5)


def _settings(h: KioskHarness, portal: FakePortal) -> None:
    h.tap("nav.home")
    h.tap("nav.settings")


def _idle_warning(h: KioskHarness, portal: FakePortal) -> None:
    h.app.go("idle_warning")
    h.pump(0.1)


WALK: list[tuple[str, Callable[[KioskHarness, FakePortal], None]]] = [
    ("home", _home),
    ("confirm-help", _confirm_help),
    ("help-status-offline", _help_offline),
    ("help-status-delivered", _help_delivered),
    ("help-status-accepted", _help_accepted),
    ("confirm-cancel", _confirm_cancel),
    ("help-status-resolved", _help_resolved),
    ("rating", _rating),
    ("notice", _notice),
    ("grocery-categories", _grocery_categories),
    ("grocery-items", _grocery_items),
    ("cart", _cart),
    ("resident-keypad", _resident),
    ("confirm-order", _confirm_order),
    ("order-status-submitted", _order_submitted),
    ("order-status-bought", _order_bought),
    ("order-status-delivered", _order_delivered),
    ("activities", _activities),
    ("activity-detail", _activity_detail),
    ("greet", _greet),
    ("confirm-signup", _confirm_signup),
    ("activity-signed-up", _signed_up),
    ("my-activities", _my_activities),
    ("my-requests", _my_requests),
    ("settings", _settings),
    ("idle-warning", _idle_warning),
]
PORTRAIT_SHOTS = ("home", "resident-keypad", "help-status-offline", "grocery-items", "cart", "activities", "rating")


def _walk(h: KioskHarness, portal: FakePortal, shots: Path | None) -> tuple[set[str], dict[str, tuple]]:
    """Visit every state, assert no rule is broken, photograph it; return screens seen and home-button rects."""
    seen: set[str] = set()
    home_rects: dict[str, tuple] = {}
    cfg = h.app.config_obj
    for label, step in WALK:
        step(h, portal)
        h.pump(0.1)
        violations = audit(h.app.root, window_size=tuple(h.window.size), window_bg=h.window.clearcolor,
                           dpi=cfg.screen_dpi, rules=A11yRules())
        assert not violations, f"{label}:\n" + "\n".join(map(str, violations))
        seen.add(h.screen)
        if h.screen != "home":
            home_rects[label] = window_rect(h.find("nav.home"))
        assert h.find("nav.repeat")  # 再听一遍 on every screen
        if shots is not None:
            h.screenshot(shots / f"kiosk-{label}.png")
    return seen, home_rects


@pytest.mark.kivy
def test_every_screen_meets_the_rules_at_1080p_landscape(kiosk_config, tmp_path):
    portal = FakePortal()
    with KioskHarness(kiosk_config, client=portal, size=(1920, 1080), clock=lambda: NOW) as h:
        seen, home_rects = _walk(h, portal, tmp_path)
        all_screens = set(h.app.screens.screen_names)
    assert seen == all_screens, f"screens never audited: {all_screens - seen}"
    assert len(set(home_rects.values())) == 1, f"返回首页 moved: {home_rects}"
    if UPDATE_SHOTS:
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        for png in tmp_path.glob("kiosk-*.png"):
            shutil.copyfile(png, DOCS_SHOTS / png.name)


@pytest.mark.kivy
def test_every_screen_meets_the_rules_in_portrait(kiosk_config, tmp_path):
    portal = FakePortal()
    config = replace(kiosk_config, orientation="portrait", width=1080, height=1920)
    with KioskHarness(config, client=portal, size=(1080, 1920), clock=lambda: NOW) as h:
        seen, home_rects = _walk(h, portal, tmp_path if UPDATE_SHOTS else None)
    assert len(set(home_rects.values())) == 1
    if UPDATE_SHOTS:
        for name in PORTRAIT_SHOTS:
            shutil.copyfile(tmp_path / f"kiosk-{name}.png", DOCS_SHOTS / f"kiosk-{name}-portrait.png")


@pytest.mark.kivy
def test_audit_catches_each_broken_rule(make_harness, fake_portal):
    """The audit is not vacuous: a deliberately bad tree breaks every rule it checks."""
    from kivy.uix.boxlayout import BoxLayout

    from kiosk.widgets import BigButton, Panel, TextLabel

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
