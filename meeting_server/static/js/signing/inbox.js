// The signing inbox: re-read the lists when the server says something changed (Socket.IO
// `inbox_changed` to this person's room), and sign several documents with one PIN, the
// server streaming one JSON line per document so that the progress shows as it goes.

import { io } from "/static/vendor/socket.io.esm.min.js";
import { keepConnected } from "../lib/live.js";

const $ = (id) => document.getElementById(id);
const labels = JSON.parse($("inbox-labels").textContent);
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const dialog = $("batch-dialog");

async function reload() {
  const response = await fetch(`${window.location.pathname}?part=1`, { headers: { Accept: "text/html" } });
  if (!response.ok) return;
  const chosen = new Set(picked());
  $("inbox-lists").innerHTML = await response.text();
  document.querySelectorAll(".batch-pick").forEach((box) => { box.checked = chosen.has(box.value); });
  wireLists();
}

function picked() {
  return [...document.querySelectorAll(".batch-pick:checked")].map((box) => box.value);
}

function wireLists() {
  const open = $("batch-open");
  if (!open) return;
  const update = () => { open.disabled = picked().length === 0; };
  document.querySelectorAll(".batch-pick").forEach((box) => box.addEventListener("change", update));
  update();
  open.addEventListener("click", () => {
    $("batch-count").textContent = labels.count.replace("{n}", picked().length);
    $("batch-status").textContent = "";
    $("batch-errors").replaceChildren();
    $("batch-progress").hidden = true;
    $("batch-start").disabled = false;
    dialog.showModal();
    $("batch-pin").focus();
  });
}

async function runBatch(ids) {
  const status = $("batch-status");
  const progress = $("batch-progress");
  const errors = $("batch-errors");
  $("batch-start").disabled = true;
  progress.hidden = false;
  progress.max = ids.length;
  progress.value = 0;
  let ok = 0;
  try {
    const response = await fetch("/signing/batch", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ ids, pin: $("batch-pin").value, code: $("batch-code")?.value ?? "" }),
    });
    if (!response.ok) {
      const answer = await response.json().catch(() => ({}));
      status.textContent = answer.error || `HTTP ${response.status}`;
      const tries = dialog.querySelector('[data-testid="signing-tries"]');
      if (tries && answer.error) tries.hidden = true; // the refusal says what is left now
      $("batch-start").disabled = false;
      $("batch-pin").value = "";
      return;
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = JSON.parse(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        progress.value = line.done;
        if (line.ok) ok += 1;
        else errors.append(Object.assign(document.createElement("li"), { textContent: line.error }));
        status.textContent = labels.progress.replace("{done}", line.done).replace("{total}", line.total);
      }
    }
    status.textContent = labels.finished.replace("{ok}", ok).replace("{total}", ids.length);
    status.dataset.finished = "true";
  } catch {
    status.textContent = labels.offline;
  }
  $("batch-pin").value = "";
  await reload();
}

$("batch-form").addEventListener("submit", (event) => {
  if (event.submitter?.value !== "start") return; // Close
  event.preventDefault();
  runBatch(picked().map(Number));
});

function connect() {
  const live = $("live-status");
  const show = (state) => { live.dataset.state = state; live.textContent = labels[state]; };
  const socket = keepConnected(io({ transports: ["websocket", "polling"] }));
  show("connecting");
  socket.on("connect", () => { show("online"); reload(); }); // caught up after a reconnect too
  socket.on("disconnect", () => show("lost"));
  socket.on("inbox_changed", () => { if (!dialog.open) reload(); });
}

wireLists();
connect();
