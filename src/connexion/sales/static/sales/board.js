/* The kanban board: drag a card onto another column to move the deal. The
   move is the same POST as the card's own "Move to" form (which is what the
   keyboard uses), and the server answers with the whole board, so counts and
   sums are always the server's. */
(function () {
  "use strict";
  let dragged = null;
  let lastMoved = null;

  function column(element) {
    return element instanceof Element ? element.closest("[data-stage]") : null;
  }

  document.addEventListener("dragstart", function (event) {
    const card = event.target instanceof Element ? event.target.closest("[data-deal]") : null;
    if (!card) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.deal);
    card.classList.add("dragging");
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    document.querySelectorAll(".drop-target").forEach(function (el) {
      el.classList.remove("drop-target");
    });
  });

  document.addEventListener("dragover", function (event) {
    const target = column(event.target);
    if (!target || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".drop-target").forEach(function (el) {
      if (el !== target) el.classList.remove("drop-target");
    });
    target.classList.add("drop-target");
  });

  document.addEventListener("drop", function (event) {
    const target = column(event.target);
    if (!target || !dragged) return;
    event.preventDefault();
    const card = dragged;
    target.classList.remove("drop-target");
    if (column(card) === target) return;
    const form = card.querySelector("form.card-move");
    const owner = form ? form.querySelector("[name=owner]").value : "";
    lastMoved = card.dataset.deal;
    // Shown in its new column at once; the board the server sends replaces it.
    target.querySelector(".cards").prepend(card);
    htmx.ajax("POST", card.dataset.moveUrl, {
      source: card,
      target: "#board",
      swap: "outerHTML",
      values: { from: "board", stage: target.dataset.stage, owner: owner },
    });
  });

  document.addEventListener("submit", function (event) {
    const card = event.target.closest("[data-deal]");
    if (card) lastMoved = card.dataset.deal;
  });

  // A refused move (422) still shows the board with the reason.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422 && event.detail.target && event.detail.target.id === "board") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Keep the keyboard where it was: on the moved card, now in its new column.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!lastMoved || !document.getElementById("board")) return;
    const card = document.querySelector('[data-deal="' + lastMoved + '"]');
    lastMoved = null;
    if (!card || card.querySelector("[autofocus]")) return;
    const select = card.querySelector("select[name=stage]");
    (select || card.querySelector("a")).focus();
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-navigate]")) window.location.href = event.target.value;
  });
})();
