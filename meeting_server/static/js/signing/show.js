// A signing request's page: the preview, and Sign with the PIN without leaving the page
// (JSON; the form still works without this script).

import { showPdf } from "./preview.js";

const $ = (id) => document.getElementById(id);
const labels = JSON.parse($("sign-labels").textContent);
const preview = $("pdf-preview");
showPdf(preview, preview.dataset.url, labels).catch(() => {
  const failed = document.createElement("p");
  failed.className = "pdf-failed";
  failed.textContent = labels.failed;
  preview.replaceChildren(failed); // the Download button above still gives the file
});

const form = $("sign-form");
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

form?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const message = $("sign-message");
  const button = $("sign-button");
  button.disabled = true;
  message.hidden = false;
  message.className = "sign-message";
  message.textContent = labels.signing;
  const body = { pin: $("pin").value, code: $("code")?.value ?? "" };
  try {
    const response = await fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.ok && answer.ok) {
      message.className = "sign-message ok";
      message.textContent = answer.message || labels.signed;
      window.location.reload();
      return;
    }
    message.className = "sign-message error";
    message.textContent = answer.error || `HTTP ${response.status}`;
    const tries = form.querySelector('[data-testid="signing-tries"]');
    if (tries && answer.error) tries.hidden = true; // the refusal says what is left now
    $("pin").value = "";
    $("pin").focus();
  } catch {
    message.className = "sign-message error";
    message.textContent = labels.offline;
  }
  button.disabled = false;
});
