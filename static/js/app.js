// Progressive enhancement only: every page works without this file.
document.documentElement.classList.remove("no-js");

document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }
  // Menus that filter the page (the team on the dashboard and a review) apply at once; without
  // this file their form has a Show button instead.
  document.querySelectorAll("select[data-submit-on-change]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
  // An action that cannot be undone asks first: here in a dialog, otherwise the server shows a
  // confirmation page. Saying yes here tells the server it need not ask again.
  document.querySelectorAll("form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      const question = (event.submitter && event.submitter.dataset.confirm) || form.dataset.confirm;
      if (!question) return;
      if (!window.confirm(question)) {
        event.preventDefault();
        return;
      }
      const yes = document.createElement("input");
      yes.type = "hidden";
      yes.name = "confirmed";
      yes.value = "yes";
      form.appendChild(yes);
    });
  });
});
