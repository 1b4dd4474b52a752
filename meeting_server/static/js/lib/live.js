// One live channel to a meeting, used by the tablet, the attendance board and the meeting page.
//
// Notices are numbered per meeting (`seq`, one more each time; a reader who may not learn a
// notice gets `notice_withheld` with its number). The channel hands them to the page in
// order and exactly once, and keeps the page current whatever the network does:
//   - `seq` advances only over notices applied in order, or from a successful full read;
//   - a gap (a lost message) waits briefly for the missing notice, then reads the state;
//   - notices arriving while a read is in flight are kept and applied after it, if newer;
//   - a failed read is retried with backoff (the page keeps showing what it has);
//   - on every (re)connect it joins with its `seq`; the server answers with the whole state
//     when the tablet is behind.
// The page supplies `read()` (the full state, with `meeting.seq`) and `apply(notice)` (true
// when the notice was applied locally, false when a full read is needed).
import { io } from "/static/vendor/socket.io.esm.min.js";
import { NOTICE_KINDS } from "./contract.js";

const GAP_WAIT_MS = 400; // a missing notice may still arrive (another process sent it)
const RETRY_MS = [500, 1000, 2000, 4000, 8000, 15000];
const STILL_HERE_MS = 5 * 60 * 1000; // an open live page is use: the session does not idle out
const RECONNECT_MS = 300;

/**
 * Keep a socket connected the way every live page needs: when the server closes it (the
 * person's rights changed, or their session ended) connect again at once, so the page joins
 * with what it may see now, or is refused; and tell the server every few minutes that the
 * page is open. Returns the socket.
 */
export function keepConnected(socket) {
  socket.on("disconnect", (reason) => {
    if (reason === "io server disconnect") setTimeout(() => socket.connect(), RECONNECT_MS);
  });
  const timer = setInterval(() => { if (socket.connected) socket.emit("still_here"); }, STILL_HERE_MS);
  socket.on("connect_error", (error) => {
    if (error.message === "unauthorized") { clearInterval(timer); window.location.reload(); }
  });
  return socket;
}

export class MeetingChannel {
  constructor({
    meetingId, read, apply, onState, onStatus = () => {}, onError = () => {}, handlers = {},
    joinState = true,
  }) {
    this.meetingId = meetingId;
    this.read = read; // async () => state (with meeting.seq); throws or returns null on failure
    this.apply = apply; // (notice) => boolean
    this.onState = onState; // (state, seq) => void: a full state replaces what the page has
    this.onStatus = onStatus; // ("connecting" | "online" | "offline") => void
    this.onError = onError; // (message) => void: a refusal the page should act on
    this.handlers = handlers; // other server events (unnumbered): name → function
    this.joinState = joinState; // the join answers with the tablet's state (else: read())
    this.seq = -1; // every notice up to here is applied (or covered by a read)
    this.buffer = new Map(); // seq → notice, waiting for a read or for a missing notice
    this.reading = null;
    this.readAgain = false;
    this.gapTimer = null;
    this.attempt = 0;
    this.socket = null;
  }

  /** Read the state, then connect. */
  async start() {
    await this.resync();
    this.connect();
  }

  connect() {
    const socket = keepConnected(io({ transports: ["websocket", "polling"] }));
    this.socket = socket;
    this.onStatus("connecting");
    socket.on("connect", () => this.join());
    socket.on("disconnect", () => this.onStatus("offline"));
    socket.on("connect_error", (error) => { this.onStatus("offline"); this.onError(error.message); });
    for (const kind of NOTICE_KINDS) socket.on(kind, (notice) => this.receive({ ...notice, kind }));
    for (const [name, handler] of Object.entries(this.handlers)) socket.on(name, handler);
    return socket;
  }

  async join() {
    const joining = this.socket.emitWithAck("join_meeting", {
      meeting_id: this.meetingId, last_seq: this.seq >= 0 ? this.seq : null, state: this.joinState,
    });
    let ack;
    try { ack = await joining; } catch { return; }
    if (!ack.ok) { this.onStatus("offline"); this.onError(ack.error); return; }
    this.onStatus("online");
    if (ack.state) this.accept(ack.state, ack.seq);
    else if (ack.seq !== this.seq) await this.resync();
  }

  /** A notice arrived: apply it in order, or keep it until it can be. */
  receive(notice) {
    if (notice.meeting_id !== this.meetingId || notice.seq <= this.seq) return; // seen already
    this.buffer.set(notice.seq, notice);
    if (!this.reading) this.drain();
  }

  drain() {
    while (this.buffer.has(this.seq + 1)) {
      const notice = this.buffer.get(this.seq + 1);
      this.buffer.delete(notice.seq);
      this.seq = notice.seq;
      if (!this.apply(notice)) this.resync();
      if (this.reading) return; // the read covers the rest
    }
    for (const seq of this.buffer.keys()) if (seq <= this.seq) this.buffer.delete(seq);
    if (this.buffer.size > 0 && this.gapTimer === null) {
      this.gapTimer = setTimeout(() => { // a notice is missing: read the state instead
        this.gapTimer = null;
        if (this.buffer.size > 0 && !this.buffer.has(this.seq + 1)) this.resync();
      }, GAP_WAIT_MS);
    }
  }

  /** Take a whole state current up to ``seq`` (from a read or the join); then newer notices. */
  accept(state, seq) {
    this.take(state, seq);
    if (!this.reading) this.drain();
  }

  take(state, seq) {
    if (seq < this.seq) return; // older than what the page shows already
    this.seq = seq;
    this.onState(state, seq);
  }

  /** Read the whole state (one read at a time; asks meanwhile get one more read). */
  async resync() {
    if (this.reading) { this.readAgain = true; return this.reading; }
    this.reading = this.readLoop();
    try { await this.reading; } finally { this.reading = null; this.drain(); }
  }

  async readLoop() {
    do {
      this.readAgain = false;
      const state = await this.readWithRetry();
      this.take(state, state.meeting.seq);
    } while (this.readAgain);
  }

  /** Read until it succeeds, waiting longer after each failure; the page keeps its screen. */
  async readWithRetry() {
    for (;;) {
      let state = null;
      try { state = await this.read(); } catch { state = null; }
      if (state) { this.attempt = 0; return state; }
      const wait = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)];
      this.attempt += 1;
      await new Promise((resolve) => setTimeout(resolve, wait));
      this.readAgain = false; // the next attempt starts after those asks: it answers them
    }
  }
}

/** Apply a notice's parts to ``held`` (part → value), each only if newer than the one held. */
export function applyParts(held, partSeq, parts, seq) {
  const changed = [];
  for (const [part, value] of Object.entries(parts ?? {})) {
    if (seq <= (partSeq[part] ?? -1)) continue; // a newer value is shown already
    partSeq[part] = seq;
    held[part] = value;
    changed.push(part);
  }
  return changed;
}

/** Return a whole state as its parts (part → value; ``conduct``'s parts are dotted). */
export function partsOf(state, names) {
  return Object.fromEntries(names.map((part) => [part, getPath(state, part)]));
}

function getPath(object, path) {
  return path.split(".").reduce((at, key) => (at == null ? undefined : at[key]), object);
}
