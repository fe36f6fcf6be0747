"""Flows through the real app offscreen, driven by simulated touches, against a scripted portal."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from kiosk.runtime.site_feed import load_cache
from tests.kiosk.fake_community import NOW
from tests.kiosk.fakes import FakePortal

pytestmark = pytest.mark.kivy


def _call_help(h) -> None:
    h.tap("呼叫帮助")
    assert h.screen == "confirm_help"
    h.tap("是，呼叫")
    assert h.screen == "help_status"


def test_help_call_is_followed_live_until_handled(make_harness, fake_portal):
    h = make_harness(client=fake_portal)
    _call_help(h)
    assert h.wait_for_text("已送达，正在通知志愿者", 30)
    raised = fake_portal.raised[0]
    occurred_at = raised.pop("occurred_at")
    assert raised == {"event_id": "ev-1", "kind": "help", "emergency": True, "details": {"place": "社区中心大厅"}}
    assert abs((h.clock() - occurred_at).total_seconds()) < 60, "the moment 是，呼叫 was pressed"
    fake_portal.set_state("ev-1", "accepted", accepted_by="李志愿")
    assert h.wait_for_text("志愿者已接单：李志愿", 30)
    assert any("李志愿正在赶来" in s for s in h.spoken), "each new stage is spoken"
    fake_portal.set_state("ev-1", "resolved")
    assert h.wait_for_text("已处理", 30)
    assert not h.has_text("我没事，取消呼叫")


def test_no_on_confirmation_goes_home_without_raising(make_harness, fake_portal):
    h = make_harness(client=fake_portal)
    h.tap("呼叫帮助")
    h.tap("不，返回")
    assert h.screen == "home" and fake_portal.raised == []


def test_tremor_double_tap_cannot_skip_the_confirmation(make_harness, fake_portal, kiosk_config):
    # The kiosk's clock stands still, so the second tap comes within the guard however slow the machine is.
    h = make_harness(replace(kiosk_config, tap_guard_s=2.0), client=fake_portal, frozen=True)
    h.tap("呼叫帮助")
    yes = h.find("confirm_help.yes")
    h.tap_at(*yes.to_window(*yes.center))  # a second, shaky tap right after the screen changed
    h.pump(0.2)
    assert h.screen == "confirm_help" and fake_portal.raised == []


def test_offline_call_waits_in_outbox_shows_duty_phone_and_moves_on_when_network_returns(
    make_harness, fake_portal
):
    fake_portal.set_reachable(False)
    h = make_harness(client=fake_portal)
    _call_help(h)
    assert h.wait_for_text("暂时联系不上服务中心", 30)
    assert h.find("help_status.phone").text == "010-6512 3456" and h.has_text("值班电话")
    assert h.find("help_status.phone").font_size >= 84
    assert fake_portal.pending == ["ev-1"]
    assert any("零 幺 零" in s for s in h.spoken), "the duty phone is read out digit by digit"
    fake_portal.set_reachable(True)
    assert h.wait_for_text("已送达，正在通知志愿者", 30)
    assert h.wait_until(lambda: not h.has_text("值班电话"), 30)
    assert h.wait_until(lambda: fake_portal.wakes > 0, 30), "the site feed wakes the sender once the portal answers"


def test_second_help_press_shows_the_running_call_instead_of_raising_again(make_harness, fake_portal):
    h = make_harness(client=fake_portal)
    _call_help(h)
    assert h.wait_for_text("已送达", 30)
    h.tap("返回首页")
    h.tap("呼叫帮助")
    assert h.screen == "help_status", "no second confirmation for a call that is already running"
    assert len(fake_portal.raised) == 1


def test_cancel_is_confirmed_then_sent_to_the_portal(make_harness, fake_portal):
    h = make_harness(client=fake_portal)
    _call_help(h)
    assert h.wait_for_text("已送达", 30)
    h.tap("我没事，取消呼叫")
    assert h.screen == "confirm_cancel" and h.has_text("确定要取消呼叫吗？")
    h.tap("是，取消呼叫")
    assert h.wait_for_text("呼叫已取消", 30)
    assert fake_portal.cancelled == ["ev-1"]


def test_cancel_without_portal_support_tells_the_senior_what_to_do(make_harness):
    portal = FakePortal(can_cancel=False)
    h = make_harness(client=portal)
    _call_help(h)
    assert h.wait_for_text("已送达", 30)
    h.tap("我没事，取消呼叫")
    h.tap("是，取消呼叫")
    assert h.wait_for_text("告诉他您没事就可以了", 30)
    assert not h.has_text("我没事，取消呼叫")


def test_help_call_that_cannot_be_saved_shows_the_duty_phone(make_harness, fake_portal):
    fake_portal.fail_raise = True
    h = make_harness(client=fake_portal)
    _call_help(h)
    assert h.wait_for_text("呼叫没有发出去", 30)
    assert h.has_text("010-6512 3456")


def test_a_new_minute_in_the_header_never_replaces_a_button_under_the_finger(make_harness, fake_portal):
    h = make_harness(client=fake_portal, frozen=True)
    tile = h.find("home.help")
    h.advance(60)  # the header's clock shows the next minute: the screen's widgets stay
    assert h.find("home.help") is tile
    h.offset += 60  # the touch may be the first event to see the next minute (the CI failure)
    h.tap("呼叫帮助")
    assert h.screen == "confirm_help"


def test_help_call_the_portal_refuses_for_good_is_not_called_a_network_problem(make_harness, fake_portal):
    fake_portal.reject_raise = True
    h = make_harness(client=fake_portal)
    _call_help(h)
    assert h.wait_for_text("服务中心没有接收这次呼叫", 30)
    assert h.has_text("010-6512 3456") and not h.has_text("暂时联系不上服务中心")
    assert not h.has_text("我没事，取消呼叫")
    assert any("服务中心没有接收这次呼叫" in s for s in h.spoken)


def test_repeat_button_speaks_the_screen_again(make_harness, fake_portal):
    # The activities are dated around NOW: with the real date they may all be over already.
    h = make_harness(client=fake_portal, clock=lambda: NOW)
    h.tap("活动报名")
    assert h.wait_for_text("社区义诊", 30)
    before = len(h.spoken)
    h.tap("再听一遍")
    assert h.wait_until(lambda: len(h.spoken) > before, 30)
    assert len(h.spoken) == before + 1 and "活动报名" in h.spoken[-1] and "社区义诊" in h.spoken[-1]


def test_volume_and_speed_controls_reach_the_speaker(make_harness, fake_portal):
    h = make_harness(client=fake_portal)
    h.tap("声音设置")
    h.tap("小声一点")
    assert h.speaker.volume == pytest.approx(0.6)
    assert h.has_text("音量：3 级")
    h.tap("快一点")
    assert h.speaker.rate == 170 and h.has_text("语速：快")
    assert "现在的声音是这样的" in h.spoken[-1]


def test_idle_warning_counts_down_after_being_spoken_and_any_touch_extends_it(make_harness, fake_portal,
                                                                            kiosk_config):
    # The idle timeout and the grace period are the site's defaults (90 s, 30 s); the clock only moves when
    # the test moves it, so what the countdown shows does not depend on the machine's speed.
    h = make_harness(replace(kiosk_config, idle_timeout_s=90, idle_grace_s=30), client=fake_portal, frozen=True)
    h.tap("声音设置")
    h.advance(90)
    assert h.wait_until(lambda: h.screen == "idle_warning", 30)
    assert h.wait_until(lambda: "您还在使用吗" in h.spoken[-1], 30), "the warning is spoken"
    assert "还有三十秒回到首页" in h.spoken[-1] and h.has_text("还有 30 秒回到首页")
    h.advance(1)  # still being said: the grace period has not started
    assert h.has_text("还有 30 秒回到首页")
    h.advance(20)
    assert h.wait_for_text("秒回到首页", 30) and h.wait_until(lambda: not h.has_text("还有 30 秒"), 30)
    h.tap_at(5, h.window.height / 2)  # a touch anywhere gives the whole grace period again
    assert h.wait_for_text("还有 30 秒回到首页", 30)
    h.advance(5)
    assert h.wait_until(lambda: not h.has_text("还有 30 秒"), 30)
    h.tap("我还在")  # its touch also restarts the countdown: the button under the finger must still take it
    assert h.screen == "settings"
    h.advance(90)
    assert h.wait_until(lambda: h.screen == "idle_warning", 30)
    h.advance(60)
    assert h.wait_until(lambda: h.screen == "home", 30)


def test_next_visit_starts_from_the_sites_defaults(make_harness, fake_portal, kiosk_config):
    h = make_harness(kiosk_config, client=fake_portal, clock=lambda: NOW)
    h.tap("声音设置")
    h.tap("小声一点")
    h.tap("慢一点")
    assert h.speaker.volume == pytest.approx(0.6) and h.speaker.rate == 120
    h.tap("返回首页")
    h.tap("买菜代购")
    h.tap("groceries.category.蔬菜")
    h.tap("groceries.add.1")
    assert h.wait_for_text("购物车（1 样）", 30)
    h.tap("返回首页")
    h.tap("活动报名")
    h.tap("activities.page.1")
    assert h.wait_for_text("书法班", 30) and not h.has_text("社区义诊")  # page 2 of 2
    h.advance(kiosk_config.idle_timeout_s)  # the senior walks away: warning, grace, end of visit
    assert h.wait_until(lambda: h.screen == "idle_warning", 30)
    h.advance(60)
    assert h.wait_until(lambda: h.screen == "home", 30)
    assert h.speaker.volume == pytest.approx(0.8) and h.speaker.rate == 140, "the site's volume and speed"
    h.tap("买菜代购")
    assert h.wait_until(lambda: h.screen == "grocery_categories", 30)
    assert h.has_text("购物车（0 样）"), "the last visit's cart is gone"
    assert h.app.state.visit.cart.empty
    h.tap("返回首页")
    h.tap("活动报名")
    assert h.wait_for_text("社区义诊", 30) and not h.has_text("书法班"), "the list starts at its first page"
    h.tap("返回首页")
    h.tap("声音设置")
    assert h.has_text("音量：4 级") and h.has_text("语速：正常")


def test_running_help_call_is_not_sent_home_by_the_idle_timer(make_harness, fake_portal, kiosk_config):
    fake_portal.set_reachable(False)
    h = make_harness(client=fake_portal)
    _call_help(h)
    assert h.wait_for_text("010-6512 3456", 30)
    h.advance(1000)  # far past the idle timeout and the grace period
    assert h.screen == "help_status" and h.has_text("010-6512 3456")


def test_site_strip_follows_the_site_and_keeps_the_last_state_offline(make_harness, fake_portal, kiosk_config):
    h = make_harness(client=fake_portal)
    assert h.wait_for_text("现在没有进行中的呼叫", 30)
    fake_portal.others.append({"id": 1, "kind": "sos", "state": "open", "emergency": True, "place": "3号楼 201",
                               "accepted_by": None})
    assert h.wait_for_text("紧急呼叫 · 3号楼 · 正在通知志愿者", 30)
    fake_portal.others[0]["state"] = "accepted"
    assert h.wait_for_text("紧急呼叫 · 3号楼 · 志愿者已接单", 30)
    assert not h.has_text("201"), "room numbers never reach the public screen"
    fake_portal.set_reachable(False)
    assert h.wait_for_text("网络中断", 30)
    assert h.has_text("紧急呼叫 · 3号楼 · 志愿者已接单")
    cached = load_cache(kiosk_config.site_cache_path)
    assert cached.alerts is not None and cached.alerts[0]["place"] == "3号楼"


def test_cached_site_strip_is_shown_when_starting_offline(make_harness, fake_portal, kiosk_config):
    h = make_harness(client=fake_portal)
    fake_portal.others.append({"id": 1, "kind": "fall", "state": "open", "place": "5号楼 302"})
    assert h.wait_for_text("跌倒报警 · 5号楼", 30)
    h.close()
    offline = FakePortal()
    offline.set_reachable(False)
    h2 = make_harness(client=offline)
    assert h2.has_text("跌倒报警 · 5号楼 · 正在通知志愿者")
    assert h2.wait_for_text("网络中断", 30)


def test_portal_calls_never_run_on_the_ui_thread(make_harness, fake_portal):
    ui_thread = threading.current_thread()
    seen: list[str] = []
    for name in ("raise_alert", "get_alert_for_event", "site_alerts", "delivery"):
        original = getattr(fake_portal, name)

        def spy(*args, __original=original, __name=name, **kwargs):
            if threading.current_thread() is ui_thread:
                seen.append(__name)
            return __original(*args, **kwargs)

        setattr(fake_portal, name, spy)
    h = make_harness(client=fake_portal)
    _call_help(h)
    assert h.wait_for_text("已送达", 30)
    assert seen == []


def test_restarted_kiosk_keeps_following_the_running_call(make_harness, fake_portal, kiosk_config):
    h = make_harness(client=fake_portal)
    _call_help(h)
    assert h.wait_for_text("已送达", 30)
    h.close()  # e.g. a power cut: the kiosk restarts
    fake_portal.set_state("ev-1", "accepted", accepted_by="李志愿")
    h2 = make_harness(client=fake_portal)
    assert h2.wait_until(lambda: h2.screen == "help_status", 30)
    assert h2.wait_for_text("志愿者已接单：李志愿", 30)
    assert len(fake_portal.raised) == 1
    fake_portal.set_state("ev-1", "resolved")
    assert h2.wait_for_text("已处理", 30)
    assert h2.wait_until(lambda: not kiosk_config.active_call_path.exists(), 30)


def test_resident_keypad_reads_back_digits_and_needs_three(make_harness, fake_portal):
    h = make_harness(client=fake_portal)
    h.tap("我的请求")
    assert h.wait_until(lambda: h.screen == "resident", 30) and h.has_text("请输入房间号或居民码")
    h.tap("2")
    h.tap("5")
    h.tap("确定")
    assert h.screen == "resident" and "请至少输入三位数字" in h.spoken[-1]
    h.tap("删除")
    assert h.find("resident.display").text == "2"
    h.tap("0")
    h.tap("1")
    assert "二，零，幺" not in h.spoken[-1] and "二 零 幺" in h.spoken[-1]
    h.tap("确定")
    assert h.wait_for_text("没有找到号码 201", 30), "an unknown code is said and can be typed again"
    assert h.find("resident.display").text == "请按数字"
    for key in "0201":
        h.tap(key)
    h.tap("确定")
    assert h.wait_for_text("王阿姨的请求", 30)
    assert any(s.startswith("王阿姨，您好！") for s in h.spoken)
    h.tap("返回首页")
    h.tap("我的请求")
    assert h.wait_until(lambda: h.screen == "resident", 30), "home forgets the resident"
    assert h.find("resident.display").text == "请按数字"
