// A staff page's rows refresh every few seconds without reloading the page (the
// incident board, an incident's dispatch offers). Without JavaScript the page
// still works: its Refresh link reloads it.
//
// The rows' container carries the settings:
//   data-live-rows           marks it; data-rows-url: where its fresh rows come from
//   data-poll-seconds, data-idle-seconds
//   data-status="ID"         the role=status element (data-paused, data-stopped texts)
//   data-stamp="ID"          where the fresh rows' [data-updated] time stamp is shown
//   data-keep-query          ask with this page's query string (the board's filters)
// The server marks its answer with "X-Live-Rows: 1"; anything else (a redirect to
// the sign-in page after the session ended) stops the updates.
//
// - Rows are swapped only when they changed, and never while focus is inside
//   them (a keyboard user would lose their place); the swap waits for the
//   next refresh.
// - Live updates pause once nobody has touched the page for a while, so an
//   unattended page lets the session's idle timeout end the session.
(function () {
  "use strict";
  var rows = document.querySelector("[data-live-rows]");
  var status = rows && document.getElementById(rows.getAttribute("data-status"));
  if (!rows || !status || !window.fetch) {
    return;
  }
  var stampTarget = document.getElementById(rows.getAttribute("data-stamp")) || status;
  var url = rows.getAttribute("data-rows-url");
  if (rows.hasAttribute("data-keep-query")) {
    url += window.location.search;
  }
  var every = 1000 * (parseInt(rows.getAttribute("data-poll-seconds"), 10) || 5);
  var idleLimit = 1000 * (parseInt(rows.getAttribute("data-idle-seconds"), 10) || 1500);
  var lastActivity = Date.now();
  var shown = null;

  ["keydown", "pointerdown", "pointermove", "wheel", "touchstart", "focusin"].forEach(function (name) {
    window.addEventListener(name, function () { lastActivity = Date.now(); }, { passive: true });
  });

  function schedule() {
    window.setTimeout(refresh, every);
  }

  function show(html) {
    var fresh = document.createElement("div");
    fresh.innerHTML = html;
    // The time stamp changes on every refresh: compare the rows without it.
    var stamp = fresh.querySelector("[data-updated]");
    if (stamp) {
      stampTarget.textContent = stamp.textContent;
      stamp.parentNode.removeChild(stamp);
    }
    var content = fresh.innerHTML;
    if (content === shown || rows.contains(document.activeElement)) {
      return;
    }
    rows.innerHTML = content;
    shown = content;
    var summary = rows.querySelector("[data-summary]");
    if (summary && status.textContent !== summary.getAttribute("data-summary")) {
      status.textContent = summary.getAttribute("data-summary");
    }
  }

  function refresh() {
    if (Date.now() - lastActivity > idleLimit) {
      status.textContent = status.getAttribute("data-paused");
      return;
    }
    if (document.hidden) {
      schedule();
      return;
    }
    window.fetch(url, {
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (!response.ok || response.headers.get("X-Live-Rows") !== "1") {
        throw new Error("not the page's rows");
      }
      return response.text();
    }).then(function (html) {
      show(html);
      schedule();
    }).catch(function () {
      status.textContent = status.getAttribute("data-stopped");
    });
  }

  schedule();
}());
