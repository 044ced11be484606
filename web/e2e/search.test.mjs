// Storefront search: a misspelt query still finds products, the facets
// (brand, stock, rating, price, attributes) narrow the results and live in
// the URL, and choosing a suggestion leads to its page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { audit, base, launch, open, routes, shot, until } from './lib.mjs';

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await routes();
});
after(async () => {
  await browser?.close();
});

/**
 * settle runs action (a click that changes the filters) and waits until the
 * search call with the new parameters has answered and the results show it.
 */
async function settle(page, action, match) {
  const response = page.waitForResponse((r) => {
    const u = new URL(r.url());
    return u.pathname === '/api/v1/search' && !u.searchParams.has('cursor') && match(u.searchParams);
  });
  response.catch(() => {}); // reported below, unless action fails first
  await action();
  assert.equal((await response).status(), 200, 'the search call succeeds');
  await page.locator('section.results[aria-busy="true"]').waitFor({ state: 'detached' });
}

test('search: a misspelt query, brand, stock, rating, price and attribute filters', async (t) => {
  if (!api.has('GET /api/v1/search')) return t.skip('search is not on this server');
  const { page, errors, context } = await open(browser);
  try {
    await page.goto('/');
    const grid = page.getByTestId('product-grid');
    await grid.getByRole('link').first().waitFor();

    // (a) A typo still finds the jeans.
    await page.getByLabel('Search products').fill('jeens');
    await settle(
      page,
      () => page.getByLabel('Search products').press('Enter'),
      (p) => p.get('q') === 'jeens',
    );
    await page.getByRole('heading', { level: 1, name: 'Results for “jeens”' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/search');
    await grid.getByRole('link').first().waitFor();
    const titles = await grid.locator('.card-title').allTextContents();
    assert.ok(titles.length > 0, 'the misspelt query finds products');
    for (const title of titles) assert.match(title, /Jeans/, `every result is a pair of jeans (got “${title}”)`);
    // The word the typo matched is marked in each title (as text: a <mark>, not markup from the API).
    const marked = await grid.locator('.card-title mark').allTextContents();
    assert.ok(marked.length >= titles.length, `every title marks the matched word (${marked.length} marks, ${titles.length} titles)`);
    for (const m of marked) assert.match(m, /^jeans$/i, `the mark is on the matched word (got “${m}”)`);
    await shot(page, '60-search');

    const filters = page.getByRole('complementary', { name: 'Filters' });

    // (b) The first brand of the facet.
    const brandSelect = filters.getByLabel('Brand');
    await brandSelect.locator('option').nth(1).waitFor({ state: 'attached' });
    const brand = await brandSelect.locator('option').nth(1).getAttribute('value');
    await settle(
      page,
      () => brandSelect.selectOption(brand),
      (p) => p.get('brand') === brand,
    );
    assert.equal(new URL(page.url()).searchParams.get('brand'), brand);
    assert.equal(new URL(page.url()).searchParams.get('q'), 'jeens', 'the query is kept');
    await grid.getByRole('link').first().waitFor();
    const brands = await grid.locator('.card-brand').allTextContents();
    assert.ok(brands.length > 0, 'the brand filter leaves products');
    for (const b of brands) assert.equal(b.toLowerCase(), brand.toLowerCase(), 'every product shown is of the chosen brand');

    // (c) In stock only.
    const inStock = filters.getByLabel('In stock only');
    await settle(
      page,
      () => inStock.check(),
      (p) => p.get('in_stock') === 'true',
    );
    assert.equal(new URL(page.url()).searchParams.get('in_stock'), 'true');
    assert.ok(await inStock.isChecked());
    await grid.getByRole('link').first().waitFor();
    assert.equal(await grid.getByText('Out of stock').count(), 0, 'no product shown is out of stock');
    assert.equal(new URL(page.url()).searchParams.get('brand'), brand, 'the brand filter is kept');

    // A rating floor: a toggle, pressed once chosen; choosing it again clears it.
    const rating = filters.getByRole('group', { name: 'Rating', exact: true }).getByRole('button').first();
    if (await rating.count()) {
      const floor = (await rating.textContent()).match(/^(\d+(?:\.\d+)?) stars?/)?.[1];
      assert.ok(floor, 'a rating choice names its floor');
      await settle(
        page,
        () => rating.click(),
        (p) => p.get('rating_min') === floor,
      );
      assert.equal(new URL(page.url()).searchParams.get('rating_min'), floor);
      assert.equal(await filters.getByRole('button', { pressed: true, name: new RegExp(`^${floor} stars`) }).count(), 1, 'the chosen rating is pressed');
      // Back to the filters before the rating: their results may come from the cache, without a call.
      await filters.getByRole('button', { pressed: true, name: new RegExp(`^${floor} stars`) }).click();
      await page.waitForURL((u) => !u.searchParams.has('rating_min'));
      await page.locator('section.results[aria-busy="true"]').waitFor({ state: 'detached' });
      assert.equal(await filters.getByRole('button', { pressed: true, name: new RegExp(`^${floor} stars`) }).count(), 0, 'choosing the rating again clears it');
    } else {
      t.diagnostic('no rating facet on these results');
    }

    // Clear filters keeps the query only (its results may come from the cache).
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((u) => u.search === '?q=jeens');
    await until(async () => !(await filters.getByLabel('In stock only').isChecked()), 'the stock filter is cleared');
    await until(async () => (await filters.getByLabel('Brand').inputValue()) === '', 'the brand filter is cleared');
    await page.locator('section.results[aria-busy="true"]').waitFor({ state: 'detached' });
    await grid.getByRole('link').first().waitFor();
    assert.equal(await grid.locator('.card-title').count(), titles.length, 'the results are those of the query alone again');

    // (d) A category page: attribute facets and price buckets.
    await page.getByRole('navigation', { name: 'Categories' }).getByRole('link', { name: 'Clothing' }).click();
    await page.getByRole('heading', { level: 1, name: 'Clothing' }).waitFor();
    await grid.getByRole('link').first().waitFor();
    // Attribute values are the only checkboxes in a fieldset.
    let attrBox = filters.locator('fieldset').getByRole('checkbox').first();
    if (!(await attrBox.count())) {
      // No attributes across all of Clothing: try a leaf category.
      await filters.getByRole('link', { name: /^Men/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Men' }).waitFor();
      await filters.getByRole('link', { name: /^Jeans/ }).click();
      await page.getByRole('heading', { level: 1, name: 'Jeans' }).waitFor();
      await grid.getByRole('link').first().waitFor();
      attrBox = filters.locator('fieldset').getByRole('checkbox').first();
    }
    if (await attrBox.count()) {
      const name = await attrBox.locator('xpath=ancestor::fieldset[1]/legend').textContent();
      await settle(
        page,
        () => attrBox.check(),
        (p) => [...p.keys()].some((k) => k.startsWith('attr.')),
      );
      const attrParams = [...new URL(page.url()).searchParams.keys()].filter((k) => k.startsWith('attr.'));
      assert.equal(attrParams.length, 1, `ticking a value of “${name}” adds an attr.* parameter`);
      assert.ok(await filters.getByRole('group').getByRole('checkbox', { checked: true }).first().isVisible(), 'the ticked value stays ticked');
      await grid.getByRole('link').first().waitFor();
    } else {
      t.diagnostic('no attribute facets on the category pages');
    }

    // A price bucket sets both ends of the range (the upper one inclusive).
    const bucket = filters.getByRole('group', { name: 'Price', exact: true }).getByRole('button').first();
    if (await bucket.count()) {
      await settle(
        page,
        () => bucket.click(),
        (p) => p.has('price_min') || p.has('price_max'),
      );
      const u = new URL(page.url()).searchParams;
      if (u.has('price_max')) assert.match(u.get('price_max'), /99$/, 'the bucket’s upper bound is inclusive (e.g. 2499)');
      assert.equal(await filters.getByRole('group', { name: 'Price', exact: true }).getByRole('button', { pressed: true }).count(), 1, 'the chosen bucket is pressed');
      assert.equal(await page.getByLabel('Max ($)').inputValue(), u.has('price_max') ? (Number(u.get('price_max')) / 100).toFixed(2) : '', 'the range shows in the min/max form');
    }
    await shot(page, '61-search-facets');

    // Nothing on the filtered page is inaccessible.
    const violations = await audit(page);
    assert.deepEqual(violations, [], 'no serious accessibility violations');

    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('search: choosing a brand suggestion lists the brand', async (t) => {
  if (!api.has('GET /api/v1/search/suggest')) return t.skip('suggestions are not on this server');
  const brand = 'Indigo Co';
  const offered = await (await fetch(base + '/api/v1/search/suggest?q=' + encodeURIComponent(brand))).json();
  if (!offered.items.some((s) => s.kind === 'brand' && s.text === brand)) return t.skip(`“${brand}” is not suggested as a brand`);
  const { page, errors, context } = await open(browser);
  try {
    await page.goto('/');
    await page.getByTestId('product-grid').getByRole('link').first().waitFor();
    const box = page.getByLabel('Search products');
    const suggested = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/search/suggest' && new URL(r.url()).searchParams.get('q') === brand);
    await box.fill(brand);
    await suggested;
    await page.locator(`datalist option[value="${brand}"]`).first().waitFor({ state: 'attached' });
    await settle(
      page,
      () => box.press('Enter'),
      (p) => p.get('brand') === brand && !p.has('q'),
    );
    const u = new URL(page.url());
    assert.equal(u.pathname, '/search');
    assert.equal(u.searchParams.get('brand'), brand);
    assert.equal(u.searchParams.get('q'), null, 'the brand is not searched for as text');
    await page.getByTestId('product-grid').getByRole('link').first().waitFor();
    const brands = await page.getByTestId('product-grid').locator('.card-brand').allTextContents();
    assert.ok(brands.length > 0, 'the brand has products');
    for (const b of brands) assert.equal(b, brand);
    assert.equal(await page.getByLabel('Brand').inputValue(), brand, 'the brand filter shows it');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});
