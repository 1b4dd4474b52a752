// The tablet's meeting-conduct panel: my check-in, the quorum alarm (chair and secretariat),
// the queue to speak, and votes. Rendered from the screen's state (meeting.js), which vote
// and attendance notices update without a request; the live count of ballots comes as
// `vote_count_changed`.
import { ask } from "../lib/ask.js";
import { el } from "../lib/dom.js";

export class ConductPanel {
  constructor({ config, csrf, root, refresh, markVoted, showMessage, hideMessage, openDocumentId }) {
    this.config = config;
    this.labels = config.labels.conduct;
    this.csrf = csrf;
    this.root = root;
    this.refresh = refresh; // re-read the state
    this.markVoted = markVoted; // my ballot in this vote was counted
    this.showMessage = showMessage;
    this.hideMessage = hideMessage;
    this.openDocumentId = openDocumentId; // the document being read: a request is about it
    this.state = null; // the conduct part of the last state
    this.choices = new Map(); // vote id → the option this tablet chose
    this.meeting = null;
    this.items = [];
    this.$ = (id) => root.querySelector(`#${id}`);
    this.wire();
  }

  /** Show the conduct part of a freshly read state. */
  render(state) {
    this.state = state.conduct;
    this.meeting = state.meeting;
    this.items = state.items;
    this.currentItemId = state.current_item_id;
    this.renderAttendance();
    this.renderQuorum();
    this.renderVote();
    this.renderResults();
    this.renderSpeaking();
    this.renderVoteForm();
  }

  /** Apply the live count of ballots (not numbered; the state has it too). */
  onVoteCount(count) {
    const vote = this.state?.vote;
    if (!vote || vote.vote_id !== count.vote_id) return;
    vote.cast = count.cast;
    vote.eligible = count.eligible;
    this.renderCount();
  }

  renderAttendance() {
    const me = this.state.me;
    const status = this.meeting.status;
    this.$("attendance-me").hidden = !me.invited;
    const checkedIn = me.status === "present" || me.status === "online";
    let text = this.labels.not_checked_in;
    if (me.status) text = this.labels.status[me.status] ?? me.status;
    if (checkedIn && me.late) text += ` · ${this.labels.late}`;
    this.$("my-attendance").textContent = text;
    this.$("my-attendance").dataset.status = me.status ?? "none";
    const open = status === "published" || status === "in_progress";
    this.$("check-in").hidden = !open || checkedIn || me.status === "delegated";
    this.$("check-out").hidden = status !== "in_progress" || !checkedIn;
    const myCode = this.$("my-qr"); // the personal code to show at the door (signed-in people)
    if (myCode) myCode.hidden = this.$("check-in").hidden;
  }

  renderQuorum() {
    const quorum = this.state.quorum;
    const alarm = this.$("quorum-alarm");
    const lost = quorum !== null && this.meeting.status === "in_progress" && !quorum.met;
    alarm.hidden = !lost;
    if (quorum) {
      const text = this.labels.quorum
        .replace("{present}", quorum.present).replace("{members}", quorum.members)
        .replace("{required}", quorum.required);
      alarm.textContent = `${this.labels.quorum_lost} ${text}`;
      this.$("quorum-line").textContent = text;
      this.$("quorum-line").dataset.met = String(quorum.met);
    }
    this.$("quorum-line").hidden = quorum === null;
  }

  renderVote() {
    const vote = this.state.vote;
    const box = this.$("vote-box");
    box.hidden = !vote;
    if (!vote) return;
    this.$("vote-question").textContent = vote.question;
    this.$("vote-kind").textContent = vote.secret ? this.labels.secret : this.labels.open;
    const mayVote = this.state.me.may_vote_now && !vote.voted;
    const options = this.$("vote-options");
    options.replaceChildren(...vote.options.map((label, index) => el("button", {
      type: "button", className: "vote-option", textContent: label, disabled: !mayVote,
      onclick: () => this.castBallot(vote, index, label),
    })));
    const chosen = this.choices.get(vote.vote_id); // remembered here only: secret votes keep none
    options.querySelectorAll(".vote-option").forEach((button, index) => {
      button.setAttribute("aria-pressed", String(index === chosen));
    });
    options.hidden = !this.state.me.may_vote_now && !vote.voted;
    let mine = "";
    if (vote.voted) mine = this.labels.voted;
    else if (!this.state.me.may_vote_now) mine = this.labels.cannot_vote;
    this.$("vote-mine").textContent = mine;
    this.$("close-vote").hidden = !this.state.can_run;
    this.renderCount();
  }

  renderCount() {
    const vote = this.state.vote;
    if (!vote) return;
    this.$("vote-count").textContent = this.labels.count
      .replace("{cast}", vote.cast ?? 0).replace("{eligible}", vote.eligible ?? "?");
  }

  renderResults() {
    const result = this.state.last_vote;
    const box = this.$("vote-results");
    box.hidden = !result || Boolean(this.state.vote);
    if (!result) return;
    this.$("results-question").textContent = result.question;
    const verdict = result.verdict;
    this.$("results-verdict").hidden = !verdict;
    if (verdict) {
      this.$("results-verdict").dataset.passed = String(verdict.passed);
      this.$("results-verdict").textContent = this.labels.verdict
        .replace("{verdict}", verdict.passed ? this.labels.passed : this.labels.not_passed)
        .replace("{yes}", verdict.yes).replace("{base}", verdict.base)
        .replace("{needed}", verdict.needed).replace("{rule}", this.labels.rules[verdict.rule] ?? verdict.rule);
    }
    const total = Math.max(1, result.cast);
    this.$("results-list").replaceChildren(...result.results.map((row) => el("li", {},
      el("span", { className: "result-label", textContent: row.label }),
      el("span", { className: "result-bar", style: `--share:${(100 * row.count) / total}%` }),
      el("strong", { className: "result-count", textContent: String(row.count) }),
    )));
    const quorum = result.quorum;
    this.$("results-note").textContent = this.labels.results_note
      .replace("{cast}", result.cast).replace("{eligible}", result.eligible)
      .replace("{present}", quorum.present).replace("{members}", quorum.members);
  }

  renderSpeaking() {
    const queue = this.state.speaking;
    const inProgress = this.meeting.status === "in_progress";
    const mine = queue.find((r) => r.mine);
    this.$("speaking").hidden = !inProgress;
    this.$("raise-hand").hidden = !this.state.me.invited || Boolean(mine);
    this.$("speak-topic").hidden = this.$("raise-hand").hidden;
    this.$("withdraw-hand").hidden = !mine || mine.status !== "waiting";
    this.$("withdraw-hand").dataset.id = mine?.id ?? "";
    this.$("speaking-empty").hidden = queue.length > 0;
    this.$("speaking-queue").replaceChildren(...queue.map((r) => this.speakerRow(r)));
  }

  speakerRow(request) {
    const about = [request.item, request.document, request.topic].filter(Boolean).join(" · ");
    const row = el("li", { className: `speaker speaker-${request.status}` },
      el("span", { className: "speaker-name", textContent: request.name }),
      el("span", { className: "muted small", textContent: ` ${request.requested_at}` }));
    row.dataset.requestId = request.id;
    if (request.status === "speaking") {
      row.append(el("span", { className: "badge badge-current", textContent: this.labels.speaking_now }));
    }
    if (about) row.append(el("div", { className: "muted small", textContent: about }));
    if (this.state.can_run) {
      const action = request.status === "speaking" ? "end" : "floor";
      row.append(el("button", {
        type: "button", className: `small ${action === "floor" ? "primary" : ""}`,
        textContent: action === "floor" ? this.labels.give_floor : this.labels.end_floor,
        onclick: () => this.send(this.url("speaking_url", request.id, action)),
      }));
    }
    return row;
  }

  renderVoteForm() {
    const form = this.$("vote-form");
    form.hidden = !this.state.can_run || Boolean(this.state.vote);
    const select = this.$("vote-item");
    const chosen = select.value || String(this.currentItemId ?? "");
    select.replaceChildren(...this.items.map((item) => el("option", {
      value: String(item.id), textContent: item.title,
    })));
    if (chosen) select.value = chosen;
  }

  url(key, id, action = "") {
    return this.config[key].replace("{id}", String(id)).replace("{action}", action);
  }

  async castBallot(vote, index, label) {
    if (!(await ask(this.labels.confirm_ballot.replace("{choice}", label), label))) return;
    const answer = await this.send(this.url("ballot_url", vote.vote_id), { choice: index }, false);
    if (answer) {
      this.choices.set(vote.vote_id, index);
      this.markVoted(vote.vote_id);
    }
  }

  /** POST JSON; on success re-read the state (unless told not to). Returns the answer or null. */
  async send(url, body = {}, refresh = true) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": this.csrf },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok || !answer.ok) {
        this.showMessage(answer.error || `HTTP ${response.status}`);
        if (response.status === 409) await this.refresh();
        return null;
      }
      this.hideMessage();
      if (refresh) await this.refresh();
      return answer;
    } catch {
      this.showMessage(this.config.labels.offline);
      return null;
    }
  }

  wire() {
    this.$("check-in").addEventListener("click", () => this.send(this.config.check_in_url, { online: false }));
    this.$("check-out").addEventListener("click", () => {
      ask(this.labels.confirm_leave).then((yes) => { if (yes) this.send(this.config.check_out_url); });
    });
    this.$("raise-hand").addEventListener("click", () => {
      const topic = this.$("speak-topic").value.trim();
      const documentId = this.openDocumentId(); // about the document being read, else the item
      const body = documentId ? { topic, document_id: documentId } : { topic, item_id: this.currentItemId ?? null };
      this.send(this.config.raise_hand_url, body).then((answer) => {
        if (answer) this.$("speak-topic").value = "";
      });
    });
    this.$("withdraw-hand").addEventListener("click", (event) => {
      this.send(this.url("speaking_url", event.target.dataset.id, "withdraw"));
    });
    this.$("close-vote").addEventListener("click", () => {
      const vote = this.state.vote;
      if (!vote) return;
      ask(this.labels.confirm_close).then((yes) => {
        if (yes) this.send(this.url("close_vote_url", vote.vote_id));
      });
    });
    this.$("vote-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const custom = this.$("vote-options-text").value.split("\n").map((s) => s.trim()).filter(Boolean);
      this.send(this.config.open_vote_url, {
        item_id: Number(this.$("vote-item").value),
        question: this.$("vote-question-input").value,
        secret: this.$("vote-secret").checked,
        options: custom.length ? custom : null,
        rule: this.$("vote-rule").value,
      }).then((answer) => {
        if (!answer) return;
        this.$("vote-question-input").value = "";
        this.$("vote-options-text").value = "";
        this.$("vote-form").querySelector("details").open = false;
      });
    });
  }
}
