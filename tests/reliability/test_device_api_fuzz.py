"""The device API fuzzed from its own OpenAPI document (schemathesis) with a valid token and every built-in check
(the CLI's ``--checks all``): no 500s, every status and body as /openapi.json documents it, schema-valid requests
accepted, invalid ones refused, and every error a 4xx with a JSON body that says what is wrong."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from caregiver_portal.app import create_app
from caregiver_portal.core.settings import PortalSettings
from tests.support.seeding import seed_for_tests

FUZZ_EXAMPLES_PER_OPERATION = 40


@pytest.fixture
def device_app(database_url: str) -> Iterator[tuple[FastAPI, str]]:
    """The portal app on a seeded database, and the bridge token."""
    _kiosk, bridge_token = seed_for_tests(database_url)
    settings_ = PortalSettings(database_url=database_url, secret_key="fuzz-secret-key-0123456789abcdef",
                               password_profile="fast")
    yield create_app(settings_), bridge_token


def errors_are_json_with_detail(_ctx, response, _case) -> bool:  # type: ignore[no-untyped-def]
    """Every 4xx answer is JSON with a ``detail`` saying what is wrong."""
    if 400 <= response.status_code < 500:
        assert response.headers.get("content-type", [""])[0].startswith("application/json"), response.headers
        assert "detail" in response.json()
    return True


def valid_requests_are_accepted(_ctx, response, case) -> bool:  # type: ignore[no-untyped-def]
    """schemathesis' ``positive_data_acceptance``, but a schema-valid request may be refused with 422 for the one
    rule JSON Schema cannot state: a timestamp outside 2000 .. now + 1 day (documented in the 422 answer)."""
    if case.meta is None or not case.meta.generation.mode.is_positive or 200 <= response.status_code < 300:
        return True
    if response.status_code == 422:
        problems = response.json()["detail"]
        assert all("timestamp" in problem["msg"] for problem in problems), f"valid request refused: {problems}"
        return True
    assert response.status_code in (401, 403, 404, 409), f"valid request answered {response.status_code}"
    return True


def test_device_api_never_answers_5xx(device_app: tuple[FastAPI, str]) -> None:
    app, token = device_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex="^/api/v1/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    calls = 0
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=FUZZ_EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def fuzz(case) -> None:  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            case.validate_response(response, excluded_checks=[positive_data_acceptance],
                                   additional_checks=[valid_requests_are_accepted, errors_are_json_with_detail])

        fuzz()
    assert calls >= len(operations) * 5
