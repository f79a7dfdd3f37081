// The progress box of a broadcast refreshes itself until every message is finished.
// Without JavaScript the page still works: its Refresh link reloads it.
(function () {
  "use strict";
  var live = document.getElementById("broadcast-progress-live");
  if (!live || !window.fetch) {
    return;
  }
  var url = live.getAttribute("data-progress-url");
  var every = 1000 * (parseInt(live.getAttribute("data-poll-seconds"), 10) || 3);

  function finished() {
    var box = document.getElementById("broadcast-progress");
    return box && box.getAttribute("data-done") === "1";
  }

  function refresh() {
    window.fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("progress " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = document.createElement("div");
        fresh.innerHTML = html;
        var box = fresh.querySelector("#broadcast-progress");
        var old = document.getElementById("broadcast-progress");
        if (box && old) {
          old.parentNode.replaceChild(box, old);
        }
        if (!finished()) {
          window.setTimeout(refresh, every);
        }
      })
      .catch(function () {
        window.setTimeout(refresh, every * 4);
      });
  }

  if (!finished()) {
    window.setTimeout(refresh, every);
  }
})();
