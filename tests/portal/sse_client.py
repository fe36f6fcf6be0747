"""A minimal server-sent-events client for tests and benchmarks (requests, no browser)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests


@dataclass(frozen=True)
class SseMessage:
    """One SSE message."""

    event: str
    id: str
    data: Any


def signed_in(url: str, username: str, password: str) -> requests.Session:
    """A requests session signed in through the portal's login form."""
    session = requests.Session()
    page = session.get(f"{url}/login", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None, "no CSRF token on the login page"
    answer = session.post(f"{url}/login", data={"username": username, "password": password,
                                                "csrf_token": token.group(1), "next": "/board"},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 303, f"sign-in failed: {answer.status_code}"
    return session


def messages(response: requests.Response) -> Iterator[SseMessage]:
    """Parse the stream of an open ``/board/events`` response."""
    event, event_id, data = "message", "", []
    for raw in response.iter_lines(decode_unicode=True):
        line = raw or ""
        if not line:
            if data:
                text = "\n".join(data)
                try:
                    payload = json.loads(text)
                except ValueError:
                    payload = text
                yield SseMessage(event, event_id, payload)
            event, event_id, data = "message", "", []
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                event = value
            elif name == "id":
                event_id = value
            elif name == "data":
                data.append(value)
