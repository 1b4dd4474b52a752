// Start Swagger UI on the API's own OpenAPI document (templates/api/docs.html).
/* global SwaggerUIBundle */
(function () {
  "use strict";
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // "Try it out" calls the API from this page with the key typed into "Authorize".
    tryItOutEnabled: false,
    persistAuthorization: false,
    validatorUrl: null,
  });
})();
