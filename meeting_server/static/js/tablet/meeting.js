// The tablet's meeting screen: live agenda, the PDF reader, presenter sync, notes, offline.
// Poke, then pull: notices over Socket.IO say *that* something changed; the screen re-reads
// the permission-checked state. A page turn of the presenter carries its position, so
// following tablets move at once. On reconnect the tablet sends its last seq (lossless resync).
import { io } from "/static/vendor/socket.io.esm.min.js";
import { ConductPanel } from "./conduct.js";
import { NotesPanel } from "./notes.js";
import { DocumentViewer } from "./viewer.js";
import { keepForOffline, registerWorker, wipeTablet } from "./offline.js";

const KINDS = [
  "meeting_published", "meeting_updated", "meeting_started", "meeting_ended",
  "agenda_changed", "current_item_changed",
  "document_added", "document_replaced", "document_removed", "presenter_page_changed",
  "attendance_changed", "speaking_changed", "vote_opened", "vote_closed",
];

const config = JSON.parse(document.getElementById("tablet-config").textContent);
const labels = config.labels;
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const $ = (id) => document.getElementById(id);
const seqKey = `tablet-seq-${config.meeting_id}`;
const seenKey = `tablet-seen-${config.meeting_id}`;

let state = null; // the last state read from the server
let lastSeq = Number(sessionStorage.getItem(seqKey) ?? -1);
let openDoc = null;
let following = true;
let presenting = false;
let socket = null;

const viewer = new DocumentViewer({
  container: $("viewer-container"),
  viewer: $("viewer"),
  thumbs: $("thumbs"),
  onPageChange: (page, byUser) => pageChanged(page, byUser),
  onZoomChange: () => { showZoom(); if (presenting) sendPosition(); },
  onFind: (current, total, found) => {
    $("search-result").textContent = found
      ? labels.matches.replace("{current}", String(current)).replace("{total}", String(total))
      : labels.no_match;
  },
});
const notes = new NotesPanel({
  config, csrf,
  elements: { text: $("note-text"), status: $("note-status"), page: $("note-page"), older: $("older-notes") },
});

const conduct = new ConductPanel({
  config, csrf, root: $("conduct-panel"),
  refresh: () => pull(),
  showMessage: (text) => showMessage(text),
  hideMessage: () => hideMessage(),
  openDocumentId: () => openDoc?.id ?? null,
});

// ---- state: pull, render, marks ------------------------------------------------------------

let pulling = null;
let pullAgain = false;

/** Re-read the state (coalescing bursts of notices into one request). */
async function pull() {
  if (pulling) { pullAgain = true; return pulling; }
  pulling = (async () => {
    do {
      pullAgain = false;
      await pullOnce();
    } while (pullAgain);
  })();
  try { await pulling; } finally { pulling = null; }
}

async function pullOnce() {
  let response;
  try {
    response = await fetch(config.state_url, { headers: { Accept: "application/json" } });
  } catch {
    return; // offline: keep showing what we have
  }
  if (response.status === 401 || response.status === 403 || response.redirected) {
    window.location.reload(); // signed out, revoked or no longer invited: the server says why
    return;
  }
  if (!response.ok) return;
  render(await response.json());
}

let positionSeq = -1; // the seq of the presenter position applied last

function render(next) {
  const previous = state;
  if (previous && next.meeting.seq < positionSeq) {
    next.presentation = previous.presentation; // read before the latest page turn: keep that one
  }
  state = next;
  setSeq(next.meeting.seq);
  $("agenda-live").innerHTML = next.agenda_html;
  $("tablet").dataset.status = next.meeting.status;
  renderStatus();
  conduct.render(next);
  markDocuments();
  markCurrentItem();
  keepForOffline(config.meeting_id, next);
  if (next.meeting.status === "ended") {
    showMessage(labels.ended);
    viewer.close();
    openDoc = null;
    showReader();
    return;
  }
  if (openDoc) {
    const fresh = docById(openDoc.id);
    if (!fresh) { viewer.close(); openDoc = null; showReader(); }
    else if (fresh.version !== openDoc.version && !next.presentation) reopen(fresh);
    else openDoc = fresh;
  }
  followPresentation(next.presentation, previous === null);
  renderSyncBar();
}

function renderStatus() {
  const status = state.meeting.status;
  const badge = document.querySelector("#meeting-status .badge");
  if (badge) {
    badge.className = `badge badge-${status}`;
    badge.textContent = labels.status[status] ?? status;
  }
  $("conduct").hidden = !state.can_conduct;
  $("start-meeting").hidden = status !== "published";
  $("end-meeting").hidden = status !== "in_progress";
}

function docById(id) { return state?.documents.find((d) => d.id === id) ?? null; }

/** Mark documents added or replaced since this tablet last saw them ("new", "updated"). */
function markDocuments() {
  let seen = JSON.parse(localStorage.getItem(seenKey) ?? "null");
  if (seen === null) { // first visit: everything present now counts as seen
    seen = Object.fromEntries(state.documents.map((d) => [d.id, d.version]));
    localStorage.setItem(seenKey, JSON.stringify(seen));
  }
  for (const doc of state.documents) {
    const marks = document.querySelector(`.document[data-document-id="${doc.id}"] .doc-marks`);
    if (!marks) continue;
    marks.replaceChildren();
    const known = seen[doc.id];
    if (known === undefined || known < doc.version) {
      const badge = document.createElement("span");
      badge.className = known === undefined ? "badge badge-new" : "badge badge-updated";
      badge.textContent = known === undefined ? labels.new : labels.updated;
      marks.append(badge);
    }
  }
}

function markSeen(doc) {
  const seen = JSON.parse(localStorage.getItem(seenKey) ?? "{}");
  seen[doc.id] = doc.version;
  localStorage.setItem(seenKey, JSON.stringify(seen));
  markDocuments();
}

function markCurrentItem() {
  for (const row of document.querySelectorAll(".tablet-items .agenda-item")) {
    const current = Number(row.dataset.itemId) === state.current_item_id;
    row.classList.toggle("current", current);
    if (current) row.setAttribute("aria-current", "step");
    else row.removeAttribute("aria-current");
  }
  for (const row of document.querySelectorAll(".document")) {
    row.classList.toggle("open", openDoc !== null && Number(row.dataset.documentId) === openDoc.id);
  }
}

// ---- reading -------------------------------------------------------------------------------

let opening = 0; // the latest openDocument call; earlier ones give way
let loading = null; // {doc, position} while a document loads

async function openDocument(doc, position = {}) {
  if (openDoc?.id === doc.id && openDoc.version === doc.version) {
    if (loading) { if (position.page) loading.position = position; return; }
    if (viewer.document) { if (position.page) viewer.moveTo(position.page, position.zoom); return; }
  }
  const mine = ++opening;
  openDoc = doc;
  loading = { doc, position };
  showReader();
  let opened = false;
  try {
    opened = await viewer.open(doc, position);
  } catch {
    opened = false;
    if (mine === opening) showMessage(labels.load_failed);
  }
  if (mine !== opening) return; // another document (or position) was asked for meanwhile
  const wanted = loading.position;
  loading = null;
  if (!opened) { openDoc = null; showReader(); return; }
  if (wanted !== position) viewer.moveTo(wanted.page ?? 1, wanted.zoom);
  hideMessage();
  markSeen(doc);
  markCurrentItem();
  showReader();
  await notes.open(doc, viewer.page);
}

function reopen(doc) {
  const page = Math.min(viewer.page, doc.page_count);
  openDocument(doc, { page, zoom: viewer.zoom });
}

function showReader() {
  const has = openDoc !== null && viewer.document !== null;
  $("reader-empty").hidden = has;
  $("doc-title").textContent = openDoc ? openDoc.title : $("doc-title").dataset.empty;
  for (const id of ["prev-page", "next-page", "page-number", "zoom-out", "zoom-in", "zoom-fit",
    "toggle-thumbs", "search-input", "search-next", "toggle-notes"]) $(id).disabled = !has;
  $("page-count").textContent = has ? String(viewer.pageCount) : "–";
  $("page-number").max = String(viewer.pageCount || 1);
  $("page-number").value = String(has ? viewer.page : 1);
  const download = $("download");
  download.hidden = !(has && openDoc.can_download);
  if (has) download.href = `${openDoc.file_url}?download=1`;
  $("reader").classList.toggle("no-print", has && !openDoc.can_download);
  showZoom();
  renderSyncBar();
}

function showZoom() { $("zoom-label").textContent = `${viewer.zoom}%`; }

function pageChanged(page, byUser) {
  $("page-number").value = String(page);
  notes.show(page);
  if (presenting) { sendPosition(); return; }
  const shown = state?.presentation;
  if (byUser && following && shown && openDoc?.id === shown.document_id && page !== shown.page) {
    following = false; // the reader turned away from the presenter's page
    renderSyncBar();
  }
}

// ---- presenter sync ------------------------------------------------------------------------

function followPresentation(position, firstLoad) {
  if (!position || presenting) return;
  if (position.presenter_id === config.reader_id && !firstLoad) return;
  if (!following) { renderSyncBar(); return; }
  const doc = docById(position.document_id);
  if (!doc) return; // not visible to this reader
  const wanted = { page: position.page, zoom: position.zoom };
  if (loading && loading.doc.id === doc.id && loading.doc.version === position.version) {
    loading.position = wanted; // applied once the document is open
  } else if (openDoc?.id === doc.id && openDoc.version === position.version && viewer.document) {
    viewer.moveTo(position.page, position.zoom);
    showZoom();
  } else {
    openDocument(doc, wanted);
  }
}

function onPresenterNotice(notice) {
  if (!state) return;
  if (notice.state === undefined) { pull(); return; } // a replayed notice: re-read the state
  const position = notice.state; // null: presenting stopped
  const before = state.presentation;
  positionSeq = notice.seq;
  if (!position || position.presenter_id !== config.reader_id) presenting = false;
  const samePresenter = before !== null && position !== null && before.presenter_id === position.presenter_id;
  state.presentation = position ? { ...position, presenter: samePresenter ? before.presenter : "" } : null;
  if (position) followPresentation(position, false);
  if (position && !samePresenter) pull(); // someone else presents now: read their name
  renderSyncBar();
}

let inFlight = false;
let queued = false;

/** Send my position to the room (the latest one wins; one request at a time). */
async function sendPosition() {
  if (!presenting || !openDoc || !socket?.connected) return;
  if (inFlight) { queued = true; return; }
  inFlight = true;
  try {
    const ack = await socket.timeout(5000).emitWithAck("present_page", {
      document_id: openDoc.id, version: openDoc.version, page: viewer.page, zoom: viewer.zoom,
    });
    if (!ack.ok) { presenting = false; showMessage(ack.error); renderSyncBar(); }
    else setSeq(ack.seq);
  } catch { /* timed out: the next page turn or the reconnect resends */ }
  inFlight = false;
  if (queued) { queued = false; sendPosition(); }
}

function renderSyncBar() {
  const shown = state?.presentation;
  const mayPresent = openDoc?.can_present && state?.meeting.status === "in_progress";
  const othersPresenting = shown && shown.presenter_id !== config.reader_id;
  $("sync-bar").hidden = !(presenting || othersPresenting || mayPresent);
  $("present").hidden = presenting || !mayPresent;
  $("stop-presenting").hidden = !presenting;
  $("stop-following").hidden = presenting || !othersPresenting || !following;
  $("catch-up").hidden = presenting || !othersPresenting || following;
  let text = "";
  if (presenting) text = labels.presenting;
  else if (othersPresenting && following) text = labels.following.replace("{name}", shown.presenter);
  else if (othersPresenting) text = labels.not_following;
  $("sync-text").textContent = text;
}

// ---- connection ----------------------------------------------------------------------------

function setSeq(seq) {
  if (seq > lastSeq) { lastSeq = seq; sessionStorage.setItem(seqKey, String(seq)); }
}

function showLive(which) {
  const status = $("live-status");
  status.dataset.state = which;
  status.textContent = labels[which];
  document.body.classList.toggle("is-offline", which === "offline");
}

function connect() {
  socket = io({ transports: ["websocket", "polling"] });
  showLive("connecting");
  socket.on("connect", async () => {
    const ack = await socket.emitWithAck("join_meeting", {
      meeting_id: config.meeting_id, last_seq: lastSeq >= 0 ? lastSeq : null,
    });
    if (!ack.ok) { showLive("offline"); window.location.reload(); return; }
    showLive("online");
    if (ack.snapshot || ack.missed.length > 0 || ack.seq !== lastSeq) await pull();
    setSeq(ack.seq);
    if (presenting) sendPosition();
  });
  socket.on("disconnect", () => showLive("offline"));
  socket.on("connect_error", async (error) => {
    showLive("offline");
    if (error.message === "device_revoked") await revoked();
    else if (error.message === "unauthorized") window.location.reload();
  });
  socket.on("device_revoked", revoked);
  socket.on("vote_count_changed", (count) => conduct.onVoteCount(count));
  for (const kind of KINDS) {
    socket.on(kind, (notice) => {
      if (notice.seq <= lastSeq) return; // already seen (e.g. replayed after a reconnect)
      if (kind === "presenter_page_changed") onPresenterNotice(notice);
      else if ((kind === "vote_opened" || kind === "vote_closed") && notice.state) {
        conduct.onVoteNotice(kind, notice); // the notice carries the vote: no request
      } else pull();
      setSeq(notice.seq);
    });
  }
}

/** This tablet was removed: forget everything, then let the server say so (and wipe too). */
async function revoked() {
  socket?.disconnect();
  await wipeTablet();
  window.location.reload();
}

// ---- controls ------------------------------------------------------------------------------

function showMessage(text) { $("tablet-message").textContent = text; $("tablet-message").hidden = false; }
function hideMessage() { $("tablet-message").hidden = true; }

async function post(url) {
  try {
    const response = await fetch(url, {
      method: "POST", headers: { Accept: "application/json", "X-CSRFToken": csrf },
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) showMessage(answer.error || `HTTP ${response.status}`);
    else { hideMessage(); await pull(); }
  } catch {
    showMessage(labels.offline);
  }
}

function wireControls() {
  $("doc-title").dataset.empty = $("doc-title").textContent;
  $("agenda-live").addEventListener("click", (event) => {
    const open = event.target.closest(".doc-open");
    if (open) {
      const doc = docById(Number(open.dataset.documentId));
      if (doc) {
        if (state.presentation && doc.id !== state.presentation.document_id && !presenting) following = false;
        openDocument(doc);
        if (window.matchMedia("(max-width: 900px)").matches) $("reader").scrollIntoView(); // phones
      }
    }
    const current = event.target.closest(".make-current");
    if (current) post(current.dataset.url);
  });
  $("prev-page").addEventListener("click", () => viewer.goTo(viewer.page - 1));
  $("next-page").addEventListener("click", () => viewer.goTo(viewer.page + 1));
  $("page-number").addEventListener("change", () => viewer.goTo(Number($("page-number").value)));
  $("zoom-in").addEventListener("click", () => { following = following && presenting; viewer.zoomStep(1); });
  $("zoom-out").addEventListener("click", () => { following = following && presenting; viewer.zoomStep(-1); });
  $("zoom-fit").addEventListener("click", () => viewer.setZoom(100));
  $("toggle-thumbs").addEventListener("click", () => toggle("toggle-thumbs", "thumbs"));
  $("toggle-notes").addEventListener("click", () => toggle("toggle-notes", "notes"));
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = $("search-input").value.trim();
    if (query) viewer.find(query, { again: query === lastQuery });
    lastQuery = query;
  });
  $("stop-following").addEventListener("click", () => { following = false; renderSyncBar(); });
  $("catch-up").addEventListener("click", async () => {
    following = true;
    await pull();
    followPresentation(state.presentation, true);
    renderSyncBar();
  });
  $("present").addEventListener("click", () => {
    presenting = true;
    following = true;
    renderSyncBar();
    sendPosition();
  });
  $("stop-presenting").addEventListener("click", async () => {
    presenting = false;
    renderSyncBar();
    if (socket?.connected) await socket.emitWithAck("stop_presenting", { meeting_id: config.meeting_id });
    await pull();
  });
  $("start-meeting").addEventListener("click", () => post(config.start_url));
  $("end-meeting").addEventListener("click", () => {
    if (window.confirm(labels.confirm_end)) post(config.end_url);
  });
  window.addEventListener("online", () => { if (socket && !socket.connected) socket.connect(); });
  window.addEventListener("offline", () => showLive("offline"));
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, textarea") || !viewer.document) return;
    if (event.key === "ArrowRight" || event.key === "PageDown") viewer.goTo(viewer.page + 1);
    if (event.key === "ArrowLeft" || event.key === "PageUp") viewer.goTo(viewer.page - 1);
  });
}

let lastQuery = "";

function toggle(buttonId, panelId) {
  const panel = $(panelId);
  panel.hidden = !panel.hidden;
  $(buttonId).setAttribute("aria-pressed", String(!panel.hidden));
  if (viewer.document) viewer.applyZoom();
}

wireControls();
registerWorker(config.sw_url);
await pull();
connect();
