// Live alert board: follows /board/events (server-sent events) and keeps the cards current.
"use strict";

(function () {
  const board = document.getElementById("board");
  if (!board) return;
  const list = document.getElementById("alert-list");
  const empty = document.getElementById("empty-board");
  const status = document.getElementById("live-status");
  const sound = document.getElementById("alert-sound");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  function priority(card) {
    const open = card.dataset.state === "open" ? 0 : 1;
    const emergency = card.dataset.emergency === "true" ? 0 : 1;
    return [open, emergency, card.dataset.occurredAt];
  }

  function compare(a, b) {
    const pa = priority(a), pb = priority(b);
    for (let i = 0; i < pa.length; i++) {
      if (pa[i] < pb[i]) return -1;
      if (pa[i] > pb[i]) return 1;
    }
    return 0;
  }

  function sortCards() {
    const cards = Array.from(list.children).sort(compare);
    cards.forEach((card) => list.appendChild(card));
    empty.hidden = cards.length > 0;
  }

  function notify(card) {
    if (card.dataset.state !== "open") return;
    if (sound) sound.play().catch(() => {});
    if ("Notification" in window && Notification.permission === "granted") {
      const text = card.querySelector(".kind").textContent + " · " + card.querySelector(".place").textContent;
      new Notification("安心：新报警", { body: text });
    }
  }

  async function refreshCard(alertId, ringsAgain) {
    const response = await fetch("/board/alerts/" + alertId + "/card", { credentials: "same-origin" });
    const old = list.querySelector('[data-alert-id="' + alertId + '"]');
    if (!response.ok) {
      if (old) old.remove();
      sortCards();
      return;
    }
    const holder = document.createElement("ul");
    holder.innerHTML = (await response.text()).trim();
    const card = holder.firstElementChild;
    const finished = card.dataset.state === "resolved" || card.dataset.state === "cancelled";
    if (old) old.replaceWith(card);
    else if (!finished) list.appendChild(card);
    if (finished) card.remove();
    else if (ringsAgain) notify(card);
    sortCards();
  }

  list.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.js-action");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    const response = await fetch(form.action, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "X-Requested-With": "fetch" },
    });
    const card = form.closest("[data-alert-id]");
    if (!response.ok) button.disabled = false;
    await refreshCard(card.dataset.alertId, false);
  });

  function tickWaited() {
    const now = Date.now();
    document.querySelectorAll(".waited[data-since]").forEach((el) => {
      const seconds = Math.max(0, Math.floor((now - Date.parse(el.dataset.since)) / 1000));
      const minutes = Math.floor(seconds / 60);
      el.textContent = "已等待 " + (minutes ? minutes + " 分 " + (seconds % 60) + " 秒" : seconds + " 秒");
    });
  }
  setInterval(tickWaited, 1000);

  const source = new EventSource(board.dataset.eventsUrl);
  source.addEventListener("ready", () => { status.textContent = "实时"; board.dataset.live = "true"; });
  source.addEventListener("alert", (event) => {
    const data = JSON.parse(event.data);
    // A new alert rings; so does every escalation step of one still not accepted (a latching alarm).
    refreshCard(data.alert_id, data.type === "raised" || data.type === "escalated");
  });
  source.addEventListener("error", () => { status.textContent = "重新连接中…"; board.dataset.live = "false"; });

  if ("Notification" in window && Notification.permission === "default") {
    document.addEventListener("click", () => Notification.requestPermission(), { once: true });
  }
})();
