/* onramp — customization pages: the YAML editor's line numbers, and working previews.
   Served from our own origin (CSP: script-src 'self'); every page works without it, this
   only makes them easier to use. */
(function () {
  "use strict";

  /* -- YAML editor: a line-number gutter that follows the text ------------------------- */

  function lineCount(text) {
    return text.split("\n").length;
  }

  function fillGutter(gutter, count, errorLines) {
    var fragment = document.createDocumentFragment();
    for (var n = 1; n <= count; n += 1) {
      var span = document.createElement("span");
      span.id = "yaml-line-" + n;
      span.textContent = String(n);
      if (errorLines[n]) {
        span.className = "error-line";
      }
      fragment.appendChild(span);
      fragment.appendChild(document.createTextNode("\n"));
    }
    gutter.textContent = "";
    gutter.appendChild(fragment);
  }

  function enhanceEditor(editor) {
    var gutter = editor.querySelector(".gutter");
    var textarea = editor.querySelector("textarea");
    if (!gutter || !textarea) {
      return;
    }
    var errorLines = {};
    gutter.querySelectorAll(".error-line").forEach(function (span) {
      errorLines[span.textContent] = true;
    });
    var shown = lineCount(textarea.value);
    editor.classList.add("scrolls");
    textarea.addEventListener("scroll", function () {
      gutter.scrollTop = textarea.scrollTop;
    });
    textarea.addEventListener("input", function () {
      var count = lineCount(textarea.value);
      if (count !== shown) {
        shown = count;
        fillGutter(gutter, count, errorLines);
        gutter.scrollTop = textarea.scrollTop;
      }
    });

    document.querySelectorAll("a[data-line]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        goToLine(textarea, gutter, parseInt(link.getAttribute("data-line"), 10));
      });
    });
  }

  function goToLine(textarea, gutter, line) {
    var lines = textarea.value.split("\n");
    var start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i += 1) {
      start += lines[i].length + 1;
    }
    var end = start + (lines[line - 1] || "").length;
    textarea.focus();
    textarea.setSelectionRange(start, end);
    var height = parseFloat(window.getComputedStyle(textarea).lineHeight) || 20;
    textarea.scrollTop = Math.max(0, (line - 1) * height - textarea.clientHeight / 3);
    gutter.scrollTop = textarea.scrollTop;
  }

  /* -- Previews: the previewed page's forms and links ask for the next preview ---------- */

  var PREVIEW_LINKS = [
    [/^\/a\/preview\/(\d+)$/, function (m) { return "page-" + m[1]; }],
    [/^\/welcome\/preview\/steps\/([^/?#]+)$/, function (m) { return "step-" + decodeURIComponent(m[1]); }],
    [/^\/welcome\/preview$/, function () { return "timeline"; }]
  ];

  function hidden(form, name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }

  function showView(draftForm, view) {
    var select = draftForm.querySelector("[name=view]");
    if (select) {
      select.value = view;
    }
    draftForm.submit();
  }

  function enhancePreview(draftForm) {
    var view = draftForm.getAttribute("data-view") || "";
    var draft = draftForm.querySelector("[name=draft]").value;
    var day = draftForm.querySelector("[name=day]");
    document.querySelectorAll("main form").forEach(function (form) {
      if (form === draftForm || (form.getAttribute("method") || "").toLowerCase() !== "post") {
        return;
      }
      form.addEventListener("submit", function () {
        // getAttribute: draftForm.action would be its buttons named "action"
        form.setAttribute("action", draftForm.getAttribute("action"));
        hidden(form, "draft", draft);
        hidden(form, "view", view);
        hidden(form, "previewed_view", view);
        hidden(form, "previewed_form", "1");
        if (day) {
          hidden(form, "day", day.value);
        }
      });
    });
    document.querySelectorAll("main a[href]").forEach(function (link) {
      var path = link.pathname;
      if (link.origin !== window.location.origin) {
        return;
      }
      PREVIEW_LINKS.forEach(function (rule) {
        var match = rule[0].exec(path);
        if (match) {
          link.addEventListener("click", function (event) {
            event.preventDefault();
            showView(draftForm, rule[1](match));
          });
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-code-editor]").forEach(enhanceEditor);
    var draftForm = document.getElementById("preview-draft");
    if (draftForm) {
      enhancePreview(draftForm);
    }
  });
})();
