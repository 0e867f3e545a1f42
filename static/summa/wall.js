/* The wall fits the room: every note of the current view on one screen, never scrolled.
 *
 * The CSS lays the page out as a 100vh column and the columns as a grid; this step picks
 * how many grid columns the groups (or prompts) take and the largest note type size at
 * which every note is in view. When even the smallest readable size is not enough, older
 * notes are condensed to two lines, then one (the newest note of a column stays whole),
 * and as a last resort each column shows its newest notes. The dot-vote chart shrinks the
 * same way. Sizes are set as CSS custom properties with style.setProperty, which the CSP
 * allows (no inline style attribute in the markup). Runs on load, on resize and whenever
 * a note, a column or the stage arrives or leaves.
 */
(function () {
  "use strict";

  var MIN_SIZE = 10; // px: the smallest note type, still legible on a projector up close
  var MIN_COLUMN_WIDTH = 140; // px
  var LEVELS = ["", "wall--condensed", "wall--tight"];

  function maxSize() {
    return Math.max(16, Math.min(window.innerWidth * 0.018, window.innerHeight * 0.045));
  }

  // Below this, whole notes give way to condensed older ones (1080 px: 13.5 px type).
  function readableSize() {
    return Math.max(MIN_SIZE, Math.min(18, window.innerHeight / 80));
  }

  function notesFit(grid) {
    if (grid.scrollHeight > grid.clientHeight + 1) { return false; }
    var boxes = grid.querySelectorAll(".column:not([hidden]) .column__notes");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1) {
        return false;
      }
    }
    return true;
  }

  function fitsAt(grid, size) {
    grid.style.setProperty("--wall-note-size", size + "px");
    return notesFit(grid);
  }

  // The largest size in [low, high] at which everything fits, or 0 if not even low does.
  function largest(grid, low, high) {
    if (!fitsAt(grid, low)) { return 0; }
    if (fitsAt(grid, high)) { return high; }
    while (high - low > 0.5) {
      var middle = (low + high) / 2;
      if (fitsAt(grid, middle)) { low = middle; } else { high = middle; }
    }
    return low;
  }

  // Try each number of grid columns that gives a different number of rows, and within
  // a wide column (a prompt with half the room's notes) the notes in sub-columns.
  function bestLayout(grid, count) {
    var room = Math.max(1, Math.floor(grid.clientWidth / MIN_COLUMN_WIDTH));
    var widest = Math.min(count, room);
    var best = { size: 0, columns: widest, sub: 1 };
    for (var columns = 1; columns <= widest; columns++) {
      var rows = Math.ceil(count / columns);
      if (columns > 1 && Math.ceil(count / (columns - 1)) === rows) { continue; }
      // Sub-columns only when the groups (or prompts) stand in one row: fewer layouts to try.
      var subs = columns === count ? Math.floor(room / columns) : 1;
      for (var sub = 1; sub <= subs; sub++) {
        grid.style.setProperty("--wall-columns", String(columns));
        grid.style.setProperty("--wall-subcolumns", subcolumns(sub));
        var floor = Math.max(MIN_SIZE, best.size + 0.5);
        var size = floor > maxSize() ? 0 : largest(grid, floor, maxSize());
        if (size > best.size) { best = { size: size, columns: columns, sub: sub }; }
      }
    }
    return best;
  }

  // One column of notes is no multi-column box at all: what overflows it goes down, where
  // the last resort below can scroll to the newest note (not sideways, out of sight).
  function subcolumns(count) {
    return count > 1 ? String(count) : "auto";
  }

  function apply(stage, grid, level, layout) {
    LEVELS.forEach(function (name) { if (name) { stage.classList.remove(name); } });
    if (level) { stage.classList.add(level); }
    grid.style.setProperty("--wall-columns", String(layout.columns));
    grid.style.setProperty("--wall-subcolumns", subcolumns(layout.sub));
    grid.style.setProperty("--wall-note-size", Math.max(layout.size, MIN_SIZE) + "px");
  }

  function fitColumns(stage) {
    var grid = stage.querySelector(".columns");
    if (!grid || !grid.getClientRects().length) { return; }
    var count = grid.querySelectorAll(":scope > .column:not([hidden])").length || 1;
    var chosen = null;
    for (var i = 0; i < LEVELS.length; i++) {
      apply(stage, grid, LEVELS[i], { columns: 1, sub: 1, size: MIN_SIZE });
      var layout = bestLayout(grid, count);
      if (!chosen || layout.size > chosen.layout.size) { chosen = { level: LEVELS[i], layout: layout }; }
      if (layout.size >= readableSize()) { break; }
    }
    if (chosen.layout.size === 0) {
      // Nothing fits, even with every older note on one line: the tightest, most even grid.
      var rows = Math.ceil(count / chosen.layout.columns);
      var even = { size: MIN_SIZE, columns: Math.ceil(count / rows), sub: 1 };
      chosen = { level: LEVELS[LEVELS.length - 1], layout: even };
    }
    apply(stage, grid, chosen.level, chosen.layout);
    // Whatever still does not fit, the newest notes are the ones in view.
    grid.querySelectorAll(".column__notes").forEach(function (box) {
      box.scrollTop = box.scrollHeight;
    });
  }

  function fitVote(stage) {
    var vote = stage.querySelector(".vote-wall");
    if (!vote) { return; }
    var grid = stage.querySelector(".columns");
    var share = grid && grid.getClientRects().length ? 0.5 : 1;
    function fits(size) {
      vote.style.setProperty("--wall-vote-size", size + "px");
      return stage.scrollHeight <= stage.clientHeight + 1 &&
        vote.offsetHeight <= stage.clientHeight * share + 1;
    }
    var low = 8, high = Math.max(18, window.innerHeight * 0.04);
    if (fits(high)) { return; }
    if (!fits(low)) { return; }
    while (high - low > 0.5) {
      var middle = (low + high) / 2;
      if (fits(middle)) { low = middle; } else { high = middle; }
    }
    fits(low);
  }

  var fitted = null; // the stage's head and board and the screen size the last full fit was for

  function fit() {
    var stage = document.getElementById("wall-stage");
    if (!stage) { return; }
    var grid = stage.querySelector(".columns");
    var screen = window.innerWidth + "x" + window.innerHeight;
    // The head and the board are swapped on their own (live.js): a new one is a new layout.
    var head = document.getElementById("wall-head");
    var board = document.getElementById("wall-board");
    // A note arrived on a fitted wall and it still fits: nothing to do (the common case).
    if (fitted && fitted.head === head && fitted.board === board && fitted.screen === screen &&
        grid && notesFit(grid) && stage.scrollHeight <= stage.clientHeight + 1) {
      return;
    }
    var started = window.performance.now();
    fitVote(stage);
    fitColumns(stage);
    fitted = { head: head, board: board, screen: screen };
    // How long a full fit took (ms), for the browser tests and a curious facilitator.
    document.body.setAttribute("data-wall-fitted", String(Math.round(window.performance.now() - started)));
  }

  var queued = false;
  function later() {
    if (queued) { return; }
    queued = true;
    window.requestAnimationFrame(function () { queued = false; fit(); });
  }

  // The timer's tick and the announcer change text every second: no reason to refit.
  function matters(record) {
    var target = record.target.nodeType === 1 ? record.target : record.target.parentElement;
    return !(target && target.closest(".timer, #announcer, #connection"));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var main = document.getElementById("main");
    fit();
    if (main) {
      new MutationObserver(function (records) {
        if (records.some(matters)) { later(); }
      }).observe(main, { childList: true, subtree: true });
    }
    window.addEventListener("resize", later);
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(later); }
  });
})();
