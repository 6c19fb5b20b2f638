// A form sent back with problems: move focus to its error summary at the top of the page, so
// a phone user (and a screen reader) starts from the list of what to fix, not from wherever
// the page happened to scroll. Without script the summary is still the first thing on the page.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary[tabindex='-1']");
  if (summary) {
    summary.focus();
    summary.scrollIntoView({ block: "start" });
  }
})();
