// The meeting screen's tabs. On a tablet the agenda and the conduct panel (check-in, speaking,
// the chair's vote form) share the side column, so the chair's controls never squeeze the
// agenda; the reader is always beside them. On a phone a bar at the bottom switches between the
// document, the agenda and the conduct panel, one at a time (css/tablet.css).
// The screen picks a tab by itself (the document once one is open) until the person picks one.

const PHONE = "(max-width: 900px)";

export const isPhone = () => window.matchMedia(PHONE).matches;

export class MeetingTabs {
  constructor(root) {
    this.root = root; // #tablet: data-tab says which tab shows
    this.chosen = false; // the person picked a tab: the screen stops picking for them
    this.buttons = [...root.querySelectorAll('[role="tab"]')];
    for (const button of this.buttons) {
      button.addEventListener("click", () => this.select(button.dataset.tab, { byPerson: true }));
      button.addEventListener("keydown", (event) => this.arrowKeys(event));
    }
  }

  get current() { return this.root.dataset.tab; }

  select(tab, { byPerson = false } = {}) {
    if (byPerson) this.chosen = true;
    this.root.dataset.tab = tab;
    for (const button of this.buttons) {
      const selected = button.dataset.tab === tab;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
    }
  }

  /** Show ``tab`` unless the person chose one themselves. */
  suggest(tab) {
    if (!this.chosen && this.current !== tab) this.select(tab);
  }

  /** Offer ``tab`` or not (the conduct tab waits for the meeting to be published). */
  offer(tab, available) {
    const button = this.buttons.find((b) => b.dataset.tab === tab);
    button.hidden = !available;
    if (!available && this.current === tab) this.select("agenda");
  }

  /** A small mark on a tab ("!" or a count); empty text removes it. */
  mark(badge, text, title = "") {
    badge.hidden = !text;
    badge.textContent = text;
    badge.title = title;
  }

  arrowKeys(event) {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const shown = this.buttons.filter((b) => b.offsetParent !== null);
    const at = shown.indexOf(event.currentTarget);
    const next = shown[(at + (event.key === "ArrowRight" ? 1 : shown.length - 1)) % shown.length];
    this.select(next.dataset.tab, { byPerson: true });
    next.focus();
  }
}
