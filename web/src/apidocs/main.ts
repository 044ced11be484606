// The API docs page (/api/docs): Swagger UI, bundled from npm, rendering the
// server's own OpenAPI document. It is a second Vite entry (api-docs.html),
// so the page loads nothing from outside the server.
// @ts-expect-error swagger-ui-dist ships no type declarations
import SwaggerUIBundle from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';
import './apidocs.css';

SwaggerUIBundle({
  url: '/api/v1/openapi.json',
  dom_id: '#apidocs',
  deepLinking: true,
  // "Try it out" calls this same server; a token from the sign-in answer
  // goes in Authorize.
  tryItOutEnabled: false,
  persistAuthorization: false,
  displayRequestDuration: true,
  docExpansion: 'list',
  // A box that narrows the list to the tags matching what is typed.
  filter: true,
  // Show each parameter's limits (maxLength, pattern, minimum, ...).
  showCommonExtensions: true,
  defaultModelsExpandDepth: 0,
  // No validator badge: it would call an outside service.
  validatorUrl: null,
});
