"""Pure view models and policies: no Kivy, no I/O, time passed in."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from kiosk.core.idle import TapGuard
from kiosk.runtime.speech import LoggingSpeaker, SpeechSettings, apply_settings, load_speaker
from kiosk.state.help_call import HelpCallSnapshot, HelpStage, help_call_stage, help_call_view
from kiosk.state.site_alerts import alert_line, site_alerts_view
from kiosk.state.text import public_place, spoken_phone

PHONE = "010-6512 3456"


def _alert(state: str, **extra: object) -> dict[str, object]:
    return {"id": 7, "kind": "help", "state": state, "emergency": True, "place": "社区中心大厅",
            "accepted_by": None, **extra}


@pytest.mark.parametrize(
    ("snap", "stage"),
    [
        pytest.param(HelpCallSnapshot(), HelpStage.SENDING, id="just-confirmed"),
        pytest.param(HelpCallSnapshot(event_id="e", elapsed_s=3), HelpStage.SENDING, id="saved-not-sent"),
        pytest.param(HelpCallSnapshot(event_id="e", reachable=False, elapsed_s=1), HelpStage.OFFLINE,
                     id="portal-refused-connection"),
        pytest.param(HelpCallSnapshot(event_id="e", elapsed_s=9), HelpStage.OFFLINE, id="slow-counts-as-offline"),
        pytest.param(HelpCallSnapshot(event_id="e", delivered=True), HelpStage.DELIVERED, id="outbox-delivered"),
        pytest.param(HelpCallSnapshot(event_id="e", alert=_alert("open"), reachable=True), HelpStage.DELIVERED,
                     id="portal-knows-it"),
        pytest.param(HelpCallSnapshot(event_id="e", alert=_alert("accepted", accepted_by="李志愿")),
                     HelpStage.ACCEPTED, id="accepted"),
        pytest.param(HelpCallSnapshot(event_id="e", alert=_alert("accepted"), reachable=False, elapsed_s=99),
                     HelpStage.ACCEPTED, id="accepted-then-offline-stays-accepted"),
        pytest.param(HelpCallSnapshot(event_id="e", alert=_alert("resolved")), HelpStage.RESOLVED, id="resolved"),
        pytest.param(HelpCallSnapshot(event_id="e", alert=_alert("cancelled")), HelpStage.CANCELLED,
                     id="cancelled"),
        pytest.param(HelpCallSnapshot(save_failed=True), HelpStage.SAVE_FAILED, id="outbox-write-failed"),
        pytest.param(HelpCallSnapshot(event_id="e", rejected=True, reachable=True), HelpStage.REJECTED,
                     id="refused-for-good"),
    ],
)
def test_help_call_stage_follows_the_alert(snap, stage):
    assert help_call_stage(snap, offline_after_s=8) is stage


def test_accepted_view_names_the_volunteer_and_step_three():
    view = help_call_view(HelpCallSnapshot(event_id="e", alert=_alert("accepted", accepted_by="李志愿")),
                          duty_phone=PHONE, offline_after_s=8)
    assert view.title == "志愿者已接单：李志愿"
    assert view.step_text == "第 3 步（共 4 步）"
    assert "李志愿" in view.speech
    assert view.can_cancel and not view.finished and not view.show_duty_phone


def test_offline_view_shows_and_spells_the_duty_phone():
    view = help_call_view(HelpCallSnapshot(event_id="e", reachable=False), duty_phone=PHONE, offline_after_s=8)
    assert view.title == "暂时联系不上服务中心"
    assert view.show_duty_phone
    assert "已经保存" in view.detail
    assert spoken_phone(PHONE) in view.speech


def test_finished_call_cannot_be_cancelled():
    view = help_call_view(HelpCallSnapshot(event_id="e", alert=_alert("resolved")), duty_phone=PHONE,
                          offline_after_s=8)
    assert view.finished and not view.can_cancel and view.step_text == "第 4 步（共 4 步）"


@pytest.mark.parametrize(
    ("cancel", "note"),
    [
        pytest.param("requested", "正在取消呼叫", id="requested"),
        pytest.param("sent", "正在取消呼叫", id="sent"),
        pytest.param("unavailable", "告诉他您没事", id="no-endpoint"),
        pytest.param("failed", "取消没有成功", id="failed"),
    ],
)
def test_cancel_progress_is_written_out_and_not_offered_twice(cancel, note):
    view = help_call_view(HelpCallSnapshot(event_id="e", alert=_alert("open"), cancel=cancel),
                          duty_phone=PHONE, offline_after_s=8)
    assert note in view.detail
    assert not view.can_cancel


def test_save_failure_shows_duty_phone_and_no_cancel():
    view = help_call_view(HelpCallSnapshot(save_failed=True), duty_phone=PHONE, offline_after_s=8)
    assert view.show_duty_phone and not view.can_cancel and not view.finished


def test_a_call_refused_for_good_shows_the_duty_phone_without_talk_of_the_network():
    view = help_call_view(HelpCallSnapshot(event_id="e", rejected=True, reachable=True, elapsed_s=60),
                          duty_phone=PHONE, offline_after_s=8)
    assert view.show_duty_phone and not view.can_cancel and "网络" not in view.detail + view.title


@pytest.mark.parametrize(
    ("alert", "line"),
    [
        pytest.param({"kind": "sos", "state": "accepted", "place": "3号楼 201"}, "紧急呼叫 · 3号楼 · 志愿者已接单",
                     id="wristband-sos-accepted"),
        pytest.param({"kind": "fall", "state": "open", "place": "5号楼"}, "跌倒报警 · 5号楼 · 正在通知志愿者",
                     id="fall-open"),
        pytest.param({"kind": "help", "emergency": True, "state": "open", "place": "社区中心大厅"},
                     "紧急求助 · 社区中心大厅 · 正在通知志愿者", id="kiosk-help"),
        pytest.param({"kind": "weird", "state": "open", "place": None}, "呼叫 · 地点未知 · 正在通知志愿者",
                     id="unknown-kind-and-place"),
    ],
)
def test_alert_line_shows_kind_building_and_progress_only(alert, line):
    assert alert_line(alert) == line


def test_site_strip_hides_finished_alerts_and_counts_overflow():
    alerts = [{"kind": "sos", "state": "open", "place": f"{i}号楼 10{i}"} for i in range(1, 6)]
    alerts.append({"kind": "sos", "state": "resolved", "place": "9号楼"})
    view = site_alerts_view(alerts, reachable=True, fetched_at=None, max_lines=3)
    assert len(view.lines) == 4 and view.lines[-1] == "另外还有 2 条进行中"
    assert not any("9号楼" in line or "101" in line for line in view.lines)


@pytest.mark.parametrize(("zone", "clock"), [("Asia/Shanghai", "14:05"), ("Asia/Urumqi", "12:05"), ("UTC", "06:05")])
def test_site_strip_offline_says_how_old_the_information_is_in_the_sites_time(zone, clock):
    fetched = datetime(2026, 11, 25, 6, 5, tzinfo=UTC)
    view = site_alerts_view([], reachable=False, fetched_at=fetched, zone=ZoneInfo(zone))
    assert f"显示的是 {clock} 的信息" in view.note and "网络中断" in view.note
    assert site_alerts_view(None, reachable=None, fetched_at=None).note == "正在连接服务中心……"
    assert site_alerts_view([], reachable=True, fetched_at=fetched).note == "现在没有进行中的呼叫。"


def test_tap_guard_swallows_tremor_double_taps():
    guard = TapGuard(0.6)
    assert guard.accept(10.0)
    assert not guard.accept(10.3)
    assert guard.accept(10.7)
    guard.block(20.0)
    assert not guard.ready(20.5) and guard.ready(20.6)


@pytest.mark.parametrize(
    ("number", "spoken"),
    [
        pytest.param("010-6512 3456", "零 幺 零，六 五 幺 二，三 四 五 六", id="landline"),
        pytest.param("+86 138", "八 六，幺 三 八", id="plus"),
    ],
)
def test_phone_numbers_are_spoken_digit_by_digit(number, spoken):
    assert spoken_phone(number) == spoken


@pytest.mark.parametrize(
    ("place", "public"),
    [
        pytest.param("3号楼 201", "3号楼", id="space"),
        pytest.param("3号楼201", "3号楼", id="no-space"),
        pytest.param("7栋2单元501", "7栋", id="dong"),
        pytest.param("A座1203", "A座", id="zuo"),
        pytest.param("社区中心大厅", "社区中心大厅", id="no-building"),
        pytest.param("", "地点未知", id="empty"),
        pytest.param(None, "地点未知", id="none"),
    ],
)
def test_public_place_keeps_only_the_building(place, public):
    assert public_place(place) == public


def test_speech_settings_stay_within_bounds():
    settings = SpeechSettings(volume_level=1, rate_index=0)
    assert settings.softer().volume_level == 1 and settings.slower().rate_index == 0
    loud = SpeechSettings()
    for _ in range(10):
        loud = loud.louder().faster()
    assert loud.volume == 1.0 and loud.rate_text == "语速：快"


def test_apply_settings_reaches_an_adjustable_speaker():
    speaker = LoggingSpeaker()
    apply_settings(speaker, SpeechSettings(volume_level=2, rate_index=0))
    assert speaker.volume == pytest.approx(0.4) and speaker.rate == 100


def test_load_speaker_falls_back_to_logging_when_the_real_one_fails(caplog):
    def broken() -> LoggingSpeaker:
        raise RuntimeError("no espeak-ng")

    speaker = load_speaker(broken)
    assert isinstance(speaker, LoggingSpeaker)
    assert "speech output unavailable" in caplog.text


def test_remembered_call_expires_after_the_resume_window(tmp_path):
    from datetime import timedelta

    from kiosk.runtime.help_call import RESUME_WINDOW, remember_active_call, remembered_active_call

    path = tmp_path / "call.json"
    raised = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    remember_active_call(path, "ev-9", now=raised)
    assert remembered_active_call(path, now=raised + timedelta(minutes=5)) == "ev-9"
    assert remembered_active_call(path, now=raised + RESUME_WINDOW + timedelta(seconds=1)) is None
    assert not path.exists()
    path.write_text("{broken", encoding="utf-8")
    assert remembered_active_call(path) is None
