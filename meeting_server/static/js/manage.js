// Secretary's preparation page: uploads with a real progress bar and agenda drag-and-drop.
// Plain ES module, no framework.

const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

function uploadWithProgress(form) {
  const progress = form.querySelector("progress");
  const status = form.querySelector(".upload-status");
  const fileInput = form.querySelector('input[type="file"]');
  if (!fileInput.files.length) return;
  const body = new FormData(form); // before disabling: disabled inputs are left out of FormData
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.setRequestHeader("X-CSRFToken", csrfToken);
  xhr.setRequestHeader("X-Requested-With", "fetch");
  xhr.setRequestHeader("Accept", "application/json");
  progress.hidden = false;
  progress.value = 0;
  status.className = "upload-status small";
  form.querySelectorAll("button, input").forEach((el) => { el.disabled = true; });
  xhr.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) {
      progress.value = Math.round((event.loaded / event.total) * 100);
      status.textContent = `${progress.value}%`;
    }
  });
  xhr.addEventListener("load", () => {
    let answer = {};
    try { answer = JSON.parse(xhr.responseText); } catch { /* non-JSON error page */ }
    if (xhr.status >= 200 && xhr.status < 300 && answer.ok) {
      progress.value = 100;
      status.textContent = "✓";
      status.classList.add("ok");
      window.location.reload();
      return;
    }
    fail(answer.error || `HTTP ${xhr.status}`);
  });
  xhr.addEventListener("error", () => fail(document.documentElement.lang === "vi"
    ? "Mất kết nối khi tải lên. Kiểm tra mạng rồi thử lại."
    : "The connection failed during the upload. Check the network and try again."));

  function fail(message) {
    progress.hidden = true;
    status.textContent = message;
    status.classList.add("error");
    status.setAttribute("role", "alert");
    form.querySelectorAll("button, input").forEach((el) => { el.disabled = false; });
    fileInput.value = "";
  }
  xhr.send(body);
}

document.querySelectorAll("form.js-upload").forEach((form) => {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    uploadWithProgress(form);
  });
  form.querySelectorAll(".js-autosubmit").forEach((input) => {
    input.addEventListener("change", () => uploadWithProgress(form));
  });
});

function enableAgendaDrag(list) {
  let dragged = null;
  list.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("li[data-item-id]");
    if (!dragged) return;
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.itemId);
  });
  list.addEventListener("dragover", (event) => {
    const over = event.target.closest("li[data-item-id]");
    if (!dragged || !over || over === dragged) return;
    event.preventDefault();
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
  });
  list.addEventListener("dragend", async () => {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    dragged = null;
    const order = [...list.querySelectorAll("li[data-item-id]")].map((li) => Number(li.dataset.itemId));
    const response = await fetch(list.dataset.reorderUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, Accept: "application/json" },
      body: JSON.stringify({ order }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok || !body.ok) window.alert(body.error || `HTTP ${response.status}`);
    window.location.reload();
  });
}

const agendaList = document.getElementById("agenda-list");
if (agendaList) enableAgendaDrag(agendaList);
