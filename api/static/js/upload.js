/* Sends a large upload form with XHR to show progress, then swaps in the page the server rendered.
   Without JavaScript the form posts normally and the same page comes back. */
(function () {
  "use strict";
  function enhance(form) {
    var box = form.querySelector(".progress");
    var bar = form.querySelector("progress");
    var status = form.querySelector("#upload-status");
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.DOMParser) { return; }
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
        var fresh = doc.getElementById("tax-result");
        var here = document.getElementById("tax-result");
        if (fresh && here) {
          here.replaceWith(fresh);
          if (window.GIS && window.GIS.renderCharts) { window.GIS.renderCharts(fresh); }
        } else {
          document.open(); document.write(xhr.responseText); document.close();
          return;
        }
        button.disabled = false;
        box.hidden = true;
        fresh.scrollIntoView({behavior: "auto", block: "start"});
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        status.textContent = "✗";
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
