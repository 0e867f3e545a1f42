/* The phone's notes: nothing written is lost on a flaky network.
 *
 * A note gets an id made here before it leaves. It waits in an outbox in
 * localStorage until the server says it is saved; a retry with the same id
 * never makes a second note. Each note shows sending / sent / not sent, and
 * the draft in the text box survives a reload.
 */
(function () {
  "use strict";
  // gettext by name, so makemessages -d djangojs finds the strings (catalog: /jsi18n/).
  var gettext = window.gettext || function (s) { return s; };
  var interpolate = window.interpolate || function (s, args) { return s.replace("%s", args[0]); };
  var body = document.body;
  var code = body.dataset.code;
  var me = body.dataset.participant;
  var outboxKey = "summa:outbox:" + code + ":" + me;
  var draftKey = "summa:draft:" + code + ":" + me;
  var RETRY_MS = 5000;
  var sending = {};

  function uuid4() {
    // crypto.randomUUID needs https; getRandomValues works on a plain-http LAN too.
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: memory only */ }
  }
  function outbox() { return load(outboxKey, []); }
  function setOutbox(items) { save(outboxKey, items); }

  // The page's one CSRF token lives in the body's hx-headers, which every htmx
  // request sends too. HTML pushed over the socket carries no token at all.
  function csrfToken() {
    try {
      var headers = JSON.parse(body.getAttribute("hx-headers") || body.getAttribute("data-hx-headers") || "{}");
      return headers["X-CSRFToken"] || "";
    } catch (e) { return ""; }
  }
  function setCsrfToken(token) {
    var name = body.hasAttribute("data-hx-headers") ? "data-hx-headers" : "hx-headers";
    body.setAttribute(name, JSON.stringify({ "X-CSRFToken": token }));
  }

  function list() {
    var section = document.getElementById("group-notes");
    return section ? section.querySelector(".note-list") : null;
  }

  function pendingCard(item) {
    var card = document.querySelector('[data-pending-id="' + item.client_id + '"]');
    if (card) { return card; }
    card = document.createElement("article");
    card.className = "note mine pending";
    card.dataset.pendingId = item.client_id;
    var text = document.createElement("p");
    text.className = "note__text";
    text.dir = "auto";
    text.textContent = item.text;
    var meta = document.createElement("p");
    meta.className = "note__meta";
    var status = document.createElement("span");
    status.className = "status";
    status.dataset.status = "";
    meta.appendChild(status);
    card.appendChild(text);
    card.appendChild(meta);
    var target = list();
    if (target) { target.insertAdjacentElement("afterbegin", card); }
    return card;
  }

  // "Sending…", or "Not sent" with the reason on a line of its own: said once.
  function showStatus(item, state, reason) {
    var card = pendingCard(item);
    card.dataset.state = state;
    var status = card.querySelector("[data-status]");
    status.textContent = state === "sending" ? gettext("Sending…") : gettext("Not sent");
    var why = card.querySelector(".note__reason");
    if (state === "failed" && reason) {
      if (!why) {
        why = document.createElement("p");
        why.className = "note__reason";
        card.appendChild(why);
      }
      why.textContent = reason;
    } else if (why) {
      why.remove();
    }
    var retry = card.querySelector("button.retry");
    if (state === "failed" && !retry) {
      retry = document.createElement("button");
      retry.type = "button";
      retry.className = "button button--small retry";
      retry.textContent = gettext("Try again");
      retry.addEventListener("click", function () { deliver(item); });
      card.appendChild(retry);
    } else if (state !== "failed" && retry) {
      retry.remove();
    }
  }

  function delivered(item, html) {
    setOutbox(outbox().filter(function (other) { return other.client_id !== item.client_id; }));
    var card = document.querySelector('[data-pending-id="' + item.client_id + '"]');
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    var element = holder.content.firstElementChild;
    if (element && document.getElementById(element.id)) {
      if (card) { card.remove(); }
    } else if (element && card) {
      card.replaceWith(element);
      htmx.process(element);
    }
    if (window.Summa) { window.Summa.announce(gettext("Note sent.")); }
  }

  function post(item) {
    var form = new FormData();
    form.append("client_id", item.client_id);
    form.append("text", item.text);
    form.append("prompt", item.prompt || "");
    form.append("topic", item.topic || "");
    return fetch(item.action, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) { return { status: response.status, answer: answer }; },
        function () { return { status: response.status, answer: {} }; });
    });
  }

  function deliver(item) {
    if (sending[item.client_id]) { return; }
    sending[item.client_id] = true;
    if (item.failed) {
      delete item.failed;
      setOutbox(outbox().map(function (other) { return other.client_id === item.client_id ? item : other; }));
    }
    showStatus(item, "sending");
    post(item).then(function (result) {
      // A stale token (the page waited while a login elsewhere rotated it): the
      // refusal brings a fresh one; send once more with it. The same client id
      // means a note is never saved twice.
      if (result.status === 403 && result.answer.csrf_token) {
        setCsrfToken(result.answer.csrf_token);
        return post(item);
      }
      return result;
    }).then(function (result) {
      delete sending[item.client_id];
      if (result.answer.ok) {
        delivered(item, result.answer.html);
      } else if (result.status >= 400 && result.status < 500 && result.status !== 429) {
        // The server looked at it and said no: keep the text, say why, let the person decide.
        item.failed = result.answer.error || gettext("The server refused the note.");
        setOutbox(outbox().map(function (other) { return other.client_id === item.client_id ? item : other; }));
        showStatus(item, "failed", item.failed);
      } else {
        showStatus(item, "failed", result.answer.error || gettext("No connection; trying again soon."));
      }
    }).catch(function () {
      delete sending[item.client_id];
      showStatus(item, "failed", gettext("No connection; trying again soon."));
    });
  }

  function flush() {
    outbox().forEach(function (item) { if (!item.failed) { deliver(item); } else { showStatus(item, "failed", item.failed); } });
  }

  function setupForm() {
    var form = document.getElementById("note-form");
    if (!form || form.dataset.ready) { return; }
    form.dataset.ready = "1";
    var textarea = form.querySelector("textarea");
    var counter = form.querySelector("[data-counter]");
    var error = document.getElementById("note-error");
    var draft = load(draftKey, "");
    if (draft && !textarea.value) { textarea.value = draft; }
    function count() { if (counter) { counter.textContent = String(textarea.value.trim().length); } }
    count();
    textarea.addEventListener("input", function () { save(draftKey, textarea.value); count(); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = textarea.value.trim();
      var message = "";
      if (!text.replace(/[\s\u200b-\u200f\u2060\ufeff]/g, "")) { message = gettext("Write something before you send the note."); }
      else if (text.length > 500) { message = gettext("A note can be at most 500 characters."); }
      error.hidden = !message;
      error.textContent = message;
      if (message) { textarea.focus(); return; }
      var prompt = form.querySelector("input[name=prompt]:checked");
      var topic = form.querySelector("input[name=topic]:checked");
      var item = {
        client_id: uuid4(),
        action: form.action,
        text: text,
        prompt: prompt ? prompt.value : "",
        topic: topic ? topic.value : ""
      };
      setOutbox(outbox().concat([item]));
      textarea.value = "";
      save(draftKey, "");
      count();
      var empty = document.querySelector("#group-notes .empty");
      if (empty) { empty.remove(); }
      deliver(item);
    });
  }

  function markMine(root) {
    (root || document).querySelectorAll(".note[data-author]").forEach(function (card) {
      card.classList.toggle("mine", card.dataset.author === me);
    });
  }

  // A new round on the stage: fetch the group's notes for it.
  function followRound() {
    var stage = document.getElementById("phone-stage");
    var notes = document.getElementById("group-notes");
    if (!stage || !notes || stage.dataset.round === notes.dataset.round) { return; }
    // The list may be older than a note whose frame came meanwhile: catch up after it.
    htmx.ajax("GET", body.dataset.notesUrl, { target: "#group-notes", swap: "outerHTML" }).then(function () {
      flush();
      if (window.Summa) { window.Summa.sync(); }
    });
  }

  document.addEventListener("summa:card", function (event) {
    var card = event.target;
    markMine(card.parentElement);
    var pending = card.dataset.clientId && document.querySelector('[data-pending-id="' + card.dataset.clientId + '"]');
    if (pending) { pending.remove(); }
    // A note from someone else in the group is read out politely (own notes say "Sent").
    var text = card.querySelector(".note__text");
    if (!(event.detail && event.detail.replaced) && text && card.dataset.author !== me && window.Summa) {
      window.Summa.announce(interpolate(gettext("New note: %s"), [text.textContent]));
    }
  });
  // The facilitator moved this phone to another group: its socket follows the
  // new group already; fetch the new group's heading and notes.
  document.addEventListener("summa:frame", function (event) {
    var frame = event.detail;
    if (frame.type === "snapshot" && frame.data.note_ids) {
      // The group's notes as they are now: a note taken back meanwhile goes.
      var keep = {};
      frame.data.note_ids.forEach(function (id) { keep["note-" + id] = true; });
      document.querySelectorAll("#group-notes .note[id^='note-']").forEach(function (card) {
        if (!keep[card.id]) { card.remove(); }
      });
    }
    // Another group's note: a socket that came back listening to the group its session
    // remembered, before its first resume found the phone's move. Not this phone's.
    var note = (frame.data || {}).note;
    if (note && note.group_id !== undefined && body.dataset.group && String(note.group_id) !== body.dataset.group) {
      var card = document.getElementById("note-" + note.id);
      if (card && card.closest("#group-notes")) { card.remove(); }
    }
    if (frame.type === "regrouped" && String(frame.data.group_id) !== body.dataset.group) {
      body.dataset.group = String(frame.data.group_id);
      htmx.ajax("GET", body.dataset.notesUrl, { target: "#group-notes", swap: "outerHTML" }).then(function () {
        markMine();
        if (window.Summa) { window.Summa.sync(); }
        if (window.Summa) { window.Summa.announce(gettext("You are in a new group.")); }
      });
    }
  });
  // A note of mine hidden by the facilitator: keep its text on my phone, say why.
  document.addEventListener("summa:replacing", function (event) {
    var old = event.target;
    var next = event.detail.next;
    if (!next.classList.contains("note--hidden") || old.dataset.author !== me) { return; }
    var text = old.querySelector(".note__text");
    if (text && !next.querySelector(".note__text")) { next.insertBefore(text.cloneNode(true), next.firstChild); }
  });
  document.addEventListener("htmx:wsAfterMessage", function () { setupForm(); followRound(); });
  document.addEventListener("summa:online", flush);
  window.addEventListener("online", flush);
  document.addEventListener("summa:timeup", function () {
    var form = document.getElementById("note-form");
    if (form) { form.querySelector("button[type=submit]").disabled = true; }
  });
  window.setInterval(function () { if (navigator.onLine !== false) { flush(); } }, RETRY_MS);

  document.addEventListener("DOMContentLoaded", function () { setupForm(); markMine(); flush(); });
})();
