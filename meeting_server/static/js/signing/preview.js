// A PDF preview that reads on a phone: every page drawn at the preview's full width, one under
// the other, so a signer scrolls through the whole document (PDF.js, no scripting, no eval).
// A page is drawn as it nears the screen and let go when far away, so a long document keeps
// only a few canvases in memory; a new width (turning the phone) draws them again.

import * as pdfjsLib from "/static/vendor/pdfjs/pdf.min.mjs";

pdfjsLib.GlobalWorkerOptions.workerSrc = "/static/vendor/pdfjs/pdf.worker.min.mjs";

const MAX_PAGES = 300;
const NEAR = "800px 0px"; // draw this far ahead of the screen
const SHARPNESS = [2, 3]; // device pixels per CSS pixel, at least and at most (pinch-zoom stays legible)

/**
 * Show the PDF at ``url`` in ``container``, one canvas per page (at most MAX_PAGES).
 *
 * ``labels.page`` captions each page ("{page}", "{pages}"); ``labels.more`` is shown when the
 * document has more pages than the preview ("{shown}", "{pages}").
 */
export async function showPdf(container, url, labels = {}) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const data = new Uint8Array(await response.arrayBuffer());
  const pdf = await pdfjsLib.getDocument({ data, isEvalSupported: false, enableXfa: false }).promise;
  const pages = Math.min(pdf.numPages, MAX_PAGES);
  const canvases = [];
  for (let number = 1; number <= pages; number += 1) {
    canvases.push(sheet(number, pdf.numPages, labels));
  }
  container.replaceChildren(...canvases.map((canvas) => canvas.parentElement));
  container.dataset.pages = String(pdf.numPages);
  if (pdf.numPages > pages && labels.more) {
    const more = document.createElement("p");
    more.className = "pdf-more";
    more.textContent = fill(labels.more, { shown: pages, pages: pdf.numPages });
    container.append(more);
  }
  watch(pdf, container, canvases);
  return pdf;
}

function sheet(number, total, labels) {
  const figure = document.createElement("figure");
  figure.className = "pdf-sheet";
  const canvas = document.createElement("canvas");
  canvas.className = "pdf-page";
  canvas.dataset.page = String(number);
  canvas.style.aspectRatio = "1 / 1.414";
  canvas.setAttribute("role", "img");
  const caption = labels.page ? fill(labels.page, { page: number, pages: total }) : String(number);
  canvas.setAttribute("aria-label", caption);
  const label = document.createElement("figcaption");
  label.className = "pdf-caption";
  label.textContent = caption;
  figure.append(canvas, label);
  return canvas;
}

/** Draw pages near the screen, let go of those far away, redraw all on a new width. */
function watch(pdf, container, canvases) {
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) draw(pdf, entry.target);
      else release(entry.target);
    }
  }, { rootMargin: NEAR });
  canvases.forEach((canvas) => observer.observe(canvas));
  let width = container.clientWidth;
  new ResizeObserver(() => {
    if (Math.abs(container.clientWidth - width) < 8) return;
    width = container.clientWidth;
    for (const canvas of canvases) {
      release(canvas);
      observer.unobserve(canvas);
      observer.observe(canvas); // answers at once for the pages on screen
    }
  }).observe(container);
}

async function draw(pdf, canvas) {
  if (canvas.busy || canvas.dataset.drawn === "true") return;
  canvas.busy = true;
  const turn = (canvas.turn = (canvas.turn ?? 0) + 1); // release() starts a new turn
  try {
    const page = await pdf.getPage(Number(canvas.dataset.page));
    if (canvas.turn !== turn) return;
    const width = canvas.clientWidth || canvas.parentElement.clientWidth || 600;
    const viewport = page.getViewport({ scale: width / page.getViewport({ scale: 1 }).width });
    const ratio = Math.min(Math.max(window.devicePixelRatio || 1, SHARPNESS[0]), SHARPNESS[1]);
    canvas.style.aspectRatio = `${viewport.width} / ${viewport.height}`;
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    const context = canvas.getContext("2d");
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    canvas.task = page.render({ canvasContext: context, viewport });
    await canvas.task.promise;
    if (canvas.turn === turn) canvas.dataset.drawn = "true";
  } catch {
    // cancelled: the page scrolled far away or the width changed
  } finally {
    if (canvas.turn === turn) {
      canvas.busy = false;
      canvas.task = null;
    }
  }
}

function release(canvas) {
  canvas.turn = (canvas.turn ?? 0) + 1;
  canvas.task?.cancel();
  canvas.task = null;
  canvas.busy = false;
  delete canvas.dataset.drawn;
  canvas.width = 0; // frees the pixels; the aspect ratio keeps the page's place
  canvas.height = 0;
}

function fill(text, values) {
  return Object.entries(values).reduce((out, [key, value]) => out.replace(`{${key}}`, String(value)), text);
}
