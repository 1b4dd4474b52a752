// Behaviour shared by every page: confirmations, list filters, selects that submit their form.
// (No inline handlers anywhere: the Content-Security-Policy allows scripts from our origin only.)

document.querySelectorAll("form[data-confirm]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
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
