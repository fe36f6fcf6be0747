"""The community device API in memory, for FakePortal: catalog, orders, activities, residents, ratings.

Mirrors the portal's answers (caregiver_portal/community/schemas.py) closely enough for the
screens; the flows are also tested against the real portal (test_kiosk_services_live.py).
"""

from __future__ import annotations

import copy
import re
import threading
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import assets

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)  # a Wednesday morning
STATIC = assets.path("pictures")
CATALOG = [
    # name, category, unit, price (fen), picture
    ("西红柿", "蔬菜", "斤", 400, "1f345.svg"), ("土豆", "蔬菜", "斤", 250, "1f954.svg"),
    ("大白菜", "蔬菜", "棵", 500, "1f96c.svg"), ("黄瓜", "蔬菜", "斤", 350, "1f952.svg"),
    ("胡萝卜", "蔬菜", "斤", 300, "1f955.svg"), ("鸡蛋", "肉蛋", "斤", 550, "1f95a.svg"),
    ("猪肉", "肉蛋", "斤", 1500, "1f969.svg"), ("大米", "粮油", "袋", 3500, "1f35a.svg"),
    ("食用油", "粮油", "桶", 6000, "1fad7.svg"), ("卫生纸", "日用", "提", 2500, "1f9fb.svg"),
]
ACTIVITIES = [
    # id, title, days ahead, hour, minute, place, capacity, confirmed
    (1, "社区义诊", 3, 9, 0, "社区服务中心一楼大厅", 20, 2),
    (2, "健康讲座：冬季防跌倒", 1, 14, 30, "社区服务中心二楼活动室", 30, 0),
    (3, "书法班", 6, 9, 30, "老年活动室", 2, 2),
]
ORDER_LABELS = {"submitted": "待认领", "claimed": "已认领，采购中", "bought": "已买好，配送中",
                "delivered": "已送达，待老人确认", "received": "老人已确认收货", "cancelled": "已取消"}
RESIDENTS = {"0201": {"id": 1, "polite_name": "王阿姨", "room": "3号楼201"},
             "0502": {"id": 2, "polite_name": "李叔叔", "room": "3号楼502"}}


class FakeCommunity:
    """In-memory community API; durable posts wait while ``reachable`` is False."""

    reachable: bool
    _lock: threading.Lock

    def init_community(self) -> None:
        """Set up the demo data."""
        self.catalog_rows = [{"id": i, "name": n, "category": c, "unit": u, "usual_price_fen": p, "synonyms": [],
                         "picture_url": f"/static/catalog/{pic}"} for i, (n, c, u, p, pic) in enumerate(CATALOG, 1)]
        self.activity_rows = [
            {"id": i, "title": t, "category": "其他", "description": f"{t}：欢迎参加。", "place": place,
             "starts_at": (NOW + timedelta(days=d)).replace(hour=h, minute=m).isoformat(),
             "ends_at": (NOW + timedelta(days=d, hours=2)).isoformat(), "capacity": cap, "confirmed": conf,
             "waitlisted": 0, "spots_left": max(0, cap - conf), "cancelled": False}
            for i, t, d, h, m, place, cap, conf in ACTIVITIES]
        self.residents = dict(RESIDENTS)
        self.greet_by_id = False
        self.nearby: list[dict[str, Any]] = []
        self.posts: list[dict[str, Any]] = []  # every durable POST, in order
        self.answers: dict[str, dict[str, Any]] = {}  # event id -> the portal's answer once delivered
        self.orders: dict[str, dict[str, Any]] = {}
        self.signups: dict[int, list[dict[str, Any]]] = {}
        self.ratings: list[dict[str, Any]] = []
        self.static_fetches = 0
        self.phone_requests_rows: list[dict[str, Any]] = []  # what the desk recorded (电话代录)

    # ---- the client surface the kiosk uses --------------------------------------------------------
    def get_json(self, path: str) -> Any:
        """GET of the device API (None for 404); raises when unreachable."""
        self._check()  # type: ignore[attr-defined]
        with self._lock:
            return self._route_get(path)

    def submit(self, path: str, body: dict[str, Any], *, event_id: str | None = None, urgent: bool = True) -> str:
        """Store a POST in the 'outbox'; delivered at once when reachable."""
        event_id = event_id or uuid.uuid4().hex
        with self._lock:
            if not any(p["event_id"] == event_id for p in self.posts):
                self.posts.append({"event_id": event_id, "path": path, "body": dict(body), "urgent": urgent})
        self.flush()  # type: ignore[attr-defined]
        return event_id

    def post_now(self, path: str, body: Any) -> Any:
        """The kiosk posts nothing directly (only through the outbox)."""
        raise AssertionError(f"unexpected direct POST {path}")

    def outbox_state(self, event_id: str) -> str | None:
        """pending / delivered / None (this fake never rejects)."""
        with self._lock:
            if event_id in self.answers:
                return "delivered"
            return "pending" if any(p["event_id"] == event_id for p in self.posts) else None

    def nearby_bands(self, *, within_s: int = 30, limit: int = 10) -> list[dict[str, Any]]:
        """Bands near the kiosk, strongest first."""
        self._check()  # type: ignore[attr-defined]
        return list(self.nearby[:limit])

    def fetch_static(self, path: str) -> bytes:
        """Item pictures from the portal's static folder on disk."""
        self._check()  # type: ignore[attr-defined]
        self.static_fetches += 1
        return (STATIC / path.removeprefix("/static/")).read_bytes()

    # ---- test controls -------------------------------------------------------------------------------
    def deliver_community(self) -> None:
        """Deliver pending posts (called by FakePortal.flush under its lock)."""
        for post in self.posts:
            if post["event_id"] not in self.answers:
                self.answers[post["event_id"]] = self._route_post(post["path"], post["body"])

    def set_order(self, event_id: str, state: str, **fields: Any) -> None:
        """A volunteer moved an order on (claimed_by, amount_paid_fen …)."""
        with self._lock:
            self.orders[event_id].update(state=state, state_label=ORDER_LABELS[state], **fields)

    # ---- routing ---------------------------------------------------------------------------------------
    def _route_get(self, path: str) -> Any:
        if path == "/api/v1/catalog":
            return copy.deepcopy(self.catalog_rows)  # as JSON would carry it, garbage included
        if path == "/api/v1/activities":
            return copy.deepcopy(sorted(self.activity_rows, key=_starts_at))
        if match := re.fullmatch(r"/api/v1/residents/lookup\?code=(\w+)", path):
            return self.residents.get(match.group(1))
        if match := re.fullmatch(r"/api/v1/residents/(\d+)/activities", path):
            return [dict(s) for s in self.signups.get(int(match.group(1)), []) if s["state"] != "cancelled"]
        if match := re.fullmatch(r"/api/v1/residents/(\d+)/phone-requests", path):
            return {"requests": [dict(r) for r in self.phone_requests_rows if r["resident"] == int(match.group(1))]}
        if match := re.fullmatch(r"/api/v1/residents/(\d+)", path):
            found = [r for r in self.residents.values() if r["id"] == int(match.group(1))]
            return dict(found[0]) if found and self.greet_by_id else None
        if match := re.fullmatch(r"/api/v1/orders/by-event/([\w.:-]+)", path):
            order = self.orders.get(match.group(1))
            return dict(order) if order else None
        return None

    def _route_post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if path == "/api/v1/orders":
            by_id = {i["id"]: i for i in self.catalog_rows}
            items = [{"item_id": x["item_id"], "name": by_id[x["item_id"]]["name"], "quantity": x["quantity"],
                      "unit": x["unit"]} for x in body["items"]]
            order = {"id": 500 + len(self.orders), "state": "submitted", "state_label": "待认领",
                     "resident_id": body.get("resident_id"), "items": items, "claimed_by": None,
                     "amount_paid_fen": None}
            self.orders[body["event_id"]] = order
            return dict(order)
        if match := re.fullmatch(r"/api/v1/orders/by-event/([\w.:-]+)/confirm-received", path):
            order = self.orders[match.group(1)]
            order.update(state="received", state_label=ORDER_LABELS["received"])
            if body.get("amount_accepted"):
                order["amount_confirmed"] = True
            order["amount_answer"] = body.get("amount_accepted")
            return dict(order)
        if match := re.fullmatch(r"/api/v1/orders/by-event/([\w.:-]+)/substitutes", path):
            order = self.orders[match.group(1)]
            for item in order["items"]:
                if item.get("line_id") == body["line_id"] and not item.get("substitute_answer"):
                    item["substitute_answer"] = "accepted" if body["accept"] else "declined"
                    if not body["accept"]:
                        order["amount_due_fen"] -= item.get("substitute_price_fen") or 0
            return dict(order)
        if match := re.fullmatch(r"/api/v1/activities/(\d+)/signups(/cancel)?", path):
            return self._signup(int(match.group(1)), body["resident_id"], cancel=bool(match.group(2)))
        if path == "/api/v1/ratings":
            self.ratings.append(dict(body))
            return {"id": len(self.ratings), "duplicate": False, **body}
        raise AssertionError(f"unexpected POST {path}")

    def _signup(self, activity_id: int, resident_id: int, *, cancel: bool) -> dict[str, Any]:
        activity = next(a for a in self.activity_rows if a["id"] == activity_id)
        mine = self.signups.setdefault(resident_id, [])
        current = next((s for s in mine if s["activity_id"] == activity_id and s["state"] != "cancelled"), None)
        if cancel:
            if current is not None:
                current["state"] = "cancelled"
                if activity["confirmed"] > 0:
                    activity["confirmed"] -= 1
                    activity["spots_left"] = activity["capacity"] - activity["confirmed"]
            return dict(current or {"activity_id": activity_id, "state": "cancelled"})
        if current is not None:
            return dict(current)
        room = activity["confirmed"] < activity["capacity"]
        signup = {"id": len(mine) + 1, "activity_id": activity_id, "activity_title": activity["title"],
                  "starts_at": activity["starts_at"], "place": activity["place"], "resident_id": resident_id,
                  "state": "confirmed" if room else "waitlisted", "waitlist_position": None if room else 1,
                  "checked_in": False}
        if room:
            activity["confirmed"] += 1
            activity["spots_left"] = activity["capacity"] - activity["confirmed"]
        mine.append(signup)
        return dict(signup)


def _starts_at(activity: Any) -> str:
    """Sort key of an activity as the portal orders them (garbage last)."""
    return str(activity.get("starts_at")) if isinstance(activity, dict) else "~"
