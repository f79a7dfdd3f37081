// An incident's dispatch page refreshes its offers every few seconds without
// reloading, so an accept texted by a responder shows up by itself. Without
// JavaScript the page still works: its Refresh link reloads it.
//
// - Rows are swapped only when they changed, and never while focus is inside
//   them (a coordinator about to press "Safe / left" would lose their place);
//   the swap waits for the next refresh.
// - Live updates pause once nobody has touched the page for a while, so an
//   unattended page lets the session's idle timeout end the session.
(function () {
  "use strict";
  var rows = document.getElementById("offer-rows");
  var status = document.getElementById("offers-live");
  if (!rows || !status || !window.fetch) {
    return;
  }
  var url = rows.getAttribute("data-rows-url");
  var every = 1000 * (parseInt(rows.getAttribute("data-poll-seconds"), 10) || 3);
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
      stamp.parentNode.removeChild(stamp);
    }
    var content = fresh.innerHTML;
    if (content === shown || rows.contains(document.activeElement)) {
      return;
    }
    rows.innerHTML = content;
    shown = content;
    if (stamp) {
      status.textContent = stamp.textContent;
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
      // A signed-out session answers with a redirect to the sign-in page.
      if (!response.ok || response.headers.get("X-Dispatch-Rows") !== "1") {
        throw new Error("not the dispatch rows");
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
