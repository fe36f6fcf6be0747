// Receipt photos: shrink a phone photo in the browser before upload (the portal takes at most ~1 MB).
"use strict";

(function () {
  const MAX_BYTES = 600 * 1024;

  async function shrink(file, maxSide) {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    for (const quality of [0.8, 0.6, 0.45]) {
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
      if (blob && blob.size <= MAX_BYTES) return new File([blob], "receipt.jpg", { type: "image/jpeg" });
    }
    return null;
  }

  document.querySelectorAll("input[type=file][data-shrink]").forEach((input) => {
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file || file.size <= MAX_BYTES) return;
      const form = input.form;
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        const smaller = await shrink(file, Number(input.dataset.shrink) || 1600);
        if (smaller) {
          const transfer = new DataTransfer();
          transfer.items.add(smaller);
          input.files = transfer.files;
        }
      } catch (error) {
        // Keep the original file; the portal explains if it is too large.
      } finally {
        button.disabled = false;
      }
    });
  });
})();
