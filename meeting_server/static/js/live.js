// Live agenda on a participant's screen: poke, then pull.
// The server sends small numbered notices over Socket.IO; this module re-reads the agenda
// through the permission-checked HTTP endpoint, marks what is new or updated, and on
// reconnect asks for exactly what it missed (by seq) — or simply re-reads everything.
import { io } from "/static/vendor/socket.io.esm.min.js";

const KINDS = [
  "meeting_published", "meeting_updated", "meeting_started", "meeting_ended",
  "agenda_changed", "current_item_changed",
  "document_added", "document_replaced", "document_removed", "presenter_page_changed",
];
const MARKS = { document_added: "badge-new", document_replaced: "badge-updated" };

const section = document.querySelector("[data-live-meeting]");
if (section) start(section);

function start(root) {
  const meetingId = Number(root.dataset.liveMeeting);
  const seqKey = `meeting-seq-${meetingId}`;
  const status = root.querySelector(".live-status");
  const socket = io({ transports: ["websocket", "polling"] });
  const showStatus = (state) => {
    status.textContent = status.dataset[state];
    status.dataset.state = state;
  };
  showStatus("connecting");

  socket.on("connect", async () => {
    const stored = sessionStorage.getItem(seqKey);
    const ack = await socket.emitWithAck("join_meeting", {
      meeting_id: meetingId, last_seq: stored === null ? null : Number(stored),
    });
    if (!ack.ok) { showStatus("offline"); return; }
    showStatus("online");
    if (ack.snapshot) await refresh(root, []);
    for (const notice of ack.missed) await refresh(root, notice.ids, notice.kind);
    sessionStorage.setItem(seqKey, String(ack.seq));
  });
  socket.on("disconnect", () => showStatus("offline"));
  for (const kind of KINDS) {
    socket.on(kind, async (notice) => {
      await refresh(root, notice.ids, kind);
      sessionStorage.setItem(seqKey, String(notice.seq));
    });
  }
}

async function refresh(root, ids, kind) {
  const response = await fetch(root.dataset.agendaUrl, { headers: { Accept: "text/html" } });
  if (response.status === 401 || response.status === 403 || response.redirected) {
    window.location.reload(); // signed out or no longer invited: let the server say so
    return;
  }
  if (!response.ok) return;
  root.querySelector("#agenda-live").innerHTML = await response.text();
  const mark = MARKS[kind];
  if (!mark) return;
  for (const id of ids) {
    const row = root.querySelector(`.document[data-document-id="${id}"]`);
    if (row && !row.querySelector(`.${mark}`)) {
      const badge = document.createElement("span");
      badge.className = `badge ${mark}`;
      badge.textContent = root.dataset[kind === "document_added" ? "labelNew" : "labelUpdated"] ?? "";
      row.append(" ", badge);
    }
  }
}
