// The request form shows the parts that concern the chosen right only
// (without script every part shows, and each is optional).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-testid='request-form']");
  if (!form) return;
  const parts = form.querySelectorAll("[data-for-kind]");
  const update = () => {
    const chosen = form.querySelector("input[name='kind']:checked");
    parts.forEach((part) => {
      part.hidden = !chosen || part.dataset.forKind !== chosen.value;
    });
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "kind") update();
  });
  update();
});
