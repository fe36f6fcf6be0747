// Live volunteers' queue: follows /queue/events (server-sent events) and re-reads the queue on each change.
"use strict";

(function () {
  const root = document.getElementById("order-queue");
  if (!root) return;
  const status = document.getElementById("queue-live");
  const news = document.getElementById("queue-news");
  let busy = false;
  let again = false;

  async function reload(message) {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const response = await fetch(window.location.pathname, { credentials: "same-origin",
                                                               headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("order-queue");
      if (fresh) root.innerHTML = fresh.innerHTML;
      if (message && news) news.textContent = message;
    } finally {
      busy = false;
      if (again) { again = false; reload(""); }
    }
  }

  const source = new EventSource(root.dataset.eventsUrl);
  source.addEventListener("ready", () => {
    root.dataset.live = "true";
    if (status) status.textContent = "实时";
  });
  source.addEventListener("error", () => {
    root.dataset.live = "false";
    if (status) status.textContent = "重新连接中…";
  });
  source.addEventListener("queue", (event) => {
    const change = JSON.parse(event.data);
    let message = "";
    if (change.type === "placed") message = "新代购单 #" + change.id;
    else if (change.type === "signed_up") message = "新的活动报名";
    reload(message);
  });
})();
