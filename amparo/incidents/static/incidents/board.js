// The triage board refreshes its rows every few seconds without reloading the page.
// Without JavaScript the page still works: its Refresh link reloads it.
// Live updates pause once nobody has touched the page for a while, so an
// unattended board lets the session's idle timeout end the session.
(function () {
  "use strict";
  var rows = document.getElementById("board-rows");
  var status = document.getElementById("board-live");
  if (!rows || !status || !window.fetch) {
    return;
  }
  var url = rows.getAttribute("data-rows-url") + window.location.search;
  var every = 1000 * (parseInt(rows.getAttribute("data-poll-seconds"), 10) || 5);
  var idleLimit = 1000 * (parseInt(rows.getAttribute("data-idle-seconds"), 10) || 1500);
  var lastActivity = Date.now();
  var timer = null;

  ["keydown", "pointerdown", "pointermove", "wheel", "touchstart", "focusin"].forEach(function (name) {
    window.addEventListener(name, function () { lastActivity = Date.now(); }, { passive: true });
  });

  function stop(message) {
    status.textContent = message;
    timer = null;
  }

  function schedule() {
    timer = window.setTimeout(refresh, every);
  }

  function refresh() {
    if (Date.now() - lastActivity > idleLimit) {
      stop(status.getAttribute("data-paused"));
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
      rows.innerHTML = html;
      var summary = rows.querySelector("[data-summary]");
      if (summary && status.textContent !== summary.getAttribute("data-summary")) {
        status.textContent = summary.getAttribute("data-summary");
      }
      schedule();
    }).catch(function () {
      stop(status.getAttribute("data-stopped"));
    });
  }

  schedule();
}());
