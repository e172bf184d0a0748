/* Every page: after a refused form, focus moves to the error summary (GOV.UK pattern), and a summary link
   focuses its field; after a result, the result is scrolled into view. Pages work without it. */
(function () {
  "use strict";
  function focusSummary(root) {
    var summary = (root || document).querySelector("#error-summary");
    if (summary) { summary.focus(); return true; }
    return false;
  }
  function showResult(root) {
    var result = (root || document).querySelector("[data-result]");
    if (result) {
      result.scrollIntoView({block: "start"});
      result.focus({preventScroll: true});
    }
  }
  document.addEventListener("click", function (event) {
    var a = event.target.closest ? event.target.closest("#error-summary a[href^='#f-']") : null;
    if (!a) { return; }
    var field = document.getElementById(a.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      var label = field.closest("label") || field;
      label.scrollIntoView({block: "center"});
      field.focus({preventScroll: true});
    }
  });
  window.GIS = window.GIS || {};
  window.GIS.afterSwap = function (root) { if (!focusSummary(root)) { showResult(root); } };
  function start() { if (!focusSummary(document)) { showResult(document); } }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
