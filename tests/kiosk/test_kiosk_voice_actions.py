"""Voice dialog actions carried out on the real app: the same paths as touch."""

from __future__ import annotations

import pytest

from kiosk.speech import SpeechSettings
from kiosk.voice.messages import CancelSignUp, ChangeRate, Show, SignUp, SubmitOrder
from kiosk.voice_actions import VoiceActions


def test_spoken_emergency_raises_at_once_and_can_be_called_off(make_harness, fake_portal):
    h = make_harness(client=fake_portal)
    h.app.hear("救命啊")
    assert h.wait_until(lambda: h.screen == "help_status", 5)
    assert h.wait_for_text("已送达，正在通知志愿者", 10)
    assert fake_portal.raised[0]["emergency"] is True
    assert "如果是误报" in h.spoken[-1] or any("如果是误报" in s for s in h.spoken[-3:])
    h.app.hear("不用了 我没事")
    assert h.wait_until(lambda: fake_portal.cancelled == ["ev-1"], 10)
    assert h.screen == "home"


def test_spoken_non_urgent_help_is_confirmed_first(make_harness, fake_portal):
    h = make_harness(client=fake_portal)
    h.app.hear("叫人来帮我一下")
    h.pump(0.3)
    assert fake_portal.raised == [] and "对吗" in h.spoken[-1]
    h.app.hear("对")
    assert h.wait_until(lambda: len(fake_portal.raised) == 1, 5)
    assert fake_portal.raised[0]["emergency"] is False


def test_spoken_volume_and_speed_requests_change_the_settings(make_harness, fake_portal):
    h = make_harness(client=fake_portal)
    h.app.hear("大声一点")
    assert h.app.speech_settings.volume_level == 5 and h.speaker.volume == pytest.approx(1.0)
    h.app.hear("说慢一点")
    assert h.app.speech_settings.rate_text == "语速：慢"


class _Recorder:
    """Records every call made on it (and on its attributes) into a shared list."""

    def __init__(self, calls: list[tuple], prefix: str = "") -> None:
        self._calls, self._prefix = calls, prefix

    def __getattr__(self, name: str):
        if name in ("groceries", "activities"):
            return _Recorder(self._calls, f"{name}.")
        return lambda *args, **kwargs: self._calls.append((self._prefix + name, args, kwargs)) or True


class _Target(_Recorder):
    def __init__(self) -> None:
        self.calls: list[tuple] = []
        super().__init__(self.calls)
        self.speech_settings = SpeechSettings()


ITEMS = ({"name": "鸡蛋", "quantity": 1, "unit": "斤"},)


@pytest.mark.parametrize(
    ("action", "call"),
    [
        pytest.param(SubmitOrder(items=ITEMS), ("groceries.submit_spoken", (ITEMS,), {}), id="order"),
        pytest.param(SignUp(activity_id=3), ("activities.spoken", (3,), {"cancelling": False}), id="signup"),
        pytest.param(CancelSignUp(activity_id=3), ("activities.spoken", (3,), {"cancelling": True}), id="unsign"),
        pytest.param(Show(screen="status"), ("open_status", (), {}), id="status-screen"),
        pytest.param(Show(screen="emergency"), ("go", ("help_status",), {}), id="emergency-screen"),
        pytest.param(Show(screen="activities"), ("activities.open", (), {}), id="activities-screen"),
    ],
)
def test_dialog_actions_map_onto_the_touch_methods(action, call):
    target = _Target()
    VoiceActions(target).execute(action)
    assert target.calls == [call]


def test_rate_delta_maps_to_speed_steps():
    target = _Target()
    VoiceActions(target).execute(ChangeRate(delta=-40))
    (name, (settings,), _), = target.calls
    assert name == "change_speech" and settings.rate_index == 0
