// Lobby's small client: live connection state, catch-up after reconnects, waiting clocks, alerts.
// Everything a screen shows comes from the server; this file only keeps the screen honest.
(function () {
  "use strict";

  function setConn(state) {
    var el = document.getElementById("conn-state");
    if (!el) return;
    el.dataset.state = state;
    var label = el.querySelector(".conn-label");
    if (label) label.textContent = state === "open" ? label.dataset.on : label.dataset.off;
  }

  // The refresh rule, one for every live region: each region's element carries
  // hx-trigger="live:resync from:body, every 30s" and re-reads itself through its ordinary view
  // whenever the socket (re)opens, whenever the tab becomes visible again (a tablet that slept may
  // have missed pushes without its socket noticing), and slowly on its own. Whatever was pushed
  // while we were away is fetched, so nothing is lost.
  function resync() {
    document.body.dispatchEvent(new CustomEvent("live:resync", { bubbles: true }));
  }
  document.addEventListener("htmx:wsOpen", function () {
    setConn("open");
    resync();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") resync();
  });

  // A refused action (a 4xx marked X-Refused: lobby/answers.py) answers with its region showing why:
  // swap it in like any answer. htmx leaves other 4xx and 5xx answers unswapped.
  function isRefusal(xhr) {
    return !!xhr && xhr.status >= 400 && xhr.status < 500 && !!xhr.getResponseHeader("X-Refused");
  }
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (isRefusal(e.detail.xhr)) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  document.addEventListener("htmx:wsClose", function () { setConn("closed"); });
  document.addEventListener("htmx:wsError", function () { setConn("closed"); });

  // Waiting clocks: any element with data-since (ISO time) shows the minutes:seconds elapsed.
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var t = Date.parse(el.dataset.since);
      if (isNaN(t)) return;
      var s = Math.max(0, Math.floor((now - t) / 1000));
      var text = s >= 3600 ? Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60)
                           : Math.floor(s / 60) + ":" + pad(s % 60);
      if (el.textContent !== text) el.textContent = text;
      var warn = parseInt(el.dataset.warnAfter || "0", 10);
      var late = parseInt(el.dataset.lateAfter || "0", 10);
      el.classList.toggle("warn", warn > 0 && s >= warn && !(late > 0 && s >= late));
      el.classList.toggle("late", late > 0 && s >= late);
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSettle", tick);
  document.addEventListener("htmx:oobAfterSwap", tick);

  // Lists that receive single pushed rows (the pool, the referrer's list): keep them in order by
  // each row's data-order (rendered by the server: Referral.queue_key, Referral.sent_key), and keep
  // their count and their "nobody here" line right. A full re-read arrives already in order.
  function tidyLists() {
    document.querySelectorAll("ul[data-sorted]").forEach(function (list) {
      var items = Array.prototype.slice.call(list.children);
      var sorted = items.slice().sort(function (a, b) {
        var x = a.dataset.order || "", y = b.dataset.order || "";
        return x < y ? -1 : x > y ? 1 : 0;
      });
      if (sorted.some(function (el, i) { return el !== items[i]; })) {
        sorted.forEach(function (el) { list.appendChild(el); });
      }
      document.querySelectorAll('[data-count-of="' + list.id + '"]').forEach(function (el) {
        el.textContent = String(items.length);
      });
      document.querySelectorAll('[data-empty-of="' + list.id + '"]').forEach(function (el) {
        el.hidden = items.length > 0;
      });
    });
  }
  document.addEventListener("htmx:wsAfterMessage", tidyLists);
  document.addEventListener("htmx:afterSettle", tidyLists);
  // An action's answer swaps rows in out of band only (HX-Reswap: none), socket or not.
  document.addEventListener("htmx:oobAfterSwap", tidyLists);

  // Out-of-band regions whose target is not on this page are left out before htmx swaps them.
  // A push goes to a person's or a role's screens, whichever page each has open (the wealth
  // queue, a counter panel of another customer, the "sent" page), and a new row's "delete the
  // old one" has nothing to delete: htmx would report each as an error. Enabled on <body>.
  function oobTarget(el) {
    var spec = el.getAttribute("hx-swap-oob") || el.getAttribute("data-hx-swap-oob");
    if (spec === null) return null;
    var colon = spec.indexOf(":");
    return colon > 0 ? spec.slice(colon + 1) : "#" + el.id;
  }
  function presentOnly(text) {
    if (typeof text !== "string" || text.indexOf("hx-swap-oob") < 0 || /^\s*<!doctype/i.test(text)) {
      return text;
    }
    var template = document.createElement("template");
    template.innerHTML = text;
    var dropped = false;
    Array.prototype.slice.call(template.content.children).forEach(function (el) {
      var target = oobTarget(el);
      if (target === null) return;
      try { if (document.querySelector(target)) return; } catch (e) { return; }
      el.remove();
      dropped = true;
    });
    return dropped ? template.innerHTML : text;
  }
  if (window.htmx) {
    htmx.defineExtension("lobby-present", { transformResponse: presentOnly });
  }


  // An answer made only of out-of-band regions (HX-Reswap: none) may arrive after a push has
  // removed the button that asked for it (a claimed card leaves the pool): htmx would then look
  // for the regions inside the removed card and find none. Swap such an answer into the page.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    elt.addEventListener("htmx:beforeSwap", function (swap) {
      var detail = swap.detail, xhr = detail.xhr;
      if (document.body.contains(elt) || !xhr || xhr.getResponseHeader("HX-Reswap") !== "none") return;
      if (detail.isError && !isRefusal(xhr)) return;
      detail.shouldSwap = false;
      detail.isError = false;
      htmx.swap(document.body, presentOnly(detail.serverResponse), { swapStyle: "none" });
    }, { once: true });
  });

  // A region's re-read races the pushes: a snapshot read before a change committed can land after
  // that change's pushed row and erase it. So a region that heard a push while its own re-read
  // was in flight reads itself once more when that re-read has landed (the second snapshot is
  // newer than every push heard so far). Regions are the elements with an id and an hx-get.
  var rereads = new Map();  // region element -> whether a push arrived during its re-read
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt, config = e.detail.requestConfig;
    if (!config || config.verb !== "get" || !elt.id || !elt.hasAttribute("hx-get")) return;
    rereads.set(elt, false);
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    rereads.forEach(function (_heard, elt) { rereads.set(elt, true); });
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var elt = e.detail.elt;
    if (!rereads.has(elt)) return;
    var again = rereads.get(elt) && e.detail.successful;
    rereads.delete(elt);
    if (again && document.body.contains(elt)) {
      htmx.ajax("GET", elt.getAttribute("hx-get"), {
        source: elt, target: elt, swap: elt.getAttribute("hx-swap") || "innerHTML"
      });
    }
  });

  // The counter: the referral panel follows the customer at the window. When #counter-current
  // shows another ticket (a call, a completion, a push, a re-read), the panel re-reads itself.
  var shownTicket = null;
  function watchCounter() {
    var current = document.getElementById("counter-current");
    if (!current) return;
    var ticket = current.dataset.ticket || "";
    if (shownTicket !== null && ticket !== shownTicket) {
      document.body.dispatchEvent(new CustomEvent("counter:customer", { bubbles: true }));
    }
    shownTicket = ticket;
  }
  document.addEventListener("DOMContentLoaded", watchCounter);
  document.addEventListener("htmx:afterSettle", watchCounter);
  document.addEventListener("htmx:oobAfterSwap", watchCounter);
  document.addEventListener("htmx:wsAfterMessage", watchCounter);

  // Alerts: a pushed element marked data-alert="<key>" beeps once per key, unless muted.
  var heard = {};
  function muted() { return localStorage.getItem("lobby-muted") === "1"; }
  function beep() {
    if (muted()) return;
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      var ctx = beep.ctx || (beep.ctx = new Ctx());
      [0, 0.18].forEach(function (delay, i) {
        var o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = i ? 1175 : 880;
        g.gain.setValueAtTime(0.0001, ctx.currentTime + delay);
        g.gain.exponentialRampToValueAtTime(0.25, ctx.currentTime + delay + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + delay + 0.16);
        o.connect(g); g.connect(ctx.destination);
        o.start(ctx.currentTime + delay); o.stop(ctx.currentTime + delay + 0.17);
      });
    } catch (e) { /* no audio: the visible alert still shows */ }
  }
  function scanAlerts(root, sound) {
    (root || document).querySelectorAll("[data-alert]").forEach(function (el) {
      var key = el.dataset.alert;
      if (heard[key]) return;
      heard[key] = true;
      if (sound) { beep(); el.classList.add("flash"); }
    });
  }
  // The mute switch may arrive later in a fetched or pushed fragment: listen on the document.
  function syncMute() {
    document.querySelectorAll("#mute-toggle").forEach(function (toggle) {
      toggle.setAttribute("aria-pressed", muted() ? "true" : "false");
    });
  }
  document.addEventListener("click", function (e) {
    if (!e.target.closest || !e.target.closest("#mute-toggle")) return;
    localStorage.setItem("lobby-muted", muted() ? "0" : "1");
    syncMute();
  });
  document.addEventListener("DOMContentLoaded", function () { scanAlerts(document, false); syncMute(); });
  document.addEventListener("htmx:afterSettle", syncMute);
  document.addEventListener("htmx:oobAfterSwap", function (e) { scanAlerts(e.detail.target, true); });
  document.addEventListener("htmx:afterSwap", function (e) { scanAlerts(e.detail.target, true); });
})();
