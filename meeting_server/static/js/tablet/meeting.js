// The tablet's meeting screen: live agenda, the PDF reader, presenter sync, notes, offline.
// The state comes whole once (a read, or the join after a reconnect); after that each notice
// carries the parts of the room's shared state it changed (`lib/live.js` keeps them in order
// and resyncs after a gap). A notice naming this reader makes it read its own part again.
import { ask } from "../lib/ask.js";
import { MeetingChannel, applyParts, partsOf } from "../lib/live.js";
import { SHARED_PARTS } from "../lib/contract.js";
import { ConductPanel } from "./conduct.js";
import { NotesPanel } from "./notes.js";
import { AgendaView } from "./agenda.js";
import { MeetingTabs, isPhone } from "./tabs.js";
import { DocumentViewer } from "./viewer.js";
import { keepForOffline, registerWorker, wipeTablet } from "./offline.js";

const config = JSON.parse(document.getElementById("tablet-config").textContent);
const labels = config.labels;
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
const $ = (id) => document.getElementById(id);

let shared = null; // the audience's shared state, part by part
let partSeq = {}; // part → the seq it came with (a part is replaced only by a newer one)
let mine = null; // this reader's own part
let state = null; // what the screen shows: shared + mine (see personalise)
let openDoc = null;
let following = true;
let presenting = false;
let wiped = false; // this tablet was removed: it keeps nothing more

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

const tabs = new MeetingTabs($("tablet"));
const agenda = new AgendaView({ root: $("agenda-live"), config });
const conduct = new ConductPanel({
  config, csrf, root: $("tablet"),
  refresh: () => channel.resync(),
  markVoted: (voteId) => { mine.voted = [...mine.voted, voteId]; show(["conduct.vote"]); }, // as the server will say
  showMessage: (text) => showMessage(text),
  hideMessage: () => hideMessage(),
  openDocumentId: () => openDoc?.id ?? null,
});

// ---- state: whole, by parts, personalised, shown --------------------------------------------

/** Read the whole state (on opening, after a gap, or when a notice names this reader). */
async function readState() {
  let response;
  try {
    response = await fetch(config.state_url, { headers: { Accept: "application/json" } });
  } catch {
    return null; // offline: keep showing what we have; the channel retries
  }
  if (response.status === 401 || response.status === 403 || response.redirected) {
    window.location.reload(); // signed out, revoked or no longer invited: the server says why
    return null;
  }
  return response.ok ? response.json() : null;
}

/** Show a whole state, current up to ``seq``. */
function takeState(whole, seq) {
  mine = whole.mine;
  shared = partsOf(whole, SHARED_PARTS);
  shared.meeting = { ...shared.meeting, seq };
  partSeq = Object.fromEntries(SHARED_PARTS.map((part) => [part, seq]));
  show(SHARED_PARTS);
}

/** Apply a notice's parts; false when this reader's own part changed (read it all again). */
function applyNotice(notice) {
  if (shared === null || (notice.readers ?? []).includes(mine.reader.id)) return false;
  const changed = applyParts(shared, partSeq, notice.state, notice.seq);
  shared.meeting = { ...shared.meeting, seq: notice.seq, version: notice.version };
  show(changed);
  return true;
}

/** What this reader sees: the shared state with their own part laid over it. */
function personalise() {
  const reader = mine.reader;
  const inProgress = shared.meeting.status === "in_progress";
  const itemPresenter = new Map(shared.items.map((item) => [item.id, item.presenter_id]));
  const vote = shared["conduct.vote"];
  return {
    meeting: shared.meeting,
    reader,
    can_conduct: shared.can_conduct,
    items: shared.items,
    current_item_id: shared.current_item_id,
    presentation: shared.presentation,
    documents: shared.documents.map((doc) => ({
      ...doc,
      can_present: doc.can_present || (inProgress && itemPresenter.get(doc.item_id) === reader.id),
    })),
    conduct: {
      me: mine.me,
      can_run: shared["conduct.can_run"],
      quorum: shared["conduct.quorum"],
      vote: vote ? { ...vote, voted: mine.voted.includes(vote.vote_id) } : null,
      last_vote: shared["conduct.last_vote"],
      speaking: shared["conduct.speaking"].map((r) => ({ ...r, mine: r.user_id === reader.id })),
    },
  };
}

function show(changed) {
  const previous = state;
  const next = personalise();
  state = next;
  $("tablet").dataset.seq = String(next.meeting.seq); // how current this screen is
  const content = ["meeting", "items", "documents", "can_conduct"].some((p) => changed.includes(p));
  if (content || previous === null) {
    agenda.render(next);
    $("tablet").dataset.status = next.meeting.status;
    renderStatus();
    if (!wiped) keepForOffline(config.meeting_id, next);
  }
  agenda.markCurrent(next.current_item_id, openDoc);
  conduct.render(next);
  markConductTab(next);
  suggestTab();
  const vote = next.conduct.vote; // on a phone: an open vote I may cast shows over every tab
  $("tablet").classList.toggle("voting", Boolean(vote && next.conduct.me.may_vote_now && !vote.voted));
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
    else if (fresh.version !== openDoc.version) documentReplaced(fresh);
    else openDoc = fresh;
  }
  if (changed.includes("presentation") || previous === null) {
    followPresentation(next.presentation, previous === null);
  }
  renderSyncBar();
}

/** The conduct tab: offered once the meeting is published, marked with the speakers waiting. */
function markConductTab(next) {
  tabs.offer("conduct", next.meeting.status !== "draft");
  $("tablet").classList.toggle("checkin-due", !$("check-in").hidden); // (shown on a phone's document tab)
  const waiting = next.conduct.speaking.filter((r) => r.status === "waiting").length;
  const badge = $("tab-conduct-badge");
  tabs.mark(badge, waiting ? String(waiting) : "", labels.waiting_to_speak.replace("{n}", String(waiting)));
}

/** Until the person picks a tab, a phone shows the document once one is open. */
function suggestTab() {
  if (isPhone() && openDoc !== null && viewer.document !== null) tabs.suggest("reader");
}

/** The open document has a new version: show it at the same page (or the last), say so. */
function documentReplaced(fresh) {
  const position = state.presentation;
  const followed = following && !presenting && position?.document_id === fresh.id;
  if (!followed) reopen(fresh);
  // (followed: followPresentation opens the version the presenter shows now)
  showNotice(labels.replaced.replace("{title}", fresh.title).replace("{version}", String(fresh.version)));
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
  if ($("tablet-message").dataset.kind === "error") hideMessage(); // (a notice stays its time)
  if (!wiped) agenda.markSeen(doc); // (not once the tablet was removed meanwhile)
  agenda.markCurrent(state.current_item_id, openDoc);
  showReader();
  await notes.open(doc, viewer.page);
}

function reopen(doc) {
  const page = Math.min(viewer.page, doc.page_count);
  openDocument(doc, { page, zoom: viewer.zoom });
}

function showReader() {
  const has = openDoc !== null && viewer.document !== null;
  suggestTab();
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

let inFlight = false;
let queued = false;

/** Send my position to the room (the latest one wins; one request at a time). */
async function sendPosition() {
  const socket = channel.socket;
  if (!presenting || !openDoc || !socket?.connected) return;
  if (inFlight) { queued = true; return; }
  inFlight = true;
  try {
    const ack = await socket.timeout(5000).emitWithAck("present_page", {
      document_id: openDoc.id, version: openDoc.version, page: viewer.page, zoom: viewer.zoom,
    });
    if (!ack.ok) { presenting = false; showMessage(ack.error); renderSyncBar(); }
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

function showLive(which) {
  const status = $("live-status");
  status.dataset.state = which;
  status.textContent = labels[which];
  document.body.classList.toggle("is-offline", which === "offline");
  if (which === "online" && presenting) sendPosition(); // back after a reconnect
}

const channel = new MeetingChannel({
  meetingId: config.meeting_id,
  read: readState,
  apply: applyNotice,
  onState: takeState,
  onStatus: showLive,
  onError: async (error) => {
    if (error === "device_revoked") await revoked();
    else if (error === "unauthorized" || error === "forbidden") window.location.reload();
  },
  handlers: {
    device_revoked: revoked,
    vote_count_changed: (count) => { // unnumbered: the newest count wins
      const vote = shared?.["conduct.vote"];
      if (!vote || vote.vote_id !== count.vote_id) return;
      shared["conduct.vote"] = { ...vote, cast: count.cast, eligible: count.eligible };
      conduct.onVoteCount(count);
    },
  },
});

/** This tablet was removed: forget everything, then let the server say so (and wipe too). */
async function revoked() {
  wiped = true;
  channel.socket?.disconnect();
  await wipeTablet();
  window.location.reload();
}

// ---- controls ------------------------------------------------------------------------------

function showMessage(text) {
  $("tablet-message").textContent = text;
  $("tablet-message").hidden = false;
  $("tablet-message").dataset.kind = "error";
}
/** A passing notice (not an error): shown for a while, then hidden. */
let noticeTimer = null;
function showNotice(text) {
  showMessage(text);
  $("tablet-message").dataset.kind = "notice";
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { if ($("tablet-message").dataset.kind === "notice") hideMessage(); }, 8000);
}
function hideMessage() { $("tablet-message").hidden = true; }

async function post(url) {
  try {
    const response = await fetch(url, {
      method: "POST", headers: { Accept: "application/json", "X-CSRFToken": csrf },
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) showMessage(answer.error || `HTTP ${response.status}`);
    else { hideMessage(); await channel.resync(); }
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
        if (isPhone()) tabs.select("reader");
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
  $("more-tools").addEventListener("click", () => {
    const open = $("reader-toolbar").classList.toggle("more-open");
    $("more-tools").setAttribute("aria-expanded", String(open));
  });
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
    const socket = channel.socket;
    if (socket?.connected) await socket.emitWithAck("stop_presenting", { meeting_id: config.meeting_id });
  });
  $("start-meeting").addEventListener("click", () => post(config.start_url));
  $("end-meeting").addEventListener("click", () => {
    ask(labels.confirm_end).then((yes) => { if (yes) post(config.end_url); });
  });
  window.addEventListener("online", () => {
    const socket = channel.socket;
    if (socket && !socket.connected) socket.connect();
  });
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
await channel.start();
