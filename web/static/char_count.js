// Character counters for written answers: <textarea data-count-max="N" id="X"> shows
// "n of N characters" in <p data-count-for="X" hidden>. Served from our own origin (CSP
// script-src 'self'); without script the hint above the box still gives the limits.
(function () {
  "use strict";

  function setUp(textarea) {
    var max = parseInt(textarea.getAttribute("data-count-max"), 10);
    var shown = document.querySelector('[data-count-for="' + textarea.id + '"]');
    if (!shown || !max) {
      return;
    }
    // Screen readers hear the count once typing pauses, not on every key.
    var spoken = document.createElement("span");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    shown.parentNode.insertBefore(spoken, shown.nextSibling);
    var timer = null;

    function update() {
      var length = textarea.value.trim().length;
      var message = length + " of " + max + " characters";
      shown.textContent = message;
      shown.classList.toggle("over", length > max);
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        spoken.textContent = message;
      }, 1000);
    }

    shown.hidden = false;
    shown.setAttribute("aria-hidden", "true");
    shown.textContent = textarea.value.trim().length + " of " + max + " characters";
    textarea.addEventListener("input", update);
  }

  function ready() {
    var boxes = document.querySelectorAll("textarea[data-count-max]");
    for (var i = 0; i < boxes.length; i += 1) {
      setUp(boxes[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
