// GraphiQL, bundled with the web UI, at /graphql: a query typed into the
// editor runs against the server and its answer shows, under the page's
// Content-Security-Policy (any violation is a console error, which fails).
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

test('graphiql: type and run a products query', async () => {
  const { page, errors, context } = await open(browser);
  try {
    const res = await page.goto('/graphql');
    assert.equal(res.status(), 200, 'GET /graphql from a browser is GraphiQL');
    assert.match(res.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    const editor = page.locator('.graphiql-query-editor .CodeMirror');
    await editor.waitFor();
    // The first product of the catalog, to look for in GraphiQL's answer.
    const api = await fetch(base + '/graphql', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{products(first:3){nodes{title}}}' }),
    }).then((r) => r.json());
    const title = api.data.products.nodes[0].title;

    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('query Typed { products(first: 3) { nodes { id title variants { sku available } } } }');
    // GraphiQL takes the operation's name from the editor after a short
    // debounce; a click within it would still send the old name.
    await page.waitForTimeout(1000);
    await page.getByRole('button', { name: /execute query/i }).click();
    const answer = page.locator('.graphiql-response');
    await answer.getByText(title, { exact: false }).first().waitFor();
    const text = await answer.innerText();
    assert.match(text, /"products"/, 'the answer has the products');
    assert.doesNotMatch(text, /"errors"/, 'and no errors');
    await shot(page, 'graphiql-products');
    assert.deepEqual(errors, [], 'no page errors or CSP violations');
  } finally {
    await context.close();
  }
});
