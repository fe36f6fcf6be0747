// Live roll-call list: follows /roll-calls/<id>/events (server-sent events) and re-fetches the list on change.
"use strict";

(function () {
  const page = document.getElementById("roll-call");
  if (!page) return;
  const id = page.dataset.rollCallId;
  const holder = document.getElementById("roll-call-list");
  const status = document.getElementById("live-status");
  let fetching = null;

  async function refresh() {
    if (fetching) return fetching;
    fetching = (async () => {
      try {
        const response = await fetch("/roll-calls/" + id + "/list", { credentials: "same-origin" });
        if (response.ok) holder.innerHTML = await response.text();
      } finally {
        fetching = null;
      }
    })();
    return fetching;
  }

  const source = new EventSource("/roll-calls/" + id + "/events");
  source.addEventListener("ready", () => {
    status.textContent = "正在实时更新";
    page.dataset.live = "true";
    refresh();
  });
  source.addEventListener("roll_call", (event) => {
    const data = JSON.parse(event.data);
    if (String(data.roll_call_id) === id) refresh();
  });
  source.addEventListener("error", () => {
    status.textContent = "连接中断，正在重新连接…";
    page.dataset.live = "false";
  });
})();
