"""The board card's ladder position (issue 13 point 5), pure: the step reached, the next one and its time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from caregiver_portal.escalation.policy import EMERGENCY, STANDARD, Policy
from caregiver_portal.escalation.progress import progress

T0 = datetime(2026, 12, 7, 0, 31, tzinfo=UTC)


@pytest.mark.parametrize(("policy", "phase", "fired", "open_fired", "current", "next_label", "next_s", "contacts"), [
    pytest.param(EMERGENCY, "open", 0, None, None, "第1级：通知本网格值班志愿者和网格员", 0, False, id="not-yet-swept"),
    pytest.param(EMERGENCY, "open", 1, None, "第1级：通知本网格值班志愿者和网格员",
                 "第2级：60 秒无人接单，通知全站值班志愿者和护理员", 60, False, id="grid-told"),
    pytest.param(EMERGENCY, "open", 3, None, "第3级：180 秒无人接单，通知紧急联系人和站点管理员",
                 "再次：仍未处理，再次通知所有人", 300, True, id="contacts-reached"),
    pytest.param(EMERGENCY, "open", 4, None, "再次：仍未处理，再次通知所有人", "再次：仍未处理，再次通知所有人",
                 420, True, id="repeating"),
    pytest.param(EMERGENCY, "accepted", 0, 3, None, "第1级：接单 15 分钟仍未到达，通知下一级并提醒接单人", 900, True,
                 id="accepted-after-contacts"),
    pytest.param(EMERGENCY, "accepted", 0, 1, None, "第1级：接单 15 分钟仍未到达，通知下一级并提醒接单人", 900, False,
                 id="accepted-at-once"),
    pytest.param(STANDARD, "open", 1, None, "第1级：通知本网格值班志愿者",
                 "第2级：10 分钟无人接单，通知全站值班志愿者", 600, False, id="help-request"),
])
def test_card_progress(policy: Policy, phase: str, fired: int, open_fired: int | None, current: str | None,
                       next_label: str, next_s: float, contacts: bool) -> None:
    shown = progress(policy, phase=phase, anchor=T0, fired=fired, open_fired=open_fired)  # type: ignore[arg-type]
    assert (shown.current, shown.next_label, shown.next_at, shown.contacts_reached) == (
        current, next_label, T0 + timedelta(seconds=next_s), contacts)
