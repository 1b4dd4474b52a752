// Behaviour shared by every page: the phone menu, confirmations asked in the page, list
// filters, selects that submit their form.
// (No inline handlers anywhere: the Content-Security-Policy allows scripts from our origin only.)
import { ask } from "./lib/ask.js";

const topbar = document.getElementById("topbar");
const menuToggle = document.getElementById("menu-toggle");
function openMenu(open) {
  topbar.classList.toggle("open", open);
  menuToggle.setAttribute("aria-expanded", String(open));
}
menuToggle?.addEventListener("click", () => openMenu(!topbar.classList.contains("open")));
document.addEventListener("click", (event) => {
  if (topbar?.classList.contains("open") && !topbar.contains(event.target)) openMenu(false);
});
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && topbar?.classList.contains("open")) { openMenu(false); menuToggle.focus(); }
});

// A form asks before it leaves (data-confirm on the form), or only when one of its buttons
// sends it (data-confirm on that button: "Send for signing" beside "Save draft").
document.querySelectorAll("form[data-confirm], form:has(button[data-confirm])").forEach((form) => {
  form.addEventListener("submit", async (event) => {
    if (form.dataset.confirmed === "yes") return; // asked and answered: let it go
    const submitter = event.submitter;
    const question = submitter?.dataset.confirm || form.dataset.confirm;
    if (!question) return;
    event.preventDefault();
    if (await ask(question)) {
      form.dataset.confirmed = "yes"; // (the submit event runs inside requestSubmit)
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      delete form.dataset.confirmed;
    }
  });
});

document.querySelectorAll("input.js-filter").forEach((input) => {
  const target = document.querySelector(input.dataset.target);
  input.addEventListener("input", () => {
    const needle = input.value.trim().toLowerCase();
    target.querySelectorAll("[data-search]").forEach((row) => {
      row.hidden = needle !== "" && !row.dataset.search.includes(needle);
    });
  });
});

document.querySelectorAll("[data-autosubmit]").forEach((field) => {
  field.addEventListener("change", () => field.form.submit());
});

// "Copy" beside a value shown once (a calendar address, an API key, a webhook secret):
// button[data-copy="#input"] puts it on the clipboard and says so in the section's
// [role=status]. (The Clipboard API needs a secure context; elsewhere the selected text is
// copied.)

async function copyText(input) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(input.value);
    return true;
  }
  input.focus();
  input.select();
  return document.execCommand("copy");
}

document.querySelectorAll("button[data-copy]").forEach((button) => {
  const input = document.querySelector(button.dataset.copy);
  const status = button.closest("section")?.querySelector("[role=status]");
  input.addEventListener("focus", () => input.select());
  button.addEventListener("click", async () => {
    let copied = false;
    try {
      copied = await copyText(input);
    } catch {
      copied = false;
    }
    input.select(); // selected either way: a long press copies it if the button could not
    if (status) status.textContent = copied ? button.dataset.copied : button.dataset.failed;
  });
});
