// The API docs page: /api/docs renders the server's own OpenAPI document
// with the bundled Swagger UI (nothing loaded from elsewhere, under the
// page's CSP), and links the OpenAPI document, the GraphQL SDL and the protos.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { base, launch, open, shot } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the API docs page lists the operations of the OpenAPI document', async () => {
  const { context, page, errors } = await open(browser);
  const outside = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) outside.push(r.url());
  });
  const res = await page.goto('/api/docs');
  assert.equal(res.status(), 200);
  const csp = res.headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self'/, 'the page has a CSP');

  // Swagger UI draws one block per operation, under its tag, with an id
  // from the tag and the operationId (its path text holds word breaks).
  // It draws the blocks as they scroll into view: the first tag's now.
  const first = page.locator('#operations-address-addresses');
  await first.waitFor();
  assert.match((await first.locator('.opblock-summary-path').innerText()).replace(/\u200b/g, ''), /^\/api\/v1\/address$/);
  await page.locator('.info .title', { hasText: 'Bazaar API' }).waitFor();
  await shot(page, 'apidocs');

  // The filter narrows the list to a tag; an operation opens with its
  // parameters and their limits.
  await page.locator('input.operation-filter-input').fill('search');
  const search = page.locator('#operations-search-search');
  await search.waitFor();
  await search.locator('.opblock-summary-control').click();
  assert.match((await search.locator('.opblock-summary-path').innerText()).replace(/\u200b/g, ''), /^\/api\/v1\/search$/);
  const params = search.locator('.parameters');
  await params.waitFor();
  // The limits the document states show: q's maxLength among them.
  assert.match(await params.innerText(), /maxLength/);
  await shot(page, 'apidocs-search');

  for (const [name, href] of [
    ['OpenAPI document (JSON)', '/api/v1/openapi.json'],
    ['GraphQL schema (SDL)', '/graphql/schema.graphql'],
    ['Protocol Buffers (gRPC)', '/proto/'],
  ]) {
    assert.equal(await page.getByRole('link', { name }).getAttribute('href'), href);
    const linked = await fetch(base + href);
    assert.equal(linked.status, 200, `${href} answers`);
  }
  const doc = await (await fetch(base + '/api/v1/openapi.json')).json();
  assert.equal(doc.openapi, '3.1.0');

  assert.deepEqual(outside, [], 'the page loads nothing from another origin');
  assert.deepEqual(errors, [], 'no page errors (a CSP violation is one)');
  await context.close();
});
