"""Escalation policies from configuration (a JSON or TOML mapping), on top of the defaults.

Shape::

    {"policies": {"emergency": {"open": {"steps": [{"after_s": 0, "notify": ["grid_volunteers"],
                                                      "label": "..."}],
                                         "repeat_every_s": 120},
                                "accepted": {...}}},
     "kinds": {"help": "standard"}}

A policy given here replaces the default of the same name; kinds not given keep theirs.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from caregiver_portal.core.errors import ConfigurationError
from caregiver_portal.core.settings import PortalSettings
from caregiver_portal.escalation.policy import DEFAULT_POLICIES, Audience, Ladder, Policy, PolicySet, Step


def load_policy_file(path: Path) -> PolicySet:
    """Policies from a ``.toml`` or ``.json`` file."""
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    return policies_from_mapping(data)


def policies_from_mapping(data: Mapping[str, Any], base: PolicySet = DEFAULT_POLICIES) -> PolicySet:
    """Validate ``data`` and merge it over ``base``; raises :class:`ConfigurationError` with the reason."""
    try:
        policies = dict(base.policies)
        for name, spec in data.get("policies", {}).items():
            policies[name] = Policy(name=name, open=_ladder(spec.get("open", {})),
                                    accepted=_ladder(spec.get("accepted", {})))
        by_kind = {**base.by_kind, **data.get("kinds", {})}
        unknown = {target for target in by_kind.values() if target not in policies}
        if unknown:
            raise ConfigurationError(f"escalation: unknown policies {sorted(unknown)}")
        return PolicySet(policies=policies, by_kind=by_kind, emergency=data.get("emergency", base.emergency))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigurationError(f"escalation policy is invalid: {exc}") from exc


def _ladder(spec: Mapping[str, Any]) -> Ladder:
    steps = tuple(
        Step(after=timedelta(seconds=float(item["after_s"])),
             audiences=frozenset(Audience(name) for name in item["notify"]),
             label=str(item.get("label", "通知")), unless_arrived=bool(item.get("unless_arrived", False)),
             urgent=bool(item.get("urgent", False)))
        for item in spec.get("steps", [])
    )
    repeat = spec.get("repeat_every_s")
    return Ladder(steps, repeat_every=timedelta(seconds=float(repeat)) if repeat else None)


def policies_for(settings: PortalSettings) -> PolicySet:
    """The default policies, or those of ``settings.extra["escalation_policy_file"]`` (TOML or JSON)."""
    path = settings.extra.get("escalation_policy_file")
    return load_policy_file(Path(path)) if path else DEFAULT_POLICIES
