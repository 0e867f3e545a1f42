/* Summa's live screens on top of htmx's WebSocket extension.
 *
 * Every frame is JSON: {type, seq, html, data, cards}. The element with
 * ws-connect remembers the last seq in data-seq; a frame it has seen is
 * dropped, and after a reconnect (or, on the wall and console, a gap) it asks
 * the server to "resume" after that seq and gets exactly what it missed.
 * "cards" are inserted, replaced or removed by id; "html" is left to htmx as
 * out-of-band swaps. No inline script: the page's CSP forbids it.
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

  // One polite live region per page (#announcer in base.html): the timer and new
  // notes speak through it, so a screen reader hears a sentence, not every tick.
  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 150);
  }

  function lastSeq(host) { return parseInt(host.dataset.seq || "0", 10); }

  function send(host, message) {
    var socket = sockets.get(host);
    if (socket) { socket.send(JSON.stringify(message), host); }
  }

  function resume(host) {
    host.dataset.resuming = "1";
    send(host, { type: "resume", after: lastSeq(host) });
  }

  function applyCard(card) {
    var existing = document.getElementById(card.id);
    if (card.remove) {
      if (existing) { existing.remove(); }
      return;
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
    } else {
      return;  // only replaces what a screen shows
    }
    htmx.process(element);
    element.dispatchEvent(new CustomEvent("summa:card", { bubbles: true, detail: { replaced: !!existing } }));
  }

  htmx.defineExtension("summa-live", {
    transformResponse: function (text, xhr, host) {
      if (xhr) { return text; }
      var frame;
      try { frame = JSON.parse(text); } catch (e) { return ""; }
      if (frame.type === "reload") { window.location.reload(); return ""; }
      if (frame.type === "resumed") {
        delete host.dataset.resuming;
        if (host.dataset.pendingGap) { delete host.dataset.pendingGap; resume(host); }
        return "";
      }
      if (frame.type === "error") {
        document.dispatchEvent(new CustomEvent("summa:error", { detail: frame }));
        return "";
      }
      if (typeof frame.seq === "number") {
        var last = lastSeq(host);
        if (frame.replay) {
          // From the database: safe to apply again (it shows the current state).
          if (frame.seq > last) { host.dataset.seq = String(frame.seq); }
          (frame.cards || []).forEach(applyCard);
          document.dispatchEvent(new CustomEvent("summa:frame", { detail: frame }));
          return frame.html || "";
        }
        if (frame.seq <= last) { return ""; }
        if (host.dataset.gapCheck === "strict" && frame.seq > last + 1) {
          // Something was lost on the way: fetch it, in order, from the database.
          if (host.dataset.resuming) { host.dataset.pendingGap = "1"; } else { resume(host); }
          return "";
        }
        host.dataset.seq = String(frame.seq);
      }
      (frame.cards || []).forEach(applyCard);
      document.dispatchEvent(new CustomEvent("summa:frame", { detail: frame }));
      return frame.html || "";
    }
  });

  function setOnline(online) {
    document.body.classList.toggle("is-offline", !online);
    document.body.classList.toggle("is-online", online);
    var banner = document.getElementById("connection");
    if (banner) { banner.hidden = online; }
  }

  // Now and then every screen asks again for what happened since its last sync.
  // That covers what a live push can lose without a gap to show it: a phone only
  // sees its own group's sequence numbers, and a frame sent while the channel
  // layer was away is lost without a reconnect.
  var SYNC_MS = 20000;

  function periodicSync(host) {
    window.setTimeout(function () {
      if (document.body.classList.contains("is-online") && !host.dataset.resuming) {
        var since = parseInt(host.dataset.syncedSeq || host.dataset.seq || "0", 10);
        host.dataset.syncedSeq = host.dataset.seq || "0";
        host.dataset.resuming = "1";
        send(host, { type: "resume", after: since });
      }
      periodicSync(host);
    }, SYNC_MS * (0.75 + Math.random() / 2));
  }

  document.addEventListener("htmx:wsOpen", function (event) {
    var host = event.target;
    var first = !sockets.has(host);
    sockets.set(host, event.detail.socketWrapper);
    setOnline(true);
    resume(host);
    host.dataset.syncedSeq = host.dataset.seq || "0";
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

  window.Summa = { send: send, t: t, announce: announce };
})();
