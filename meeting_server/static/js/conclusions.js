// The conclusion notice's editor: the person list follows the chosen unit, and "Add an item"
// copies an empty row (the form works without this script: it always has empty rows).

const list = document.getElementById("notice-items");

function followUnit(row) {
  const unit = row.querySelector(".item-unit");
  const person = row.querySelector(".item-assignee");
  const apply = () => {
    for (const option of person.querySelectorAll("option[data-unit]")) {
      option.hidden = option.dataset.unit !== unit.value;
    }
    const chosen = person.selectedOptions[0];
    if (chosen?.dataset.unit && chosen.dataset.unit !== unit.value) person.value = "";
    person.disabled = !unit.value;
  };
  unit.addEventListener("change", apply);
  apply();
}

function addItem() {
  const rows = list.querySelectorAll(".notice-item");
  const copy = rows[rows.length - 1].cloneNode(true);
  for (const field of copy.querySelectorAll("textarea, input")) field.value = "";
  for (const select of copy.querySelectorAll("select")) select.value = "";
  list.append(copy);
  followUnit(copy);
  copy.querySelector("textarea").focus();
}

if (list) {
  list.querySelectorAll(".notice-item").forEach(followUnit);
  const button = document.getElementById("add-item");
  button.hidden = false;
  button.addEventListener("click", addItem);
  // a disabled select is not sent: enable them all before the form leaves, rows stay aligned
  document.getElementById("notice-form").addEventListener("submit", () => {
    for (const select of list.querySelectorAll(".item-assignee")) select.disabled = false;
  });
}
