// Copy buttons: <button data-copy="INPUT-ID" hidden> copies that input's value and says so in
// the element with data-copy-status="INPUT-ID". Served from our own origin (CSP script-src
// 'self'); without script the buttons stay hidden and the link can be selected by hand.
(function () {
  "use strict";

  function say(id, message) {
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (status) {
      status.textContent = message;
    }
  }

  function copyBySelection(input) {
    input.focus();
    input.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function copy(button) {
    var id = button.getAttribute("data-copy");
    var input = document.getElementById(id);
    if (!input) {
      return;
    }
    var done = function () {
      button.textContent = "Copied";
      say(id, button.getAttribute("data-copied") || "Link copied. Paste it into your job ad or email.");
      window.setTimeout(function () {
        button.textContent = "Copy link";
      }, 2500);
    };
    var failed = function () {
      input.focus();
      input.select();
      say(id, "Press Ctrl+C (or ⌘C) to copy the selected link.");
    };
    // The Clipboard API needs a secure context (https or localhost); older ways elsewhere.
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        if (copyBySelection(input)) {
          done();
        } else {
          failed();
        }
      });
    } else if (copyBySelection(input)) {
      done();
    } else {
      failed();
    }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(button);
    });
  });
  document.querySelectorAll("input[readonly][id^='public-link-'], input[readonly].resume-link").forEach(function (input) {
    input.addEventListener("focus", function () {
      input.select();
    });
  });
})();
