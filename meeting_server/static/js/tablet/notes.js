// Private notes on the open document's pages: saved on the server (only their author reads
// them), kept with the version they were written on, queued on the tablet while offline.
const PENDING_KEY = "tablet-pending-notes";

export class NotesPanel {
  /** @param {{config: object, csrf: string, elements: Record<string, HTMLElement>}} options */
  constructor({ config, csrf, elements }) {
    this.config = config;
    this.csrf = csrf;
    this.el = elements;
    this.doc = null;
    this.page = 1;
    this.notes = [];
    this.timer = null;
    this.el.text.addEventListener("input", () => this.scheduleSave());
    this.el.text.addEventListener("blur", () => this.saveNow());
    window.addEventListener("online", () => this.flushPending());
  }

  /** Load my notes for ``doc`` (all versions) and show the one of ``page``. */
  async open(doc, page) {
    await this.saveNow();
    this.doc = doc;
    this.notes = [];
    const url = this.config.notes_url.replace("{document}", String(doc.id));
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) this.notes = (await response.json()).notes;
    } catch { /* offline: the panel still takes notes and queues them */ }
    this.render(page);
  }

  /** Save the note being written, then show the one of ``page``. */
  async show(page) {
    if (this.doc && page !== this.page) await this.saveNow();
    this.render(page);
  }

  /** Show the note of ``page`` of the open version and the older-version notes of that page. */
  render(page) {
    this.page = page;
    this.el.page.textContent = String(page);
    if (!this.doc) return;
    const mine = this.notes.find((n) => n.version === this.doc.version && n.page === page);
    const pending = readPending()[this.key(page)];
    this.el.text.value = pending?.text ?? mine?.text ?? "";
    this.el.status.textContent = pending ? this.config.labels.not_saved : "";
    const older = this.notes.filter((n) => n.version !== this.doc.version && n.page === page);
    this.el.older.replaceChildren(...older.map((note) => {
      const item = document.createElement("li");
      const mark = document.createElement("span");
      mark.className = "badge badge-updated";
      mark.textContent = this.config.labels.note_changed
        .replace("{version}", String(note.version)).replace("{page}", String(note.page));
      const text = document.createElement("p");
      text.textContent = note.text;
      item.append(mark, text);
      return item;
    }));
  }

  key(page) { return `${this.doc.id}:${this.doc.version}:${page}`; }

  scheduleSave() {
    clearTimeout(this.timer);
    this.el.status.textContent = this.config.labels.saving;
    this.timer = setTimeout(() => this.saveNow(), 700);
  }

  async saveNow() {
    clearTimeout(this.timer);
    if (!this.doc) return;
    const text = this.el.text.value;
    const mine = this.notes.find((n) => n.version === this.doc.version && n.page === this.page);
    if ((mine?.text ?? "") === text.trim() && !readPending()[this.key(this.page)]) return;
    const entry = { document: this.doc.id, version: this.doc.version, page: this.page, text };
    const saved = await this.send(entry);
    if (saved) {
      this.notes = this.notes.filter((n) => n !== mine);
      if (saved.note) this.notes.push(saved.note);
      this.el.status.textContent = this.config.labels.saved;
    } else {
      writePending({ ...readPending(), [this.key(this.page)]: entry });
      this.el.status.textContent = this.config.labels.not_saved;
    }
  }

  async send(entry) {
    const url = this.config.note_url.replace("{document}", String(entry.document))
      .replace("{version}", String(entry.version)).replace("{page}", String(entry.page));
    try {
      const response = await fetch(url, {
        method: "PUT",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": this.csrf },
        body: JSON.stringify({ text: entry.text }),
      });
      if (!response.ok) return null;
      const pending = readPending();
      delete pending[`${entry.document}:${entry.version}:${entry.page}`];
      writePending(pending);
      return await response.json();
    } catch {
      return null;
    }
  }

  /** Send the notes written while offline. */
  async flushPending() {
    for (const entry of Object.values(readPending())) await this.send(entry);
    if (this.doc) await this.open(this.doc, this.page);
  }
}

function readPending() {
  try { return JSON.parse(localStorage.getItem(PENDING_KEY) ?? "{}"); } catch { return {}; }
}

function writePending(pending) {
  localStorage.setItem(PENDING_KEY, JSON.stringify(pending));
}
