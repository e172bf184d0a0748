/* Sends a large upload form with XHR to show progress, then swaps in the page the server rendered (its main
   part and title). The chart library is fetched only when the answer has a chart. Without JavaScript the form
   posts normally and the same page comes back. */
(function () {
  "use strict";
  function load(src) {
    return new Promise(function (resolve, reject) {
      if (document.querySelector("script[src='" + src + "']")) { resolve(); return; }
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  function drawCharts(root, form) {
    if (!root.querySelector("[data-chart]")) { return Promise.resolve(); }
    return load(form.getAttribute("data-chart-lib"))
      .then(function () { return load(form.getAttribute("data-charts-js")); })
      .then(function () { if (window.GIS && window.GIS.renderCharts) { window.GIS.renderCharts(root); } });
  }

  function enhance(form) {
    var box = form.querySelector(".progress");
    var bar = form.querySelector("progress");
    var status = form.querySelector("#upload-status");
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.DOMParser || !window.Promise) { return; }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      box.hidden = false;
      bar.value = 0;
      status.textContent = status.getAttribute("data-uploading");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round(100 * e.loaded / e.total);
          status.textContent = status.getAttribute("data-uploading") + " " + bar.value + "%";
        }
      });
      xhr.upload.addEventListener("load", function () {
        bar.removeAttribute("value");   // indeterminate while the server computes
        status.textContent = status.getAttribute("data-computing");
      });
      xhr.addEventListener("load", function () {
        var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var fresh = doc.querySelector("main");
        var here = document.querySelector("main");
        if (!fresh || !here || !doc.getElementById(form.id)) {
          window.location.reload();   // not this page (signed out, say): show what the server says
          return;
        }
        here.replaceWith(fresh);
        document.title = doc.title;
        fresh.querySelectorAll("form[data-xhr-upload]").forEach(enhance);
        drawCharts(fresh, form).then(function () {
          if (window.GIS && window.GIS.afterSwap) { window.GIS.afterSwap(fresh); }
        });
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        status.textContent = status.getAttribute("data-failed") || "✗";
      });
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.send(new FormData(form));
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-xhr-upload]").forEach(enhance);
  });
})();
