// Small behaviours of the interface, bound by data attributes: the
// Content-Security-Policy forbids inline script.
document.addEventListener("click", (event) => {
  const control = event.target.closest("[data-action]");
  if (!control) return;
  if (control.dataset.action === "print") {
    event.preventDefault();
    window.print();
  }
});
