/* Starts the bundled Swagger UI on the API docs page with the settings the server wrote (no inline script). */
(function () {
  "use strict";
  window.addEventListener("load", function () {
    var data = document.getElementById("docs-config");
    var config = {url: data.getAttribute("data-url"), dom_id: "#swagger-ui-container"};
    var extra = JSON.parse(data.textContent);
    Object.keys(extra).forEach(function (k) { config[k] = extra[k]; });
    window.ui = SwaggerUIBundle(config);
  });
})();
