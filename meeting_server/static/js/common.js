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

document.querySelectorAll("form[data-confirm]").forEach((form) => {
  form.addEventListener("submit", async (event) => {
    if (form.dataset.confirmed === "yes") return; // asked and answered: let it go
    event.preventDefault();
    const submitter = event.submitter;
    if (await ask(form.dataset.confirm)) {
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
