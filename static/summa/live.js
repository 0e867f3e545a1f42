/* Summa's live screens on top of htmx's WebSocket extension.
 *
 * Every frame is JSON: {type, seq, html, data, cards}. Several server processes
 * send frames, so they may come late or out of order: none is dropped for its
 * number. A card (a note, a count) is placed by its id unless this screen
 * already shows a newer version of it; an out-of-band block (the stage) is
 * swapped unless a newer one is shown or it is the same as what is shown.
 *
 * The element with data-ws-connect keeps in data-seq the point it is complete up
 * to. After a reconnect, now and then, and on the wall and console when a gap
 * in the numbers does not close by itself, it asks the server to "resume"
 * after that point and gets nothing (it missed nothing) or one "snapshot" of
 * its whole view. "html" is left to htmx as out-of-band swaps. No inline
 * script: the page's CSP forbids it.
 */
(function () {
  "use strict";

  // Backoff with full jitter, capped at 8 s: a room of phones does not come back in step.
  htmx.config.wsReconnectDelay = function (retry) {
    var cap = Math.min(8000, 500 * Math.pow(2, retry));
    return Math.random() * cap;
  };

  var sockets = new WeakMap();
  var t = window.gettext || function (s) { return s; };
  var gettext = t;  // by name, so makemessages -d djangojs finds the strings
  var GAP_WAIT_MS = 1500;      // a late frame usually closes a gap by then
  var RESUME_RETRY_MS = 3000;  // a resume that got no answer, or an error, is asked again

  // One polite live region per page (#announcer in base.html): the timer and new
  // notes speak through it, so a screen reader hears a sentence, not every tick.
  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 150);
  }

  // What this screen shows, per host: the version (seq) of each card and block
  // it placed, the point it is complete up to, and the numbers seen past it.
  function state(host) {
    if (!host._summa) {
      var page = parseInt(host.dataset.seq || "0", 10);
      host._summa = { baseline: page, versions: new Map(), shown: new Map(), seen: new Set(), gapTimer: null };
    }
    return host._summa;
  }

  function completeUpTo(host) { return parseInt(host.dataset.seq || "0", 10); }

  function send(host, message) {
    var socket = sockets.get(host);
    if (socket) { socket.send(JSON.stringify(message), host); }
  }

  function resume(host) {
    var memory = state(host);
    if (host.dataset.resuming) { return; }
    host.dataset.resuming = "1";
    send(host, { type: "resume", after: completeUpTo(host) });
    // No answer (a socket that died meanwhile, a server that refused): ask again.
    window.clearTimeout(memory.resumeTimer);
    memory.resumeTimer = window.setTimeout(function () {
      if (host.dataset.resuming) { delete host.dataset.resuming; resume(host); }
    }, RESUME_RETRY_MS * 3);
  }

  function newer(memory, key, seq) {
    if (typeof seq !== "number") { return true; }
    var known = memory.versions.has(key) ? memory.versions.get(key) : memory.baseline;
    return seq > known;
  }

  function applyCard(memory, card, seq, force) {
    var existing = document.getElementById(card.id);
    if (!force && !newer(memory, card.id, seq)) { return; }
    if (typeof seq === "number") { memory.versions.set(card.id, seq); }
    if (card.remove) {
      if (existing) { existing.remove(); }
      return;
    }
    if (existing && existing.contains(document.activeElement) && force) {
      return;  // a snapshot does not pull a note from under the person editing it
    }
    var holder = document.createElement("template");
    holder.innerHTML = card.html.trim();
    var element = holder.content.firstElementChild;
    if (!element) { return; }
    if (existing) {
      existing.dispatchEvent(new CustomEvent("summa:replacing", { bubbles: true, detail: { next: element } }));
      existing.replaceWith(element);
    } else if (card.into) {
      var container = document.querySelector(card.into);
      if (!container) { return; }
      container.insertAdjacentElement(card.where || "beforeend", element);
      // A feed of the newest few (the console's newest notes) drops the oldest.
      while (card.keep && container.children.length > card.keep) {
        container.removeChild(card.where === "afterbegin" ? container.lastElementChild : container.firstElementChild);
      }
    } else {
      return;  // only replaces what a screen shows
    }
    htmx.process(element);
    element.dispatchEvent(new CustomEvent("summa:card", { bubbles: true, detail: { replaced: !!existing } }));
  }

  // A live frame redraws a block with a form the person is filling in (the vote
  // panel while notes arrive, the timer's minutes): what they chose or typed
  // carries over into the new block, and stays theirs on the next redraw too.
  function changedByPerson(field) {
    if (field.dataset.typed) { return true; }
    if (field.type === "checkbox" || field.type === "radio") { return field.checked !== field.defaultChecked; }
    if (field.tagName === "SELECT") {
      var options = Array.prototype.slice.call(field.options);
      if (field.multiple) { return options.some(function (o) { return o.selected !== o.defaultSelected; }); }
      // With no option marked selected, the browser shows the first one.
      var shown = options.findIndex(function (o) { return o.defaultSelected; });
      return field.selectedIndex !== Math.max(shown, 0);
    }
    return field.value !== field.defaultValue;
  }

  function twinOf(block, field) {
    if (field.type === "radio") {
      return block.querySelector('input[type=radio][name="' + CSS.escape(field.name) + '"][value="' + CSS.escape(field.value) + '"]');
    }
    if (field.id) { return block.querySelector("#" + CSS.escape(field.id)); }
    return field.name ? block.querySelector('[name="' + CSS.escape(field.name) + '"]') : null;
  }

  function keepWhatWasTyped(existing, block) {
    if (!existing) { return; }
    existing.querySelectorAll("input:not([type=hidden]):not([type=submit]), select, textarea").forEach(function (field) {
      if (field.type === "radio" && !field.checked) { return; }  // the checked one carries the choice
      if (!changedByPerson(field)) { return; }
      var twin = twinOf(block, field);
      if (!twin || twin.tagName !== field.tagName) { return; }
      if (field.type === "radio") {
        block.querySelectorAll('input[type=radio][name="' + CSS.escape(field.name) + '"]').forEach(function (r) {
          r.toggleAttribute("checked", r === twin);
          r.dataset.typed = "1";
        });
        return;
      }
      if (field.type === "checkbox") {
        twin.toggleAttribute("checked", field.checked);
      } else if (field.tagName === "SELECT") {
        var chosen = Array.prototype.filter.call(field.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
        var offered = Array.prototype.map.call(twin.options, function (o) { return o.value; });
        if (!chosen.every(function (v) { return offered.indexOf(v) >= 0; })) { return; }  // gone: the server's choice stands
        Array.prototype.forEach.call(twin.options, function (o) { o.toggleAttribute("selected", chosen.indexOf(o.value) >= 0); });
      } else if (field.tagName === "TEXTAREA") {
        twin.textContent = field.value;
      } else {
        twin.setAttribute("value", field.value);
      }
      twin.dataset.typed = "1";
    });
  }

  // The out-of-band blocks of a frame, less those this screen shows newer (a
  // stage frame that came late) and, in a snapshot, those it shows already.
  function freshBlocks(memory, html, seq, force) {
    if (!html) { return ""; }
    var holder = document.createElement("template");
    holder.innerHTML = html;
    Array.prototype.slice.call(holder.content.children).forEach(function (block) {
      if (!block.id) { return; }
      var markup = block.outerHTML;
      // A snapshot leaves alone what already shows the same (a phone's form being
      // typed in); a live frame swaps even the same markup, as what it holds may
      // load itself again (a vote's cards).
      if ((!force && !newer(memory, "#" + block.id, seq)) || (force && memory.shown.get(block.id) === markup)) {
        block.remove();
        return;
      }
      if (typeof seq === "number") { memory.versions.set("#" + block.id, seq); }
      memory.shown.set(block.id, markup);
      keepWhatWasTyped(document.getElementById(block.id), block);
    });
    return holder.innerHTML;
  }

  // Wall and console see every number: they know what they miss. The point they
  // are complete up to moves over each number seen; a gap that stays open asks.
  function counted(host, memory, seq) {
    if (host.dataset.gapCheck !== "strict" || typeof seq !== "number") { return; }
    var upTo = completeUpTo(host);
    if (seq <= upTo) { return; }
    memory.seen.add(seq);
    while (memory.seen.has(upTo + 1)) { memory.seen.delete(upTo + 1); upTo += 1; }
    host.dataset.seq = String(upTo);
    if (memory.seen.size && !memory.gapTimer) {
      memory.gapTimer = window.setTimeout(function () {
        memory.gapTimer = null;
        if (memory.seen.size) { resume(host); }
      }, GAP_WAIT_MS);
    }
  }

  function caughtUp(host, memory, upto) {
    delete host.dataset.resuming;
    window.clearTimeout(memory.resumeTimer);
    if (typeof upto !== "number") { return; }
    if (upto > completeUpTo(host)) { host.dataset.seq = String(upto); }
    memory.seen.forEach(function (seq) { if (seq <= upto) { memory.seen.delete(seq); } });
    counted(host, memory, upto);
  }

  htmx.defineExtension("summa-live", {
    transformResponse: function (text, xhr, host) {
      if (xhr) { return text; }
      var frame;
      try { frame = JSON.parse(text); } catch (e) { return ""; }
      var memory = state(host);
      if (frame.type === "resumed") { caughtUp(host, memory, frame.upto); return ""; }
      if (frame.type === "access.changed") {
        // Someone's role in the workshop was taken away: if it was ours, the page
        // reloads and shows what the server answers now (not found). The server
        // refuses every action of ours anyway; this stops the screen listening.
        var removed = (frame.data || {}).removed_user;
        if (removed !== undefined && String(removed) === document.body.dataset.user) { window.location.reload(); }
        return "";
      }
      if (frame.type === "error") {
        if (host.dataset.resuming) {
          // The resume was refused (the server was busy): ask again in a moment.
          delete host.dataset.resuming;
          window.setTimeout(function () { resume(host); }, RESUME_RETRY_MS * (0.5 + Math.random()));
        }
        document.dispatchEvent(new CustomEvent("summa:error", { detail: frame }));
        return "";
      }
      var snapshot = frame.type === "snapshot";
      if (snapshot) {
        // The whole view as of frame.seq: older frames still on their way are stale.
        memory.baseline = Math.max(memory.baseline, frame.seq);
        memory.versions.forEach(function (seq, key) { if (seq <= frame.seq) { memory.versions.delete(key); } });
      } else {
        counted(host, memory, frame.seq);
      }
      (frame.cards || []).forEach(function (card) { applyCard(memory, card, frame.seq, snapshot); });
      document.dispatchEvent(new CustomEvent("summa:frame", { detail: frame }));
      return freshBlocks(memory, frame.html, frame.seq, snapshot);
    }
  });

  function setOnline(online) {
    document.body.classList.toggle("is-offline", !online);
    document.body.classList.toggle("is-online", online);
    var banner = document.getElementById("connection");
    if (banner) { banner.hidden = online; }
  }

  // Now and then every screen asks whether it missed anything: that covers what a
  // live push can lose without a gap to show it (a phone sees only its own
  // group's numbers; a frame sent while the channel layer was away is lost
  // without a reconnect). Answered with nothing, or one snapshot. Phones ask
  // less often: a room of them should not keep the server busy.
  function periodicSync(host) {
    var every = host.dataset.gapCheck === "strict" ? 20000 : 60000;
    window.setTimeout(function () {
      if (document.body.classList.contains("is-online")) { resume(host); }
      periodicSync(host);
    }, every * (0.75 + Math.random() / 2));
  }

  document.addEventListener("htmx:wsOpen", function (event) {
    var host = event.target;
    var first = !sockets.has(host);
    sockets.set(host, event.detail.socketWrapper);
    setOnline(true);
    delete host.dataset.resuming;  // what was asked on the old socket is gone with it
    resume(host);
    if (first) { periodicSync(host); }
    document.dispatchEvent(new CustomEvent("summa:online"));
  });

  document.addEventListener("htmx:wsClose", function (event) {
    setOnline(false);
    var code = event.detail.event.code;
    if (code >= 4000) {
      // Refused (logged out, left the workshop): the page knows what to show.
      window.setTimeout(function () { window.location.reload(); }, 1000);
    } else if ([1006, 1011, 1012, 1013].indexOf(code) < 0) {
      // A close the extension will not retry by itself (a server going away): come back.
      var socket = event.detail.socketWrapper;
      window.setTimeout(function () { socket.reconnect(); }, 500 + Math.random() * 4000);
    }
  });

  // --- Timers: seconds counted down on the device, from the server's figure ---
  var deadlines = new WeakMap();

  function tick() {
    document.querySelectorAll("time[data-seconds-left]").forEach(function (element) {
      if (!deadlines.has(element)) {
        deadlines.set(element, Date.now() + 1000 * parseInt(element.dataset.secondsLeft, 10));
      }
      var left = Math.max(0, Math.ceil((deadlines.get(element) - Date.now()) / 1000));
      var text = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (element.textContent !== text) { element.textContent = text; }
      // The countdown itself is aria-live="off"; say only the two moments that matter.
      var before = element.dataset.left === undefined ? null : parseInt(element.dataset.left, 10);
      element.dataset.left = String(left);
      if (before !== null && before > 60 && left <= 60 && left > 0) { announce(gettext("One minute left.")); }
      if (before !== null && before > 0 && left === 0) { announce(gettext("Time is up.")); }
      var timer = element.closest(".timer");
      if (timer) { timer.classList.toggle("timer--ending", left <= 60); }
      var tries = parseInt(element.dataset.expired || "0", 10);
      if (left === 0 && tries < 10 && Date.now() - (deadlines.get(element) || 0) >= tries * 2000) {
        // The wall and the console tell the server, which closes the round once its
        // own clock agrees; until the round's close arrives they ask again now and then.
        element.dataset.expired = String(tries + 1);
        if (tries === 0) { document.dispatchEvent(new CustomEvent("summa:timeup")); }
        document.querySelectorAll("[data-gap-check=strict]").forEach(function (host) {
          send(host, { type: "timer.expired" });
        });
      }
    });
  }
  window.setInterval(tick, 1000);

  // A swap that replaces the focused control (the agenda after "Next", a note after
  // "Hide") must not throw a keyboard user back to the top of the page: focus the
  // control in the same place of the new content, or failing that the region.
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea, [tabindex]";
  var focusMemory = null;

  function rememberFocus() {
    var active = document.activeElement;
    var holder = active && active !== document.body ? active.closest("[id]") : null;
    focusMemory = holder && holder.id !== "main" ? {
      element: active,
      id: holder.id,
      index: Array.prototype.indexOf.call(holder.querySelectorAll(FOCUSABLE), active)
    } : null;
  }

  function restoreFocus() {
    var memory = focusMemory;
    focusMemory = null;
    if (!memory || document.contains(memory.element)) { return; }
    var active = document.activeElement;
    if (active && active !== document.body) { return; }
    var holder = document.getElementById(memory.id);
    if (!holder) { return; }
    var target = memory.index < 0 ? holder : holder.querySelectorAll(FOCUSABLE)[memory.index] || holder.querySelector(FOCUSABLE);
    if (!target) {
      target = holder;
      if (!holder.hasAttribute("tabindex")) { holder.setAttribute("tabindex", "-1"); }
    }
    target.focus({ preventScroll: true });
  }

  // A folded list the person opened (the console's planning list, data-keep-open) stays
  // open when a live frame redraws it; registered before the focus keeping, which needs it.
  var openDetails = [];
  function rememberOpen() {
    openDetails = Array.prototype.map.call(
      document.querySelectorAll("details[data-keep-open][open][id]"), function (d) { return d.id; });
  }
  function restoreOpen() {
    openDetails.forEach(function (id) {
      var details = document.getElementById(id);
      if (details) { details.open = true; }
    });
  }
  document.addEventListener("htmx:wsBeforeMessage", rememberOpen);
  document.addEventListener("htmx:beforeSwap", rememberOpen);
  document.addEventListener("htmx:wsAfterMessage", restoreOpen);
  document.addEventListener("htmx:afterSettle", restoreOpen);

  document.addEventListener("htmx:wsBeforeMessage", rememberFocus);
  document.addEventListener("htmx:beforeSwap", rememberFocus);
  document.addEventListener("htmx:wsAfterMessage", restoreFocus);
  document.addEventListener("htmx:afterSettle", restoreFocus);

  function fillQr() {
    var source = document.getElementById("join-qr");
    if (!source) { return; }
    document.querySelectorAll("[data-join-qr]").forEach(function (slot) {
      if (!slot.firstElementChild) { slot.appendChild(source.content.cloneNode(true)); }
    });
  }

  document.addEventListener("htmx:wsAfterMessage", function () { tick(); fillQr(); });
  document.addEventListener("DOMContentLoaded", function () { tick(); fillQr(); });

  // Ask the server now whether this screen is complete (after a page part was
  // fetched over HTTP, which may be older than frames already applied).
  function sync() {
    document.querySelectorAll("[ws-connect], [data-ws-connect]").forEach(function (host) {
      if (sockets.has(host)) { resume(host); }
    });
  }

  window.Summa = { send: send, t: t, announce: announce, sync: sync };
})();
