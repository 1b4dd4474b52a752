// A light PDF preview for phones and desktops: each page drawn to a canvas at the container's
// width when it scrolls into view (PDF.js, no scripting, no eval).

import * as pdfjsLib from "/static/vendor/pdfjs/pdf.min.mjs";

pdfjsLib.GlobalWorkerOptions.workerSrc = "/static/vendor/pdfjs/pdf.worker.min.mjs";

const MAX_PAGES = 60;

/** Show the PDF at ``url`` in ``container``, one canvas per page (at most MAX_PAGES). */
export async function showPdf(container, url) {
  const data = new Uint8Array(await (await fetch(url, { credentials: "same-origin" })).arrayBuffer());
  const pdf = await pdfjsLib.getDocument({ data, isEvalSupported: false, enableXfa: false }).promise;
  container.replaceChildren();
  const pages = Math.min(pdf.numPages, MAX_PAGES);
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      drawPage(pdf, Number(entry.target.dataset.page), entry.target);
    }
  }, { rootMargin: "400px" });
  for (let number = 1; number <= pages; number += 1) {
    const canvas = document.createElement("canvas");
    canvas.className = "pdf-page";
    canvas.dataset.page = String(number);
    canvas.style.aspectRatio = "1 / 1.414";
    container.append(canvas);
    observer.observe(canvas);
  }
  return pdf;
}

async function drawPage(pdf, number, canvas) {
  const page = await pdf.getPage(number);
  const width = canvas.parentElement.clientWidth || 600;
  const viewport = page.getViewport({ scale: width / page.getViewport({ scale: 1 }).width });
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.aspectRatio = `${viewport.width} / ${viewport.height}`;
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  await page.render({ canvasContext: context, viewport }).promise;
  canvas.dataset.drawn = "true";
}
