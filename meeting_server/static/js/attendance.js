// The live attendance board (secretariat, chair) and the room's check-in QR screen.
// Poke, then pull: an attendance notice says *that* something changed; the board re-reads
// its permission-checked state (lib/live.js coalesces a queue at the door into few reads,
// keeps the order and resyncs after a gap). The roll-call panel and the door scanner are
// never re-rendered, so a reason being typed is not lost by an update.
import { MeetingChannel } from "./lib/live.js";
import { KIND } from "./lib/contract.js";

const BOARD_KINDS = new Set([
  KIND.ATTENDANCE_CHANGED, KIND.MEETING_STARTED, KIND.MEETING_ENDED, KIND.MEETING_UPDATED,
]);
const $ = (id) => document.getElementById(id);
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

for (const button of document.querySelectorAll("[data-fullscreen]")) {
  const target = document.querySelector(button.dataset.fullscreen);
  button.hidden = !document.fullscreenEnabled;
  button.addEventListener("click", () => target.requestFullscreen?.());
}

const configElement = $("attendance-config");
if (configElement) startBoard(JSON.parse(configElement.textContent));

function startBoard(config) {
  const labels = config.labels;
  let state = null;
  let person = null; // the invitation open in the roll-call panel

  async function readBoard() {
    let response;
    try {
      response = await fetch(config.state_url, { headers: { Accept: "application/json" } });
    } catch { showLive("offline"); return null; }
    if (response.status === 401 || response.status === 403 || response.redirected) {
      window.location.reload(); // signed out or no longer allowed: the server says why
      return null;
    }
    return response.ok ? response.json() : null;
  }

  function render(next) {
    state = next;
    $("board-live").innerHTML = next.board_html;
    $("attendance").dataset.status = next.meeting.status;
    const badge = document.querySelector("#meeting-status .badge");
    if (badge) {
      badge.className = `badge badge-${next.meeting.status}`;
      badge.textContent = labels.status[next.meeting.status] ?? next.meeting.status;
    }
    $("quorum-alarm").hidden = !next.alarm;
    $("quorum-alarm-text").textContent = next.quorum_text;
    const door = document.querySelector(".att-door");
    if (door) door.hidden = !next.can_record; // the meeting ended: nothing to scan any more
    if (person !== null) fillPanel();
  }

  function showLive(which) {
    const live = $("live-status");
    live.dataset.state = which;
    live.textContent = labels[which];
  }

  const channel = new MeetingChannel({
    meetingId: config.meeting_id,
    read: readBoard,
    apply: (notice) => !BOARD_KINDS.has(notice.kind), // the board's kinds: read it again
    onState: render,
    onStatus: showLive,
    joinState: false,
  });
  const pull = () => channel.resync();

  async function post(url, body) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      return response.ok ? answer : { ok: false, error: answer.error || `HTTP ${response.status}` };
    } catch {
      return { ok: false, error: labels.network };
    }
  }

  // ---- roll call: a panel per person ----------------------------------------------------------

  const panel = $("person-panel");

  function openPanel(invitationId) {
    person = invitationId;
    for (const form of panel.querySelectorAll("form.att-panel-form")) form.reset();
    showPanelError("");
    fillPanel();
    panel.showModal();
  }

  function fillPanel() {
    const p = state?.people.find((row) => row.invitation_id === person);
    if (!p) { panel.close(); return; }
    $("panel-name").textContent = p.seat ? `${p.seat} · ${p.name}` : p.name;
    $("panel-status").textContent = `${p.role_label} — ${p.status_label}`;
    $("panel-leave").disabled = !p.present;
    $("delegate-form").hidden = !state.can_delegate;
  }

  function showPanelError(text) {
    $("panel-error").textContent = text;
    $("panel-error").hidden = text === "";
  }

  async function record(body) {
    const answer = await post(config.record_url.replace("{id}", String(person)), body);
    if (!answer.ok) { showPanelError(answer.error); return; }
    panel.close();
    person = null;
    const message = $("board-message");
    message.textContent = labels.saved
      .replace("{name}", answer.person.name).replace("{status}", answer.person.status_label);
    message.className = "flash flash-ok";
    message.hidden = false;
    await pull();
  }

  function wirePanel() {
    $("board-live").addEventListener("click", (event) => {
      const tile = event.target.closest("button.att-tile");
      if (tile && state) openPanel(Number(tile.dataset.invitationId));
    });
    panel.addEventListener("close", () => { person = null; });
    for (const button of panel.querySelectorAll("[data-action]")) {
      button.addEventListener("click", () => record({ action: button.dataset.action }));
    }
    $("absent-form").addEventListener("submit", (event) => {
      event.preventDefault();
      record({ action: "absent", reason: event.target.elements.reason.value });
    });
    $("delegate-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const fields = event.target.elements;
      record({
        action: "delegate", reason: fields.reason.value,
        deputy_id: fields.deputy_id.value, deputy_name: fields.deputy_name.value,
      });
    });
  }

  // ---- the door: scanned personal codes --------------------------------------------------------

  async function scan(code) {
    const result = $("scan-result");
    if (!code.trim()) return;
    const answer = await post(config.scan_url, { code: code.trim() });
    result.textContent = answer.ok ? answer.message : answer.error;
    result.dataset.outcome = answer.ok ? (answer.already ? "already" : "ok") : "error";
    if (answer.ok) await pull();
  }

  function wireScanner() {
    const input = $("scan-code");
    $("scan-form").addEventListener("submit", async (event) => {
      event.preventDefault(); // USB and Bluetooth scanners type the code, then press Enter
      const code = input.value;
      input.value = "";
      await scan(code);
      input.focus();
    });
    if (window.matchMedia("(pointer: fine)").matches) input.focus();
    const camera = $("scan-camera");
    camera.hidden = !("BarcodeDetector" in window && navigator.mediaDevices?.getUserMedia);
    camera.addEventListener("click", () => scanWithCamera());
  }

  let cameraStream = null;

  /** Read QR codes with the browser's BarcodeDetector until one is found (or pressed again). */
  async function scanWithCamera() {
    const video = $("scan-video");
    if (cameraStream) { stopCamera(); return; }
    try {
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      cameraStream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = cameraStream;
      video.hidden = false;
      await video.play();
      while (cameraStream) {
        const codes = await detector.detect(video);
        if (codes.length > 0) { stopCamera(); await scan(codes[0].rawValue); return; }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } catch {
      stopCamera();
      $("scan-result").textContent = labels.camera_failed;
      $("scan-result").dataset.outcome = "error";
    }
  }

  function stopCamera() {
    cameraStream?.getTracks().forEach((track) => track.stop());
    cameraStream = null;
    $("scan-video").hidden = true;
  }

  if (panel) wirePanel();
  if ($("scan-form")) wireScanner();
  channel.start();
}
