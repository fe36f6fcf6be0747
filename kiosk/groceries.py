"""买菜代购: catalog (cached for offline use), cart, order, its progress and the receipt.

The catalog comes from ``GET /api/v1/catalog`` on a worker thread and is kept in
``<outbox>.catalog.json`` with its pictures in ``<outbox>.pictures/``, so a kiosk that starts
offline still shows it. An order is stored in the durable outbox before anything is sent
(:meth:`kiosk.community.CommunityApi.place_order`) and followed by an :class:`OrderTracker`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from kiosk.pictures import PictureCache
from kiosk.portal import is_unreachable
from kiosk.state.cart import Cart, CatalogItem, parse_catalog, yuan_text, yuan_words
from kiosk.state.orders import OrderSnapshot, OrderView, order_view
from kiosk.store import JsonStore
from kiosk.workers import PollingWorker, kivy_ui_call, run_in_background

if TYPE_CHECKING:
    from kiosk.app import KioskApp

logger = logging.getLogger(__name__)
FINAL_ORDER_STATES = ("received", "cancelled")


class GroceryDesk:
    """The grocery service of the kiosk."""

    def __init__(self, app: KioskApp, *, pictures: PictureCache | None = None) -> None:
        """Load the cached catalog."""
        self.app = app
        config = app.config_obj
        self.store = JsonStore(config.data_path("catalog.json"))
        self.catalog: tuple[CatalogItem, ...] = parse_catalog(self.store.data or [])
        self.pictures = pictures or PictureCache(config.data_path("pictures"), app.client.fetch_static)
        self.reachable: bool | None = None
        self.cart = Cart()
        self.category = ""
        self.tracker: OrderTracker | None = None

    # ---- catalog ---------------------------------------------------------------------------------
    def refresh_catalog(self) -> None:
        """Fetch the catalog and missing pictures in the background."""
        run_in_background("kiosk-catalog", self._fetch_catalog, self._catalog_fetched, ui_call=kivy_ui_call)

    def _fetch_catalog(self) -> list[dict[str, Any]] | None:
        try:
            rows = self.app.community.catalog()
        except Exception as exc:
            if not is_unreachable(exc):
                logger.exception("catalog")
            return None
        rows = [row for row in rows if isinstance(row, Mapping)]  # the portal may send garbage
        self.pictures.fetch_missing([item.picture_url or "" for item in parse_catalog(rows)])
        return rows

    def _catalog_fetched(self, rows: list[dict[str, Any]] | None) -> None:
        self.reachable = rows is not None
        if rows is not None:
            self.store.save(rows, datetime.now(UTC))
            self.catalog = parse_catalog(rows)
            self.app.catalog_changed()
        if self.app.screens.current in ("grocery_categories", "grocery_items", "cart"):
            self.app.current_screen.refresh()

    def item(self, item_id: int) -> CatalogItem | None:
        """A catalog item by id."""
        return next((i for i in self.catalog if i.id == item_id), None)

    def items_in(self, category: str) -> list[CatalogItem]:
        """The items of one category, in catalog order."""
        return [i for i in self.catalog if i.category == category]

    # ---- browsing and the cart -----------------------------------------------------------------
    def open(self) -> None:
        """买菜代购 from the home screen: the categories (the catalog refreshes meanwhile)."""
        self.refresh_catalog()
        self.app.go("grocery_categories")

    def choose_category(self, category: str) -> None:
        """Show one category's tiles."""
        self.category = category
        self.app.screen("grocery_items").start(category)
        self.app.go("grocery_items")

    def add(self, item_id: int) -> None:
        """A tile was tapped: one more step of that item."""
        item = self.item(item_id)
        if item is None:
            return
        self.cart = self.cart.add(item)
        self._cart_changed()
        line = next(ln for ln in self.cart.lines if ln.item.id == item_id)
        self.app.current_screen.refresh()
        self.app.speak(f"{item.name}，现在是{line.spoken.removesuffix(item.name)}。{self.cart.speech}")

    def change(self, item_id: int, more: bool) -> None:
        """+ / − on the cart screen."""
        self.cart = self.cart.increase(item_id) if more else self.cart.decrease(item_id)
        self._cart_changed()
        self.app.current_screen.refresh()
        line = next((ln for ln in self.cart.lines if ln.item.id == item_id), None)
        item = self.item(item_id)
        said = f"{line.spoken}。" if line else f"去掉了{item.name if item else ''}。"
        self.app.speak(said + self.cart.speech)

    def forget(self) -> None:
        """The visit ended: an empty cart, no category, no order followed on screen."""
        self.cart = Cart()
        self.category = ""
        self._cart_changed()
        self.stop_tracking()
        self.tracker = None

    def show_cart(self) -> None:
        """The cart screen (it reads itself aloud)."""
        self.app.go("cart")

    def _cart_changed(self) -> None:
        if self.app.voice is not None:
            self.app.voice.cart_changed(self.cart.dialog_items())

    def set_spoken(self, items: Sequence[Mapping[str, Any]]) -> None:
        """The cart becomes the voice dialog's items (``name``, ``quantity``, ``unit``).

        The dialog starts from the cart (it is told of every touch change), so this only drops
        what the person took back by voice ("不对") — what is sent is what was read back.
        """
        by_name = {i.name: i for i in self.catalog}
        wanted = [(by_name[str(x["name"])], x.get("quantity"), x.get("unit")) for x in items
                  if str(x.get("name")) in by_name]
        self.cart = Cart().merged(wanted)

    # ---- ordering --------------------------------------------------------------------------------
    def checkout(self) -> None:
        """下单: who is there, then "确定要下单吗？"."""
        if self.cart.empty:
            self.app.speak("购物车是空的。请先点商品图片。")
            return
        self.app.visitors.require("买菜代购", self._confirm)

    def _confirm(self) -> None:
        fen = self.cart.estimated_fen
        cost, said = (f"按参考价大约 {yuan_text(fen)}。", f"按参考价大约{yuan_words(fen)}。") if fen else ("", "")
        tail = "实际花多少钱，志愿者买好后会告诉您。"
        self.app.confirm(question="确定要下单吗？", detail=f"{self.cart.summary}。{cost}{tail}",
                         spoken_detail=f"{self.cart.summary}。{said}{tail}",
                         yes="是，下单", no="不，返回", on_yes=self.place, on_no=self.show_cart)

    def submit_spoken(self, items: Sequence[Mapping[str, Any]]) -> bool:
        """A spoken, read-back and confirmed order: place it now, or after finding out who is there.

        Returns True when the order was placed at once.
        """
        self.set_spoken(items)
        self._cart_changed()
        if self.app.visitors.visitor is not None:
            self.place()
            return True
        self.app.visitors.require("买菜代购", self.place)
        return False

    def place(self) -> None:
        """Store the order durably, note it in 我的请求, empty the cart and follow the order."""
        if self.cart.empty:
            return
        visitor = self.app.visitors.visitor
        summary = self.cart.summary
        event_id = self.app.community.place_order(resident_id=visitor.resident_id if visitor else None,
                                                  items=self.cart.order_items())
        logger.info("order saved as event %s", event_id)
        self.app.my_requests.note("order", event_id, summary)
        self.app.task_done()
        self.cart = Cart()
        self._cart_changed()
        self.track(event_id, summary)

    # ---- following an order ------------------------------------------------------------------------
    def track(self, event_id: str, summary: str) -> None:
        """Show an order's progress and keep it fresh while the screen is shown."""
        self.stop_tracking()
        self.tracker = OrderTracker(app=self.app, event_id=event_id, summary=summary, on_update=self._on_order)
        self.tracker.start()
        self.app.screen("order_status").show(self.view())
        self.app.go("order_status")

    def stop_tracking(self) -> None:
        """The status screen was left."""
        if self.tracker is not None:
            self.tracker.stop()

    def ensure_tracking(self) -> None:
        """Back on the status screen (e.g. after the idle warning): follow the order again."""
        old = self.tracker
        if old is not None and not old.running:
            self.tracker = OrderTracker(app=self.app, event_id=old.event_id, summary=old.snapshot.summary,
                                        on_update=self._on_order, initial=old.snapshot)
            self.tracker.start()

    def view(self) -> OrderView | None:
        """The followed order's view."""
        if self.tracker is None:
            return None
        snap = self.tracker.snapshot
        snap = replace(snap, rated=self.app.my_requests.is_rated("order", (snap.order or {}).get("id")))
        return order_view(snap, duty_phone=self.app.config_obj.duty_phone,
                          offline_after_s=self.app.config_obj.offline_after_s)

    def tick(self) -> None:
        """Every second on the status screen: time moves an unsent order to "offline"."""
        screen = self.app.screen("order_status")
        if screen.show(self.view()):
            self.app.speak(screen.speech_text())

    def _on_order(self, snap: OrderSnapshot) -> None:
        order = snap.order or {}
        if order:
            self.app.my_requests.update(snap.event_id, state=str(order.get("state")),
                                        detail=str(order.get("state_label") or ""), target_id=order.get("id"))
        screen = self.app.screen("order_status")
        if screen.show(self.view()) and self.app.screens.current == "order_status":
            self.app.speak(screen.speech_text())

    def confirm_receipt(self) -> None:
        """我收到了: stored durably; then the rating."""
        tracker = self.tracker
        if tracker is None:
            return
        self.app.community.confirm_received(tracker.event_id)
        tracker.receipt_sent()
        order_id = (tracker.snapshot.order or {}).get("id")
        self.app.my_requests.update(tracker.event_id, state="received", detail="老人已确认收货")
        if order_id is not None:
            self.app.my_requests.start_rating("order", int(order_id), record_event_id=tracker.event_id)

    def rate_order(self) -> None:
        """评价这次代购 on the status screen."""
        if self.tracker is not None and (self.tracker.snapshot.order or {}).get("id") is not None:
            order_id = int((self.tracker.snapshot.order or {})["id"])
            self.app.my_requests.start_rating("order", order_id, record_event_id=self.tracker.event_id)


class OrderTracker:
    """Polls one order (outbox state and ``GET /orders/by-event``) on a worker thread."""

    def __init__(self, *, app: KioskApp, event_id: str, summary: str,
                 on_update: Callable[[OrderSnapshot], None], now: Callable[[], float] = time.monotonic,
                 initial: OrderSnapshot | None = None) -> None:
        """``on_update`` runs on the UI thread; ``initial``: what an earlier tracker knew."""
        self.event_id = event_id
        self._community = app.community
        self._now = now
        self._started = now()
        self._lock = threading.Lock()
        self._snap = initial or OrderSnapshot(event_id=event_id, summary=summary)
        self._worker: PollingWorker[OrderSnapshot] = PollingWorker(
            name="kiosk-order", fetch=self._step, deliver=lambda _s: on_update(self.snapshot),
            interval_s=app.config_obj.poll_interval_s,
            done=lambda s: str((s.order or {}).get("state")) in FINAL_ORDER_STATES)

    @property
    def snapshot(self) -> OrderSnapshot:
        """Latest facts, with the time since the order was placed (or opened)."""
        with self._lock:
            return replace(self._snap, elapsed_s=self._now() - self._started)

    def start(self) -> None:
        """Start polling."""
        self._worker.start()

    def stop(self) -> None:
        """Stop polling."""
        self._worker.stop()

    @property
    def running(self) -> bool:
        """True while polling."""
        return self._worker.running

    def receipt_sent(self) -> None:
        """我收到了 was stored: show it at once."""
        with self._lock:
            self._snap = replace(self._snap, receipt="sent")
        self._worker.wake()

    def _step(self) -> OrderSnapshot:
        outcome = self._community.outcome(self.event_id)
        order: Mapping[str, Any] | None = None
        reachable: bool | None = None
        try:
            order = self._community.order(self.event_id)
            reachable = True
        except Exception as exc:
            if not is_unreachable(exc):
                logger.exception("order %s", self.event_id)
            reachable = False
        with self._lock:
            known = order or self._snap.order
            self._snap = replace(self._snap, outbox=outcome.state, order=known, reachable=reachable)
            return self._snap
