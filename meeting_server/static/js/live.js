// Live agenda on a participant's meeting page: poke, then pull.
// Numbered notices over Socket.IO say that the agenda or its documents changed; this page
// re-reads the agenda through the permission-checked HTTP endpoint (lib/live.js keeps the
// order, coalesces bursts and resyncs after a gap) and marks what is new or updated.
import { MeetingChannel } from "./lib/live.js";
import { KIND } from "./lib/contract.js";

const AGENDA_KINDS = new Set([
  KIND.MEETING_PUBLISHED, KIND.MEETING_UPDATED, KIND.MEETING_STARTED, KIND.MEETING_ENDED,
  KIND.AGENDA_CHANGED, KIND.DOCUMENT_ADDED, KIND.DOCUMENT_REPLACED, KIND.DOCUMENT_REMOVED,
]);
const MARKS = { [KIND.DOCUMENT_ADDED]: "badge-new", [KIND.DOCUMENT_REPLACED]: "badge-updated" };

const section = document.querySelector("[data-live-meeting]");
if (section) start(section);

function start(root) {
  const status = root.querySelector(".live-status");
  const marks = []; // [kind, ids] of the notices since the last read
  const showStatus = (state) => {
    status.textContent = status.dataset[state];
    status.dataset.state = state;
  };

  async function read() {
    const response = await fetch(root.dataset.agendaUrl, { headers: { Accept: "text/html" } });
    if (response.status === 401 || response.status === 403 || response.redirected) {
      window.location.reload(); // signed out or no longer invited: let the server say so
      return null;
    }
    if (!response.ok) return null;
    return { meeting: { seq: Number(response.headers.get("X-Meeting-Seq")) }, html: await response.text() };
  }

  function show(agenda) {
    root.querySelector("#agenda-live").innerHTML = agenda.html;
    for (const [kind, ids] of marks.splice(0)) mark(root, kind, ids);
  }

  const channel = new MeetingChannel({
    meetingId: Number(root.dataset.liveMeeting),
    read,
    apply: (notice) => {
      if (!AGENDA_KINDS.has(notice.kind)) return true; // nothing this page shows
      if (MARKS[notice.kind]) marks.push([notice.kind, notice.ids]);
      return false;
    },
    onState: show,
    onStatus: showStatus,
    joinState: false,
  });
  showStatus("connecting");
  channel.connect(); // the page came with the agenda: the join says if it is behind
}

function mark(root, kind, ids) {
  const css = MARKS[kind];
  for (const id of ids) {
    const row = root.querySelector(`.document[data-document-id="${id}"]`);
    if (row && !row.querySelector(`.${css}`)) {
      const badge = document.createElement("span");
      badge.className = `badge ${css}`;
      badge.textContent = root.dataset[kind === KIND.DOCUMENT_ADDED ? "labelNew" : "labelUpdated"] ?? "";
      row.append(" ", badge);
    }
  }
}
