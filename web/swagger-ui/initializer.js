// Swagger UI over the API's own document. No validator: its badge is an image from validator.swagger.io,
// and nothing of this page comes from another origin.
window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
});
