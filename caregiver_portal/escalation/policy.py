"""Escalation policy: who is told about an alert, and when. Pure: time is passed in, never read.

A policy has two ladders. The *open* ladder runs from the alert's press (``occurred_at``) until someone
accepts it; the *accepted* ladder runs from acceptance until it is resolved (reminders).
Each ladder is a list of steps at offsets from its anchor, optionally followed by repeats
every ``repeat_every`` that notify everyone the ladder has reached so far (alarms latch).

:func:`due_steps` answers, for the durable state ``(phase, anchor, fired)`` and ``now``,
which steps are due and when the next one is. After a long outage it fires every missed
regular step once but only the latest missed repeat (like APScheduler's ``coalesce``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

Phase = Literal["open", "accepted"]


class Audience(StrEnum):
    """A group of people a step notifies; resolved to users and contacts at fire time."""

    GRID_VOLUNTEERS = "grid_volunteers"  # on-duty volunteers of the resident's grid
    GRID_WORKER = "grid_worker"  # caregivers (grid workers) of the resident's grid
    SITE_VOLUNTEERS = "site_volunteers"  # every on-duty volunteer of the site
    CAREGIVERS = "caregivers"  # every caregiver of the site
    CONTACTS = "contacts"  # the resident's emergency contacts
    ADMINS = "admins"  # the site's admins
    ACCEPTOR = "acceptor"  # whoever accepted the alert
    NEXT_STEP = "next_step"  # who the open ladder's next step (after the last one fired before acceptance) reaches


@dataclass(frozen=True)
class Step:
    """One rung of a ladder."""

    after: timedelta
    """Offset from the ladder's anchor (the press, or acceptance for reminders)."""
    audiences: frozenset[Audience]
    """Who is notified."""
    label: str
    """What the timeline and the bots call this step, e.g. "通知全站值班志愿者"."""
    unless_arrived: bool = False
    """Skipped once someone marked 已到达: an arrival check of the accepted ladder (a re-escalation)."""
    urgent: bool = False
    """Also phone or text everyone it reaches through the site's urgent channels (DING, SMS, voice call)."""


@dataclass(frozen=True)
class Ladder:
    """Steps at increasing offsets, then optional repeats to everyone reached so far."""

    steps: tuple[Step, ...] = ()
    repeat_every: timedelta | None = None

    def __post_init__(self) -> None:
        offsets = [step.after for step in self.steps]
        if offsets != sorted(offsets) or any(offset < timedelta(0) for offset in offsets):
            raise ValueError("ladder steps must have non-negative, increasing offsets")
        if self.repeat_every is not None and self.repeat_every <= timedelta(0):
            raise ValueError("repeat_every must be positive")

    def entry(self, number: int) -> tuple[timedelta, Step, bool] | None:
        """Offset, step and whether it is a repeat, for the ``number``-th firing (0-based)."""
        if number < len(self.steps):
            step = self.steps[number]
            return step.after, step, False
        if self.repeat_every is None or not self.steps:
            return None
        k = number - len(self.steps) + 1
        return self.steps[-1].after + k * self.repeat_every, self.repeat_step, True

    @property
    def repeat_step(self) -> Step:
        """The step a repeat carries out: everyone the ladder reaches."""
        audiences = frozenset().union(*(step.audiences for step in self.steps))
        return Step(after=self.steps[-1].after if self.steps else timedelta(0), audiences=audiences,
                    label="仍未处理，再次通知所有人")

    def scaled(self, factor: float) -> Ladder:
        """The same ladder with every offset and the repeat interval multiplied by ``factor``."""
        if factor == 1.0:
            return self
        steps = tuple(replace(step, after=step.after * factor) for step in self.steps)
        return Ladder(steps, self.repeat_every * factor if self.repeat_every is not None else None)

    def next_audiences(self, fired: int) -> frozenset[Audience]:
        """Who the step after ``fired`` steps reaches (the last step's people once all have fired)."""
        if not self.steps:
            return frozenset()
        return self.steps[min(fired, len(self.steps) - 1)].audiences


@dataclass(frozen=True)
class Policy:
    """The two ladders used for one kind of alert."""

    name: str
    open: Ladder
    accepted: Ladder = field(default_factory=Ladder)

    def ladder(self, phase: Phase) -> Ladder:
        """The ladder of ``phase``."""
        return self.open if phase == "open" else self.accepted

    def for_care(self, factor: float) -> Policy:
        """This policy with the open ladder's waits multiplied by ``factor`` (a resident who needs more care)."""
        return self if factor == 1.0 else replace(self, open=self.open.scaled(factor))


def step_audiences(step: Step, open_ladder: Ladder, open_fired: int) -> frozenset[Audience]:
    """The audiences of ``step`` with :attr:`Audience.NEXT_STEP` replaced by the people it stands for."""
    if Audience.NEXT_STEP not in step.audiences:
        return step.audiences
    return (step.audiences - {Audience.NEXT_STEP}) | open_ladder.next_audiences(open_fired)


@dataclass(frozen=True)
class EscalationState:
    """What is stored per alert (table ``escalations``)."""

    phase: Phase
    anchor: datetime
    fired: int


@dataclass(frozen=True)
class DueStep:
    """A step that must be carried out now."""

    number: int
    step: Step
    due_at: datetime
    repeat: bool
    caught_up: bool = False
    """True when it stands for several missed steps at once (:func:`catch_up`)."""


@dataclass(frozen=True)
class Plan:
    """The answer of :func:`due_steps`: steps to fire, the new ``fired`` and the next deadline."""

    due: tuple[DueStep, ...]
    fired: int
    next_due_at: datetime | None


def due_steps(state: EscalationState, policy: Policy, now: datetime) -> Plan:
    """Steps of ``policy`` due at ``now`` for ``state``; missed repeats collapse into one."""
    ladder = policy.ladder(state.phase)
    due: list[DueStep] = []
    number = state.fired
    while number < len(ladder.steps):
        offset, step, _ = ladder.entry(number)  # type: ignore[misc]
        if state.anchor + offset > now:
            break
        due.append(DueStep(number, step, state.anchor + offset, repeat=False))
        number += 1
    if number >= len(ladder.steps) and ladder.repeat_every is not None and ladder.steps:
        number = _last_due_repeat(ladder, state.anchor, number, now, due)
    upcoming = ladder.entry(number)
    next_due_at = state.anchor + upcoming[0] if upcoming is not None else None
    return Plan(tuple(due), number, next_due_at)


def catch_up(plan: Plan) -> Plan:
    """Several steps of the open ladder due at once on an alert's first sweep become one: the step the alert
    should be on, telling everyone the missed steps would have told (alarms latch).

    A call held offline for 200 s arrives with its 0 s, 60 s and 180 s steps due; one message per
    bot naming everyone reads better than three in the same second, and the timeline says which
    step it jumped to. The sweep applies this only before anything has fired (a late arrival);
    after a portal outage each missed step still fires once.
    """
    if len(plan.due) < 2:
        return plan
    last = plan.due[-1]
    audiences = frozenset().union(*(due.step.audiences for due in plan.due))
    merged = replace(last, step=replace(last.step, audiences=audiences), caught_up=True)
    return Plan((merged,), plan.fired, plan.next_due_at)


def _last_due_repeat(ladder: Ladder, anchor: datetime, number: int, now: datetime, due: list[DueStep]) -> int:
    """Append the latest repeat due at ``now`` (if any) and return the next firing number."""
    assert ladder.repeat_every is not None
    first_repeat_at = anchor + ladder.steps[-1].after + ladder.repeat_every
    if now < first_repeat_at:
        return number
    latest_k = (now - first_repeat_at) // ladder.repeat_every + 1  # repeats 1..latest_k are due
    latest_number = len(ladder.steps) - 1 + latest_k
    if latest_number < number:
        return number
    offset, step, _ = ladder.entry(latest_number)  # type: ignore[misc]
    due.append(DueStep(latest_number, step, anchor + offset, repeat=True))
    return latest_number + 1


@dataclass(frozen=True)
class PolicySet:
    """The policies in force and which one each kind of alert follows."""

    policies: Mapping[str, Policy]
    by_kind: Mapping[str, str]
    emergency: str = "emergency"

    def for_alert(self, kind: str, emergency: bool) -> Policy:
        """The policy of an alert: emergencies share one, other kinds are looked up by kind."""
        if emergency and self.emergency in self.policies:
            return self.policies[self.emergency]
        return self.policies[self.by_kind.get(kind, "standard")]


def _step(seconds: float, label: str, *audiences: Audience) -> Step:
    return Step(after=timedelta(seconds=seconds), audiences=frozenset(audiences), label=label)


A = Audience


def arrival_then_remind(arrive_within: timedelta, resolve_within: timedelta = timedelta(hours=1)) -> Ladder:
    """An accepted alert that needs someone on the spot: unless someone marked 已到达 within ``arrive_within``,
    re-escalate to the next open step and tell the acceptor; remind when still unresolved after ``resolve_within``."""
    minutes = int(arrive_within.total_seconds() // 60)
    return Ladder((
        Step(arrive_within, frozenset({A.ACCEPTOR, A.NEXT_STEP}),
             f"接单 {minutes} 分钟仍未到达，通知下一级并提醒接单人", unless_arrived=True),
        _step(resolve_within.total_seconds(), "已接单 1 小时仍未处理完，提醒接单人和网格员", A.ACCEPTOR, A.GRID_WORKER),
    ), repeat_every=timedelta(minutes=30))


REMIND_ACCEPTOR = Ladder((_step(30 * 60, "已接单 30 分钟仍未处理完，提醒接单人和网格员", A.ACCEPTOR, A.GRID_WORKER),),
                         repeat_every=timedelta(minutes=30))
EMERGENCY = Policy("emergency", open=Ladder((
    _step(0, "通知本网格值班志愿者和网格员", A.GRID_VOLUNTEERS, A.GRID_WORKER),
    _step(60, "60 秒无人接单，通知全站值班志愿者和护理员", A.SITE_VOLUNTEERS, A.CAREGIVERS),
    replace(_step(180, "180 秒无人接单，通知紧急联系人和站点管理员", A.CONTACTS, A.ADMINS), urgent=True),
), repeat_every=timedelta(minutes=2)), accepted=arrival_then_remind(timedelta(minutes=15)))
STANDARD = Policy("standard", open=Ladder((
    _step(0, "通知本网格值班志愿者", A.GRID_VOLUNTEERS),
    _step(10 * 60, "10 分钟无人接单，通知全站值班志愿者", A.SITE_VOLUNTEERS),
    _step(30 * 60, "30 分钟无人接单，通知网格员", A.GRID_WORKER),
), repeat_every=timedelta(minutes=30)), accepted=REMIND_ACCEPTOR)
WELFARE = Policy("welfare", open=Ladder((
    _step(0, "通知本网格值班志愿者和网格员", A.GRID_VOLUNTEERS, A.GRID_WORKER),
    _step(10 * 60, "10 分钟无人接单，通知全站值班志愿者", A.SITE_VOLUNTEERS),
    _step(30 * 60, "30 分钟无人接单，通知护理员和站点管理员", A.CAREGIVERS, A.ADMINS),
), repeat_every=timedelta(minutes=30)), accepted=arrival_then_remind(timedelta(minutes=30)))
"""A welfare check (a missed check-in, a silent band): someone must go and see, and say so."""
DEVICE = Policy("device", open=Ladder((
    _step(0, "通知站点管理员和网格员", A.ADMINS, A.GRID_WORKER),
    _step(30 * 60, "30 分钟无人处理，通知护理员", A.CAREGIVERS),
), repeat_every=timedelta(hours=1)), accepted=REMIND_ACCEPTOR)

DEFAULT_POLICIES = PolicySet(
    policies={p.name: p for p in (EMERGENCY, STANDARD, WELFARE, DEVICE)},
    by_kind={"sos": "emergency", "fall": "emergency", "help": "standard", "health": "standard",
             "inactivity": "standard", "device": "device", "no_checkin": "welfare", "band_silent": "welfare",
             "roll_call": "standard"},
)
