/* The console's synthesis board: notes into themes by mouse, touch or keyboard.
 *
 * Every change is a form (it works without this script, as a plain POST). Here
 * the forms are sent in the background, and the board comes back in the answer
 * with a sentence for screen readers (HX-Trigger "summa:announce"). Dragging
 * posts the same form: HTML5 drag events for a mouse, pointer events for a
 * finger or a pen (browsers fire no drag events on touch). When another
 * console or a phone changes the round, the console socket says so and the
 * board is fetched again. No inline script: the page's CSP forbids it.
 */
(function () {
  "use strict";

  var t = window.gettext || function (s) { return s; };
  var gettext = t;  // by name, so makemessages -d djangojs finds the strings

  function board() { return document.getElementById("theme-board"); }

  function announce(text) {
    if (window.Summa && window.Summa.announce) { window.Summa.announce(text); }
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("data-hx-headers") || document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function feedback(html) {
    var region = document.getElementById("themes-feedback");
    if (region) { region.innerHTML = html; }
  }

  var busy = 0;
  var stale = false;

  // The new board, keeping focus where it was (ids are stable: the moved
  // note's list keeps its id, so a keyboard user stays on the note).
  function replaceBoard(html, keepUnsent) {
    var old = board();
    if (!old) { return; }
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var fresh = holder.content.querySelector("#theme-board");
    if (!fresh) { return; }
    // Answers may cross: a board older than the one shown is dropped.
    if (parseInt(fresh.dataset.seq || "0", 10) < parseInt(old.dataset.seq || "0", 10)) { return; }
    var active = document.activeElement;
    var focusId = null;
    // What a keyboard user was choosing or typing stays when another console's change redraws.
    var unsent = keepUnsent && active && old.contains(active) && active.id && active.matches("select, input") ? active.value : null;
    if (active && old.contains(active)) {
      var note = active.closest("[data-note]");
      var holder = active.closest("[id]");
      focusId = active.id || (note ? "move-" + note.dataset.note : holder && holder.id);
    }
    var open = Array.prototype.map.call(old.querySelectorAll("details[open]"), function (d) { return d.parentElement.id; });
    old.replaceWith(fresh);
    open.forEach(function (id) {
      var details = id && document.querySelector("#" + CSS.escape(id) + " > details");
      if (details) { details.open = true; }
    });
    if (focusId) {
      var target = document.getElementById(focusId);
      if (target) {
        if (unsent !== null && target.id === active.id && target.matches("select, input")) {
          var keep = target.tagName !== "SELECT" || Array.prototype.some.call(target.options, function (o) { return o.value === unsent; });
          if (keep) { target.value = unsent; }
        }
        if (!target.matches("a, button, input, select, textarea, [tabindex]")) { target.setAttribute("tabindex", "-1"); }
        target.focus({ preventScroll: true });
      }
    }
  }

  function request(method, url, body) {
    busy += 1;
    return fetch(url, {
      method: method,
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" }
    }).then(function (response) {
      return response.text().then(function (text) {
        if (response.ok) {
          feedback("");
          replaceBoard(text);
          var trigger = response.headers.get("HX-Trigger");
          if (trigger) {
            try { announce(JSON.parse(trigger)["summa:announce"].text); } catch (e) { /* no sentence */ }
          }
        } else if (response.status === 400) {
          feedback(text);
          var holder = document.createElement("div");
          holder.innerHTML = text;
          announce(holder.textContent.trim());
          refresh();
        } else {
          feedback("");
          announce(gettext("That did not work. Reload the page."));
        }
      });
    }).catch(function () {
      announce(gettext("No connection. The change was not saved."));
    }).finally(function () {
      busy -= 1;
      if (stale && !busy) { stale = false; refresh(); }
    });
  }

  // The newest event the board must show. A board rendered after it (this
  // console's own answer to its change) shows it already: no second fetch, and
  // no board swapped under a finger or a mouse in the middle of the next drag.
  var wanted = 0;
  function behind() {
    var current = board();
    return !!current && (!wanted || parseInt(current.dataset.seq || "0", 10) < wanted);
  }

  function refresh() {
    var current = board();
    if (!current || !behind()) { stale = false; return; }
    if (busy || dragging) { stale = true; return; }
    busy += 1;
    fetch(current.dataset.boardUrl, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) { if (text && !dragging) { replaceBoard(text, true); } else if (text) { stale = true; } })
      .catch(function () { /* the next frame or the periodic sync tries again */ })
      .finally(function () { busy -= 1; if (stale && !busy && !dragging) { stale = false; refresh(); } });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-theme-form]") || !board() || !board().contains(form)) { return; }
    event.preventDefault();
    request("POST", form.action, new FormData(form));
  });

  // --- Live: another console, or a phone, changed what the board shows ------
  var pending = null;
  document.addEventListener("summa:frame", function (event) {
    var frame = event.detail || {};
    var current = board();
    if (!current) { return; }
    var round = parseInt(current.dataset.round, 10);
    var data = frame.data || {};
    var ours = (frame.type === "themes.changed" && data.round_id === round) ||
      (frame.type === "note.deleted") ||
      (/^note\./.test(frame.type) && data.note && data.note.round_id === round);
    if (!ours) { return; }
    if (typeof frame.seq === "number") { wanted = Math.max(wanted, frame.seq); }
    if (!behind()) { return; }
    window.clearTimeout(pending);
    pending = window.setTimeout(refresh, 80);
  });

  // --- Dropping: onto a theme, onto "no theme", or onto another note --------
  var dragging = null;

  function dropTarget(element) {
    if (!element || !element.closest) { return null; }
    var note = element.closest("[data-note]");
    if (note && note !== dragging) { return note; }
    return element.closest("[data-drop-theme]");
  }

  function drop(note, target) {
    if (!note || !target || target === note) { return; }
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    if (target.hasAttribute("data-note")) {
      body.append("onto", target.dataset.note);
    } else {
      body.append("theme", target.dataset.dropTheme);
    }
    request("POST", note.dataset.moveUrl, body);
  }

  var marked = null;
  function mark(target) {
    if (marked === target) { return; }
    if (marked) { marked.classList.remove("is-drop-target"); }
    marked = target;
    if (marked) { marked.classList.add("is-drop-target"); }
  }

  function endDrag() {
    if (dragging) { dragging.classList.remove("is-dragging", "is-touch-dragging"); dragging.style.transform = ""; }
    dragging = null;
    mark(null);
    if (stale && !busy) { stale = false; refresh(); }
  }

  // Mouse: HTML5 drag and drop.
  document.addEventListener("dragstart", function (event) {
    var note = event.target.closest && event.target.closest("[data-note]");
    if (!note || !board() || !board().contains(note)) { return; }
    dragging = note;
    note.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", note.dataset.note);
  });
  document.addEventListener("dragover", function (event) {
    if (!dragging) { return; }
    var target = dropTarget(event.target);
    if (target) { event.preventDefault(); event.dataTransfer.dropEffect = "move"; }
    mark(target);
  });
  document.addEventListener("drop", function (event) {
    if (!dragging) { return; }
    event.preventDefault();
    var note = dragging;
    var target = dropTarget(event.target);
    endDrag();
    drop(note, target);
  });
  document.addEventListener("dragend", endDrag);

  // Touch and pen: pointer events on the note's handle (which takes no scrolling).
  var touch = null;
  document.addEventListener("pointerdown", function (event) {
    if (event.pointerType === "mouse") { return; }
    var handle = event.target.closest && event.target.closest(".theme-note__handle");
    var note = handle && handle.closest("[data-note]");
    if (!note || !board() || !board().contains(note)) { return; }
    touch = { id: event.pointerId, note: note, x: event.clientX, y: event.clientY };
    handle.setPointerCapture(event.pointerId);
  });
  document.addEventListener("pointermove", function (event) {
    if (!touch || event.pointerId !== touch.id) { return; }
    var dx = event.clientX - touch.x;
    var dy = event.clientY - touch.y;
    if (!dragging && Math.abs(dx) + Math.abs(dy) < 8) { return; }
    dragging = touch.note;
    dragging.classList.add("is-dragging", "is-touch-dragging");
    dragging.style.transform = "translate(" + dx + "px," + dy + "px)";
    mark(dropTarget(document.elementFromPoint(event.clientX, event.clientY)));
    event.preventDefault();
  });
  function pointerEnd(event) {
    if (!touch || event.pointerId !== touch.id) { return; }
    var note = dragging;
    var target = note ? dropTarget(document.elementFromPoint(event.clientX, event.clientY)) : null;
    touch = null;
    endDrag();
    if (note && event.type === "pointerup") { drop(note, target); }
  }
  document.addEventListener("pointerup", pointerEnd);
  document.addEventListener("pointercancel", pointerEnd);
})();
