// Where each stamp goes: the sender opens a page of the document (the chosen file, read here
// in the browser, or the finalised minutes), presses a row's "Place" button and clicks on the
// page. The click is the stamp's top-left corner; the box (170 × 80 pt, the default stamp size)
// is kept in PDF points in the row's hidden fields. Without this script the stamps go in the
// default slots at the end of the last page.

import * as pdfjsLib from "/static/vendor/pdfjs/pdf.min.mjs";

pdfjsLib.GlobalWorkerOptions.workerSrc = "/static/vendor/pdfjs/pdf.worker.min.mjs";

const STAMP_W = 170;
const STAMP_H = 80;
const $ = (id) => document.getElementById(id);
const labels = JSON.parse($("placement-labels").textContent);
const rows = [...document.querySelectorAll(".route-row")];
const canvas = $("page-canvas");
const stage = $("page-stage");

let pdf = null;
let pageIndex = 0;
let viewport = null;
let placing = null; // the row being placed

async function open(data) {
  pdf?.destroy();
  pdf = await pdfjsLib.getDocument({ data, isEvalSupported: false, enableXfa: false }).promise;
  pageIndex = pdf.numPages - 1; // stamps usually go on the last page
  rows.forEach((row) => { // a new document: earlier placements no longer apply
    row.querySelectorAll("input[type=hidden]").forEach((field) => { field.value = ""; });
    row.querySelector(".placement").textContent = labels.default;
  });
  $("placement-preview").hidden = false;
  rows.forEach((row) => { row.querySelector(".js-place").hidden = false; });
  await render();
}

async function render() {
  const page = await pdf.getPage(pageIndex + 1);
  const width = stage.clientWidth || 600;
  const scale = width / page.getViewport({ scale: 1 }).width;
  viewport = page.getViewport({ scale });
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = `${viewport.width}px`;
  canvas.style.height = `${viewport.height}px`;
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  await page.render({ canvasContext: context, viewport }).promise;
  $("page-label").textContent = labels.page.replace("{n}", pageIndex + 1).replace("{total}", pdf.numPages);
  drawBoxes();
}

function drawBoxes() {
  stage.querySelectorAll(".stamp-box").forEach((box) => box.remove());
  rows.forEach((row, order) => {
    const [pageField, boxField] = row.querySelectorAll("input[type=hidden]");
    if (!boxField.value || Number(pageField.value) !== pageIndex) return;
    const [x1, y1, x2, y2] = viewport.convertToViewportRectangle(boxField.value.split(",").map(Number));
    const box = document.createElement("div");
    box.className = "stamp-box";
    box.textContent = String(order + 1);
    Object.assign(box.style, {
      left: `${Math.min(x1, x2)}px`, top: `${Math.min(y1, y2)}px`,
      width: `${Math.abs(x2 - x1)}px`, height: `${Math.abs(y2 - y1)}px`,
    });
    stage.append(box);
  });
}

function place(event) {
  if (!placing || !viewport) return;
  const rect = canvas.getBoundingClientRect();
  const [x, y] = viewport.convertToPdfPoint(event.clientX - rect.left, event.clientY - rect.top);
  const [vx1, vy1, vx2, vy2] = viewport.viewBox;
  const x1 = Math.min(Math.max(x, vx1), vx2 - STAMP_W);
  const y2 = Math.max(Math.min(y, vy2), vy1 + STAMP_H);
  const [pageField, boxField] = placing.querySelectorAll("input[type=hidden]");
  pageField.value = String(pageIndex);
  boxField.value = [x1, y2 - STAMP_H, x1 + STAMP_W, y2].map((v) => v.toFixed(1)).join(",");
  placing.querySelector(".placement").textContent = labels.placed.replace("{n}", pageIndex + 1);
  placing.classList.remove("placing");
  placing = null;
  $("placing-hint").textContent = "";
  drawBoxes();
}

rows.forEach((row) => {
  row.querySelector(".placement").textContent = labels.default;
  row.querySelector(".js-place").addEventListener("click", () => {
    rows.forEach((other) => other.classList.remove("placing"));
    placing = row;
    row.classList.add("placing");
    $("placing-hint").textContent = labels.hint;
    stage.scrollIntoView({ behavior: "smooth", block: "center" });
  });
});
canvas.addEventListener("click", place);
$("prev-page").addEventListener("click", () => { if (pdf && pageIndex > 0) { pageIndex -= 1; render(); } });
$("next-page").addEventListener("click", () => { if (pdf && pageIndex < pdf.numPages - 1) { pageIndex += 1; render(); } });

const fileInput = $("file-input");
fileInput?.addEventListener("change", async () => {
  const file = fileInput.files[0];
  if (file) await open(new Uint8Array(await file.arrayBuffer())).catch(() => {});
});
const documentUrl = $("document-url");
if (documentUrl) {
  fetch(documentUrl.value).then((r) => r.arrayBuffer()).then((data) => open(new Uint8Array(data)));
}
