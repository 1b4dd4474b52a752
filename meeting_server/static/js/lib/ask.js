// In-page confirmation instead of the browser's confirm() box (which a tablet in kiosk mode may
// block, and which stops every script on the page while open): a modal <dialog> of the page
// (#ask-dialog, see templates/tablet/meeting.html), answered with its own buttons.

/** Ask ``text``; resolve true when the person confirms (``yes`` names the action). */
export function ask(text, yes) {
  const dialog = document.getElementById("ask-dialog");
  dialog.querySelector("#ask-text").textContent = text;
  dialog.querySelector("#ask-yes").textContent = yes ?? dialog.dataset.yes;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
    dialog.showModal();
    dialog.querySelector("#ask-no").focus(); // the safe answer first
  });
}
