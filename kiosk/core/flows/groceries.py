"""买菜代购: categories -> picture tiles -> cart (each line opened to change it) -> 下单 -> status.

At most four choices on a screen: two tiles, the paging slot and 换一类 on the items screen;
购物车（n 样） sits in the bottom bar. Deleting a line always asks first.
"""

from __future__ import annotations

from dataclasses import replace

from kiosk.core.effects import AnswerSubstitute, ConfirmReceived, FetchCatalog, PlaceOrder
from kiosk.core.events import CatalogLoaded, OrderChanged, Tapped
from kiosk.core.flows.common import Outcome, bar, caption, cart_tool, duty_phone, page, paging_choice, turn_page
from kiosk.core.flows.visitor import require
from kiosk.core.state import KioskState, Question, Rating, ask, go, say, with_data, with_visit
from kiosk.core.view import Choice, Piece, View
from kiosk.state.cart import CartLine, categories, yuan_text
from kiosk.state.orders import (
    OrderSnapshot,
    OrderStage,
    amount_due,
    items_text,
    needs_amount_yes,
    open_substitute,
    order_view,
)

CATEGORIES, ITEMS, CART, LINE, STATUS = "grocery_categories", "grocery_items", "cart", "cart_line", "order_status"
TILES_PER_PAGE = 2
LINES_PER_PAGE = 2
OFFLINE_NOTE = "网络中断，显示的是上次的商品。"


def open_shop(state: KioskState, tap: Tapped) -> Outcome:
    """买菜代购: the categories (the catalog is refreshed meanwhile)."""
    return go(state, CATEGORIES), (FetchCatalog(),)


def loaded(state: KioskState, event: CatalogLoaded) -> Outcome:
    """A fresh catalog (or the cached one when the portal is out of reach)."""
    items = event.items if event.items or event.reachable else state.data.catalog
    return with_data(state, catalog=items, catalog_reachable=event.reachable), ()


def choose_category(state: KioskState, tap: Tapped) -> Outcome:
    """A category tile: its items."""
    return go(with_visit(state, category=tap.arg), ITEMS), ()


def add(state: KioskState, tap: Tapped) -> Outcome:
    """An item tile: one more step of it, said with the whole cart."""
    item = state.data.item(int(tap.arg))
    if item is None:
        return state, ()
    cart = state.visit.cart.add(item)
    state = with_visit(state, cart=cart)
    return say(state, cart.speech), ()


def show_cart(state: KioskState, tap: Tapped) -> Outcome:
    """购物车（n 样）."""
    return go(state, CART), ()


def open_line(state: KioskState, tap: Tapped) -> Outcome:
    """A cart line: 少一点 / 多一点 / 不要了 / 好了."""
    return go(with_visit(state, line=int(tap.arg)), LINE), ()


def change_line(state: KioskState, tap: Tapped) -> Outcome:
    """多一点 / 少一点; the last step away asks before deleting."""
    line = _line(state)
    if line is None:
        return go(state, CART), ()
    if tap.arg == "more":
        return with_visit(state, cart=state.visit.cart.increase(line.item.id)), ()
    if line.quantity - line.item.step < line.item.step - 1e-9:
        return ask_delete(state, tap)
    return with_visit(state, cart=state.visit.cart.decrease(line.item.id)), ()


def ask_delete(state: KioskState, tap: Tapped) -> Outcome:
    """不要了: 确定不要西红柿了吗？."""
    line = _line(state)
    if line is None:
        return go(state, CART), ()
    question = Question("delete_line", f"确定不要{line.item.name}了吗？", on_yes="groceries.delete",
                        on_no="groceries.line", detail=f"购物车里现在有{line.text}{line.item.name}。",
                        yes="是，不要了", no="不，留着", arg=str(line.item.id))
    return ask(state, question), ()


def delete(state: KioskState, tap: Tapped) -> Outcome:
    """The deletion was confirmed."""
    cart = state.visit.cart
    line = next((ln for ln in cart.lines if ln.item.id == int(tap.arg)), None)
    for _ in range(200):
        if line is None or not cart.quantity_of(line.item.id):
            break
        cart = cart.decrease(line.item.id)
    state = go(with_visit(state, cart=cart, line=None), CART)
    return say(state, f"去掉了{line.item.name}。" if line else ""), ()


def checkout(state: KioskState, tap: Tapped) -> Outcome:
    """下单: who is there, then 确定要下单吗？."""
    if state.visit.cart.empty:
        return say(state, "购物车是空的。请先按“继续买菜”挑选。"), ()
    return require(state, "groceries.confirm", purpose="买菜代购")


def confirm(state: KioskState, tap: Tapped) -> Outcome:
    """确定要下单吗？ with the items and the estimate."""
    cart = state.visit.cart
    fen = cart.estimated_fen
    cost = f"按参考价大约 {yuan_text(fen)}。" if fen else ""
    question = Question("confirm_order", "确定要下单吗？", on_yes="groceries.place", on_no="groceries.cart",
                        detail=f"{cart.summary}。{cost}实际花多少钱，志愿者买好后会告诉您。",
                        yes="是，下单", no="不，返回")
    return ask(state, question), ()


def place(state: KioskState, tap: Tapped) -> Outcome:
    """Store the order for the person (finding out who it is first) and follow it."""
    cart = state.visit.cart
    if cart.empty:
        return go(state, CART), ()
    person = state.visit.person
    if person is None:
        return require(state, "groceries.place", purpose="买菜代购")
    summary = cart.summary
    state = with_data(state, order=OrderSnapshot(event_id="", summary=summary), order_since=tap.now)
    state = with_visit(go(state, STATUS), cart=replace(cart, lines=()), task_done=True)
    return state, (PlaceOrder(person.resident_id, tuple(cart.order_items()), summary),)


def order_changed(state: KioskState, event: OrderChanged) -> Outcome:
    """News about the followed order."""
    old = state.data.order
    if old is not None and old.event_id and old.event_id != event.snapshot.event_id:
        return state, ()
    snap = event.snapshot
    if old is not None and old.receipt == "sent":
        snap = replace(snap, receipt="sent")
    return with_data(state, order=snap), ()


def received(state: KioskState, tap: Tapped) -> Outcome:
    """我收到了: a bill far from the estimate is asked about first; then stored durably, then the rating."""
    snap = state.data.order
    if snap is None or not snap.event_id:
        return state, ()
    due = amount_due(snap)
    if due is not None and needs_amount_yes(snap):
        question = Question("confirm_amount", f"这次一共 {yuan_text(due)}，您同意吗？", on_yes="groceries.amount_yes",
                            on_no="groceries.amount_no", yes="同意", no="不同意", arg=str(due),
                            detail=f"{_difference(snap, due)}不同意的话，东西照样收下，工作人员会打电话和您核对。")
        return ask(state, question), ()
    return _receipt(state, snap, ConfirmReceived(snap.event_id))


def amount_yes(state: KioskState, tap: Tapped) -> Outcome:
    """同意 the bill shown: received and agreed, then the rating."""
    snap = state.data.order
    if snap is None or not snap.event_id or not tap.arg.isdigit():
        return state, ()
    return _receipt(state, snap, ConfirmReceived(snap.event_id, amount_fen=int(tap.arg), amount_accepted=True))


def amount_no(state: KioskState, tap: Tapped) -> Outcome:
    """不同意 the bill: the goods are received; the money waits for staff to check with the senior."""
    snap = state.data.order
    if snap is None or not snap.event_id or not tap.arg.isdigit():
        return state, ()
    state, effects = _receipt(state, snap, ConfirmReceived(snap.event_id, amount_fen=int(tap.arg),
                                                           amount_accepted=False))
    return say(go(state, STATUS), "好的，东西算您收到了。金额的事，工作人员会打电话和您核对。"), effects


def _receipt(state: KioskState, snap: OrderSnapshot, effect: ConfirmReceived) -> Outcome:
    state = with_data(state, order=replace(snap, receipt="sent"))
    order_id = (snap.order or {}).get("id")
    if order_id is not None:
        state = go(with_visit(state, rating=Rating("order", int(order_id), snap.event_id)), "rating")
    return state, (effect,)


def _difference(snap: OrderSnapshot, due: int) -> str:
    estimate = (snap.order or {}).get("estimated_total_fen")
    if estimate is None:
        return "有的东西没有参考价。"
    gap = due - int(estimate)
    return f"比参考价{'多' if gap > 0 else '少'} {yuan_text(abs(gap))}。" if gap else ""


def answer_substitute(state: KioskState, tap: Tapped) -> Outcome:
    """要 / 不要 a substitute: shown at once, stored durably."""
    snap = state.data.order
    line_id, _, answer = tap.arg.partition(":")
    if snap is None or not snap.event_id or not line_id.isdigit():
        return state, ()
    keep = answer == "yes"
    snap = replace(snap, answers=(*snap.answers, (int(line_id), keep)))
    state = say(with_data(state, order=snap), "好的，留下了。" if keep else "好的，不要了，志愿者会拿回去退掉。")
    return state, (AnswerSubstitute(snap.event_id, int(line_id), keep),)


def rate(state: KioskState, tap: Tapped) -> Outcome:
    """评价这次代购."""
    snap = state.data.order
    order_id = ((snap.order if snap else None) or {}).get("id")
    if snap is None or order_id is None:
        return state, ()
    return go(with_visit(state, rating=Rating("order", int(order_id), snap.event_id)), "rating"), ()


def _line(state: KioskState) -> CartLine | None:
    return next((ln for ln in state.visit.cart.lines if ln.item.id == state.visit.line), None)


def _note(state: KioskState) -> tuple[Piece, ...]:
    return (Piece("groceries.note", OFFLINE_NOTE, style="note"),) if state.data.catalog_reachable is False else ()


def categories_view(state: KioskState) -> View:
    """One picture tile per category."""
    names = categories(state.data.catalog)
    per_page = 4 if len(names) <= 4 else 3
    shown = page(state, names, per_page)
    pieces = (*caption(state), Piece("groceries.title", "买菜代购：请选一类", style="title"), *_note(state))
    if not names:
        missing = "商品目录还没有下载好" if state.data.catalog_reachable is False else "暂时没有商品"
        pieces += (Piece("groceries.empty", f"{missing}。请稍后再试，或者问工作人员。"),)
    tiles = tuple(_category_tile(state, name) for name in shown.items)
    return View(CATEGORIES, pieces, tiles + paging_choice(CATEGORIES, shown), bar=bar(state, tool=cart_tool(state)))


def _category_tile(state: KioskState, name: str) -> Choice:
    """A category: its name, how many things are in it, the first one's picture."""
    items = [i for i in state.data.catalog if i.category == name]
    picture = next((i.picture_url for i in items if i.picture_url), None)
    return Choice("groceries.category", name, kind="tile", arg=name, lines=(name, f"（{len(items)} 样）"),
                  picture=picture)


def items_view(state: KioskState) -> View:
    """Two item tiles, paging and 换一类; each tile says its price and how much is chosen."""
    items = [i for i in state.data.catalog if i.category == state.visit.category]
    shown = page(state, items, TILES_PER_PAGE)
    tiles = []
    for item in shown.items:
        amount = state.visit.cart.quantity_of(item.id)
        line = next((ln for ln in state.visit.cart.lines if ln.item.id == item.id), None)
        chosen = f"已选 {line.text}" if amount and line else ""
        tiles.append(Choice("groceries.add", item.name, kind="tile", arg=str(item.id), picture=item.picture_url,
                            lines=tuple(t for t in (item.name, item.price_text, chosen) if t), selected=bool(amount)))
    title = f"{state.visit.category}：点一下加一份"
    pieces = (*caption(state), Piece("groceries.title", title, style="title"), *_note(state))
    choices = (*tiles, *paging_choice(ITEMS, shown), Choice("groceries.open", "换一类", style="neutral"))
    return View(ITEMS, pieces, choices, bar=bar(state, tool=cart_tool(state)))


def cart_view(state: KioskState) -> View:
    """The cart's lines as cards (open one to change it), the estimate and 下单."""
    cart = state.visit.cart
    shown = page(state, cart.lines, LINES_PER_PAGE)
    pieces = [*caption(state), Piece("cart.title", "购物车", style="title")]
    if cart.empty:
        pieces.append(Piece("cart.empty", "购物车是空的。请按“继续买菜”挑选。"))
    elif cart.estimated_fen is not None:
        pieces.append(Piece("cart.total", f"按参考价大约 {yuan_text(cart.estimated_fen)}"))
    cards = tuple(Choice("groceries.line", ln.item.name, kind="card", arg=str(ln.item.id),
                         lines=(ln.item.name, ln.text, "点这里改数量")) for ln in shown.items)
    order = () if cart.empty else (Choice("groceries.checkout", "下单", style="confirm"),)
    tool = Choice("groceries.open", "继续买菜", style="neutral")
    return View(CART, tuple(pieces), (*cards, *paging_choice(CART, shown), *order), bar=bar(state, tool=tool))


def line_view(state: KioskState) -> View:
    """One cart line: 少一点 / 多一点 / 不要了 / 好了."""
    line = _line(state)
    if line is None:
        return View(LINE, (Piece("line.title", "这一样已经不在购物车里了", style="title"),), bar=bar(state))
    pieces = (*caption(state), Piece("line.title", line.item.name, style="title"),
              Piece("line.amount", f"现在是 {line.text}", style="panel-info"))
    choices = (Choice("groceries.change", "少一点", style="neutral", arg="less"),
               Choice("groceries.change", "多一点", style="primary", arg="more"),
               Choice("groceries.ask_delete", "不要了", style="emergency"),
               Choice("groceries.cart", "好了", style="confirm"))
    return View(LINE, pieces, choices, bar=bar(state))


def status_view(state: KioskState) -> View:
    """第 n 步，共 5 步 and what is happening; 我收到了 / 评价这次代购."""
    snap = state.data.order or OrderSnapshot(event_id="")
    elapsed = max(snap.elapsed_s, (state.now - state.data.order_since).total_seconds())
    order_id = (snap.order or {}).get("id")
    rated = order_id is not None and ("order", int(order_id)) in state.data.rated
    view = order_view(replace(snap, elapsed_s=elapsed, rated=rated), duty_phone=state.site.duty_phone,
                      offline_after_s=state.site.offline_after_s)
    phone = state.site.duty_phone
    detail = view.detail.replace(f"请拨打值班电话 {phone}。", "")
    pieces: tuple[Piece, ...] = (
        *caption(state), Piece("order.step", view.step_text, style="step"),
        Piece("order.title", view.title, style=f"panel-{view.tone}"),
        Piece("order.items", f"您买的是：{items_text(snap)}" if items_text(snap) else ""),
        Piece("order.detail", detail))
    if view.show_duty_phone:
        pieces += duty_phone(state, STATUS)
    choices = []
    substitute = open_substitute(snap) if view.stage in (OrderStage.BOUGHT, OrderStage.DELIVERED) else None
    if substitute is not None:
        pieces += (Piece("order.substitute", substitute.question, style="panel-warning"),)
        choices += [Choice("groceries.substitute", "不要", style="neutral", arg=f"{substitute.line_id}:no"),
                    Choice("groceries.substitute", "要", style="confirm", arg=f"{substitute.line_id}:yes")]
    if view.can_confirm_receipt:
        choices.append(Choice("groceries.received", "我收到了", style="confirm"))
    if view.can_rate:
        choices.append(Choice("groceries.rate", "评价这次代购", style="confirm"))
    return View(STATUS, pieces, tuple(choices), bar=bar(state))


TAPS = {"home.groceries": open_shop, "groceries.open": open_shop, "groceries.category": choose_category,
        "groceries.add": add, "groceries.cart": show_cart, "groceries.line": open_line,
        "groceries.change": change_line, "groceries.ask_delete": ask_delete, "groceries.delete": delete,
        "groceries.checkout": checkout, "groceries.confirm": confirm, "groceries.place": place,
        "groceries.received": received, "groceries.rate": rate, "groceries.amount_yes": amount_yes,
        "groceries.amount_no": amount_no,
        "groceries.substitute": answer_substitute, f"{CATEGORIES}.page": turn_page,
        f"{ITEMS}.page": turn_page, f"{CART}.page": turn_page}
VIEWS = {CATEGORIES: categories_view, ITEMS: items_view, CART: cart_view, LINE: line_view, STATUS: status_view}
