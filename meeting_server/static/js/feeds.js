// Calendar addresses: the "Copy" button puts the address shown once on the clipboard.
// (The Clipboard API needs a secure context; elsewhere the selected text is copied.)

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
