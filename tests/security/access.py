"""Helpers for the route x role access test: actors, route enumeration, outcome classification."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

USER_ACTORS = {"volunteer": ("volunteer1", "anxin-demo"), "caregiver": ("caregiver1", "anxin-demo"),
               "admin": ("admin", "anxin-admin")}
ACTORS = ("anonymous", "volunteer", "caregiver", "admin", "kiosk", "bridge", "revoked")


@dataclass(frozen=True)
class Route:
    """One method + path of the app."""

    method: str
    path: str

    def concrete_path(self) -> str:
        """The path with every parameter filled with 1 (rows with id 1 exist in the seeded data)."""
        return re.sub(r"\{[^}]+\}", "1", self.path)


def app_routes(app: FastAPI) -> Iterator[Route]:
    """Every (method, path) served by the app's routers (FastAPI includes routers lazily)."""

    def walk(routes: list[object], prefix: str) -> Iterator[Route]:
        for route in routes:
            if isinstance(route, APIRoute):
                for method in sorted(route.methods - {"HEAD"}):
                    yield Route(method, prefix + route.path)
            elif hasattr(route, "original_router"):
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)  # type: ignore[attr-defined]

    yield from walk(app.router.routes, "")


def sign_in(client: TestClient, username: str, password: str) -> str:
    """Sign ``client`` in through the form; returns the session's CSRF token."""
    page = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": csrf,
                                           "next": "/board"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    board = client.get("/board").text
    return re.search(r'name="csrf-token" content="([^"]+)"', board).group(1)  # type: ignore[union-attr]


def denied(status: int, location: str | None) -> bool:
    """True when the answer refuses access: 401, 403, or a redirect to the sign-in page."""
    return status in (401, 403) or (status in (302, 303, 307) and (location or "").startswith("/login"))


def query_parameters(app: FastAPI) -> Iterator[tuple[Route, list[str]]]:
    """Every GET route that takes query parameters, with their names."""

    def walk(routes: list[object], prefix: str) -> Iterator[tuple[Route, list[str]]]:
        for route in routes:
            if isinstance(route, APIRoute) and "GET" in route.methods:
                names = [param.alias for param in route.dependant.query_params]
                for dependency in route.dependant.dependencies:
                    names += [param.alias for param in dependency.query_params]
                if names:
                    yield Route("GET", prefix + route.path), sorted(set(names))
            elif hasattr(route, "original_router"):
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)  # type: ignore[attr-defined]

    yield from walk(app.router.routes, "")
