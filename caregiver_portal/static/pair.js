// Pairing page: polls the bands the bridge hears that are not registered and lights up the one just pressed
// (it is selected, and its type chosen). Works without this script too: the list is then drawn once.
"use strict";

(() => {
  const list = document.getElementById("unknown-bands");
  if (!list) return;
  const empty = document.getElementById("unknown-empty");
  const live = document.getElementById("pair-live");
  const scheme = document.getElementById("scheme");
  const litMs = Number(list.dataset.litSeconds || 15) * 1000;
  const seenPress = new Map();  // address -> pressed_at already shown
  const litUntil = new Map();   // address -> time (ms) the light goes out
  let first = true;

  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const chosen = () => {
    const input = list.querySelector("input[name=address]:checked");
    return input ? input.value : null;
  };

  const choose = (address, kind) => {
    const input = list.querySelector(`input[name=address][value="${CSS.escape(address)}"]`);
    if (input) input.checked = true;
    if (kind && scheme) scheme.value = kind;
  };

  const item = (band, checked, lit) => {
    const li = el("li", "band-choice");
    li.dataset.address = band.address;
    li.dataset.kind = band.kind;
    li.dataset.pressedAt = band.pressed_at || "";
    li.dataset.lit = lit ? "true" : "false";
    const label = el("label", "choice");
    const input = el("input");
    input.type = "radio";
    input.name = "address";
    input.value = band.address;
    input.checked = checked;
    input.addEventListener("change", () => { if (scheme) scheme.value = band.kind; });
    const text = el("span", "band-text");
    text.append(el("span", "band-name", band.name || band.kind_label),
      el("span", "small band-address", `${band.address} · ${band.kind_label}`),
      el("span", "small band-signal", `信号${band.signal}` + (band.rssi === null ? "" : `（${band.rssi} dBm）`)),
      el("span", "lit-badge", "刚刚按过"));
    label.append(input, text);
    li.append(label);
    return li;
  };

  const draw = (bands) => {
    const now = Date.now();
    let pressed = null;
    for (const band of bands) {
      const before = seenPress.get(band.address);
      if (band.pressed_at && band.pressed_at !== before && (!first || band.lit)) {
        if (!pressed) pressed = band;
        litUntil.set(band.address, now + litMs);
      }
      if (band.pressed_at) seenPress.set(band.address, band.pressed_at);
    }
    const keep = chosen();
    list.replaceChildren(...bands.map((band) => item(band, band.address === keep,
      (litUntil.get(band.address) || 0) > now)));
    if (pressed) {
      choose(pressed.address, pressed.kind);
      live.textContent = `刚刚按下的是：${pressed.name || pressed.kind_label}（${pressed.address}），已选中`;
      live.hidden = false;
    }
    empty.hidden = bands.length > 0;
    first = false;
  };

  const poll = async () => {
    try {
      const answer = await fetch(list.dataset.poll, { credentials: "same-origin", cache: "no-store" });
      if (answer.ok) draw((await answer.json()).bands);
    } catch (error) {
      // The next poll tries again (the portal restarting, a phone losing its network for a moment).
    }
    window.setTimeout(poll, 1000);
  };
  poll();
})();
