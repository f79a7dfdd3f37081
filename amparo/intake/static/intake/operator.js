// The call intake page works without this file. With it, the coaching script
// follows the form: highlighted when the place is a home, and shown in the
// caller's language (and English) as soon as the operator picks it.
(function () {
  "use strict";
  var form = document.getElementById("operator-report");
  var script = document.getElementById("coaching");
  if (!form || !script) {
    return;
  }
  var place = form.elements.namedItem("place_kind");
  var language = form.elements.namedItem("caller_language");
  var picker = document.getElementById("pick-language");

  function update() {
    script.classList.toggle("at-home", place.value === "home");
    var chosen = language.value;
    if (picker) {
      picker.value = chosen;
    }
    var blocks = script.querySelectorAll("[data-language]");
    for (var i = 0; i < blocks.length; i += 1) {
      var code = blocks[i].getAttribute("data-language");
      blocks[i].hidden = !(code === chosen || code === "en");
    }
  }

  place.addEventListener("change", update);
  language.addEventListener("change", update);
})();
