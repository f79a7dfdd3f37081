// The triage board refreshes its rows every few seconds without reloading the page.
// Without JavaScript the page still works: its Refresh link reloads it.
//
// - Rows are swapped only when they changed, and never while focus is inside
//   them (a keyboard user would lose their place); the swap waits for the
//   next refresh.
// - Live updates pause once nobody has touched the page for a while, so an
//   unattended board lets the session's idle timeout end the session.
(function () {
  "use strict";
  var rows = document.getElementById("board-rows");
  var status = document.getElementById("board-live");
  var updated = document.getElementById("board-updated");
  if (!rows || !status || !window.fetch) {
    return;
  }
  var url = rows.getAttribute("data-rows-url") + window.location.search;
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
    var stamp = fresh.querySelector("[data-updated]");
    if (stamp) {
      if (updated) {
        updated.textContent = stamp.textContent;
      }
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
      // A signed-out session answers with a redirect to the sign-in page.
      if (!response.ok || response.headers.get("X-Board-Rows") !== "1") {
        throw new Error("not the board's rows");
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
