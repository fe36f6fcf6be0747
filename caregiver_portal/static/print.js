// Print buttons (inline handlers are not allowed by the portal's Content-Security-Policy).
"use strict";

document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
