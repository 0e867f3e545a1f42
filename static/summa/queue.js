/* The console's queue of held notes, by keyboard: A approves and H hides the note
 * in focus, the arrow keys move between notes, and when a note leaves the queue
 * (approved here or by someone else) the focus moves on to the next one. */
(function () {
  "use strict";

  function queue() { return document.getElementById("held-queue"); }
  function cards() { return Array.prototype.slice.call(queue().querySelectorAll("[data-held-note]")); }

  document.addEventListener("keydown", function (event) {
    var list = queue();
    var card = event.target.closest && event.target.closest("[data-held-note]");
    if (!list || !card || !list.contains(card) || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key.toLowerCase();
    var all = cards();
    var index = all.indexOf(card);
    if (key === "a" || key === "h") {
      var button = card.querySelector(key === "a" ? "[data-approve]" : "[data-hide]");
      if (button) { event.preventDefault(); button.click(); }
    } else if (key === "arrowdown" || key === "j") {
      if (all[index + 1]) { event.preventDefault(); all[index + 1].focus(); }
    } else if (key === "arrowup" || key === "k") {
      if (all[index - 1]) { event.preventDefault(); all[index - 1].focus(); }
    }
  });

  var focusedIndex = -1;
  document.addEventListener("focusin", function (event) {
    var list = queue();
    var card = list && event.target.closest && event.target.closest("[data-held-note]");
    focusedIndex = card ? cards().indexOf(card) : -1;
  });

  document.addEventListener("DOMContentLoaded", function () {
    var list = queue();
    if (!list) { return; }
    new MutationObserver(function () {
      var all = cards();
      list.parentElement.classList.toggle("is-empty", all.length === 0);
      if (focusedIndex < 0 || list.contains(document.activeElement)) { return; }
      var next = all[Math.min(focusedIndex, all.length - 1)];
      if (next) { next.focus(); } else { focusedIndex = -1; }
    }).observe(list, { childList: true });
    list.parentElement.classList.toggle("is-empty", cards().length === 0);
  });
})();
