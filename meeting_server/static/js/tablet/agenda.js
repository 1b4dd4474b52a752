// The meeting screen's agenda: the items and their documents as this reader may see them
// (drawn from the state with the page's labels), the "new" / "updated" marks of documents this
// tablet has not opened yet, the current item and the open document.
import { el } from "../lib/dom.js";

const plural = (forms, n) => (n === 1 ? forms[0] : forms[1]).replace("{n}", String(n));

export class AgendaView {
  constructor({ root, config }) {
    this.root = root; // #agenda-live
    this.config = config;
    this.labels = config.labels;
    this.seenKey = `tablet-seen-${config.meeting_id}`; // document id → the version last opened
    this.documents = [];
  }

  /** Draw the agenda with its documents (what the reader may see, nothing else). */
  render(state) {
    const a = this.labels.agenda;
    this.documents = state.documents;
    const manage = state.meeting.status === "in_progress" && state.can_conduct;
    const rows = state.items.map((item, index) => {
      const docs = state.documents.filter((doc) => doc.item_id === item.id).map((doc) => this.documentRow(doc));
      const about = (item.presenter ? `${a.presenter}: ${item.presenter} · ` : "") + plural(a.minutes, item.planned_minutes);
      const main = el("div", { className: "agenda-main" },
        el("strong", { className: "agenda-title", textContent: item.title }));
      if (item.confidential) main.append(" ", el("span", { className: "badge badge-confidential", textContent: a.confidential }));
      main.append(" ", el("span", { className: "badge badge-current current-mark", textContent: a.now }),
        el("div", { className: "muted small", textContent: about }));
      const head = el("div", { className: "agenda-head" },
        el("span", { className: "agenda-pos", textContent: `${index + 1}.` }), main);
      if (manage) {
        const button = el("button", { type: "button", className: "small make-current", textContent: a.make_current });
        button.dataset.url = this.config.make_current_url.replace("{id}", String(item.id));
        main.append(button); // under the title: the title keeps the column's width
      }
      const list = el("ul", { className: "documents" },
        ...(docs.length ? docs : [el("li", { className: "muted small", textContent: a.no_documents })]));
      const row = el("li", { className: "agenda-item" }, head, list);
      row.dataset.itemId = String(item.id);
      return row;
    });
    this.root.replaceChildren(el("ol", { className: "agenda tablet-items" },
      ...(rows.length ? rows : [el("li", { className: "muted", textContent: a.empty })])));
    this.markDocuments();
  }

  documentRow(doc) {
    const row = el("li", { className: "document" },
      el("button", { type: "button", className: "doc-open" },
        el("span", { className: "doc-icon", ariaHidden: "true", textContent: "PDF" }), ` ${doc.title}`),
      " ",
      el("span", { className: "muted small", textContent:
        plural(this.labels.agenda.pages, doc.page_count) + (doc.version > 1 ? ` · v${doc.version}` : "") }),
      " ",
      el("span", { className: "doc-marks" }));
    row.dataset.documentId = String(doc.id);
    row.querySelector(".doc-open").dataset.documentId = String(doc.id);
    return row;
  }

  /** Mark documents added or replaced since this tablet last saw them ("new", "updated"). */
  markDocuments() {
    let seen = JSON.parse(localStorage.getItem(this.seenKey) ?? "null");
    if (seen === null) { // first visit: everything present now counts as seen
      seen = Object.fromEntries(this.documents.map((d) => [d.id, d.version]));
      localStorage.setItem(this.seenKey, JSON.stringify(seen));
    }
    for (const doc of this.documents) {
      const marks = this.root.querySelector(`.document[data-document-id="${doc.id}"] .doc-marks`);
      if (!marks) continue;
      marks.replaceChildren();
      const known = seen[doc.id];
      if (known === undefined || known < doc.version) {
        marks.append(el("span", {
          className: known === undefined ? "badge badge-new" : "badge badge-updated",
          textContent: known === undefined ? this.labels.new : this.labels.updated,
        }));
      }
    }
  }

  /** ``doc`` was opened in this version: no mark any more. */
  markSeen(doc) {
    const seen = JSON.parse(localStorage.getItem(this.seenKey) ?? "{}");
    seen[doc.id] = doc.version;
    localStorage.setItem(this.seenKey, JSON.stringify(seen));
    this.markDocuments();
  }

  /** Highlight the current item and the open document. */
  markCurrent(currentItemId, openDoc) {
    for (const row of this.root.querySelectorAll(".agenda-item")) {
      const current = Number(row.dataset.itemId) === currentItemId;
      row.classList.toggle("current", current);
      if (current) row.setAttribute("aria-current", "step");
      else row.removeAttribute("aria-current");
    }
    for (const row of this.root.querySelectorAll(".document")) {
      row.classList.toggle("open", openDoc !== null && Number(row.dataset.documentId) === openDoc.id);
    }
  }
}
