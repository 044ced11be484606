// Review moderation in the admin area: every review newest first, the
// status filter, hiding a review with a reason, showing it again, deleting
// one, and "Load more".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { audit, base, demo, launch, open, routes, shot, signIn, until } from './lib.mjs';

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await routes();
});
after(async () => {
  await browser?.close();
});

/** token signs in through the API and returns the access token. */
async function token([email, password]) {
  const res = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
  assert.equal(res.status, 200, 'sign in through the API');
  return (await res.json()).access_token;
}

/** staffList is GET /api/v1/review as staff. */
async function staffList(bearer, query) {
  const res = await fetch(`${base}/api/v1/review?${new URLSearchParams(query)}`, { headers: { Authorization: 'Bearer ' + bearer } });
  assert.equal(res.status, 200, `GET /api/v1/review?${new URLSearchParams(query)}`);
  return res.json();
}

/** publicStatus is what anyone gets for GET /api/v1/review/{id}: 200 published, 404 hidden or gone. */
async function publicStatus(id) {
  return (await fetch(`${base}/api/v1/review/${id}`)).status;
}

test('moderation: an admin filters reviews, hides one with a reason, finds it under Hidden and shows it again', async (t) => {
  if (!api.has('GET /api/v1/review')) return t.skip('the staff review list is not on this server');
  const bearer = await token(demo.admin);
  const { page, errors, context } = await open(browser);
  try {
    await signIn(page, ...demo.admin);
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Reviews' }).click();
    await page.waitForURL((u) => u.pathname === '/admin/reviews');
    await page.getByRole('heading', { level: 1, name: 'Reviews' }).waitFor();
    const table = page.getByRole('table', { name: 'Reviews, newest first' });
    const rows = page.getByTestId('moderation-row');
    await rows.first().waitFor();

    // The first page is the API's, newest first.
    const first = await staffList(bearer, { limit: 20 });
    const ids = () => rows.evaluateAll((els) => els.map((el) => el.dataset.reviewId));
    assert.deepEqual(await ids(), first.items.map((r) => r.id), 'the rows are the API’s first page');
    const dates = await table.locator('td.mod-date time').evaluateAll((els) => els.map((el) => el.getAttribute('datetime')));
    assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first');
    // Stars, title, author, product link and status of the first one.
    const r0 = first.items[0];
    const row0 = rows.first();
    await row0.getByRole('img', { name: `${r0.rating} out of 5 stars` }).waitFor();
    if (r0.title) await row0.getByText(r0.title, { exact: true }).waitFor();
    await row0.getByText(r0.author, { exact: true }).waitFor();
    if (r0.product_title) assert.equal(await row0.getByRole('link', { name: r0.product_title, exact: true }).getAttribute('href'), '/p/' + (r0.product_slug || r0.product_id));
    await row0.getByText(r0.status === 'hidden' ? 'Hidden' : 'Published', { exact: true }).waitFor();
    await shot(page, '80-moderation-all');

    // Hidden: only hidden reviews (or none).
    const status = page.getByLabel('Status');
    await status.selectOption({ label: 'Hidden' });
    await page.waitForURL((u) => u.searchParams.get('status') === 'hidden');
    const hiddenBefore = (await staffList(bearer, { status: 'hidden', limit: 100 })).items.length;
    if (hiddenBefore === 0) {
      await page.getByRole('heading', { name: 'No hidden reviews' }).waitFor();
    } else {
      await until(async () => (await rows.count()) === Math.min(hiddenBefore, 20), `${hiddenBefore} hidden reviews shown`);
      assert.equal(await table.locator('.mod-status .badge').filter({ hasNotText: 'Hidden' }).count(), 0, 'only hidden reviews');
    }

    // Published: only published ones; hide the first with a reason.
    await status.selectOption({ label: 'Published' });
    await page.waitForURL((u) => u.searchParams.get('status') === 'published');
    await until(async () => (await table.locator('.mod-status .badge').filter({ hasText: 'Hidden' }).count()) === 0 && (await rows.count()) > 0, 'only published reviews');
    const target = (await staffList(bearer, { status: 'published', limit: 1 })).items[0];
    assert.equal(await publicStatus(target.id), 200, 'the review is public before');
    const row = page.locator(`tr[data-review-id="${target.id}"]`);
    await row.getByRole('button', { name: `Hide the review by ${target.author}` }).click();
    const form = page.getByRole('form', { name: `Hide the review by ${target.author}` });
    const reason = form.getByLabel('Reason (optional; the author sees it)');
    assert.equal(await reason.evaluate((el) => el === document.activeElement), true, 'focus moves to the reason');
    await reason.fill('E2E: off-topic, about delivery');
    assert.deepEqual(await audit(page), [], 'no serious accessibility violations with the hide form open');
    await shot(page, '81-moderation-hide-form');
    await form.getByRole('button', { name: 'Hide review' }).click();

    // It leaves the published list, the toast says so, and the public no longer sees it.
    await row.waitFor({ state: 'detached' });
    await page.getByRole('status').getByText(`The review by ${target.author} is hidden.`).waitFor();
    assert.equal(await publicStatus(target.id), 404, 'a hidden review is not public');
    const heading = page.getByRole('heading', { level: 1, name: 'Reviews' });
    await until(() => heading.evaluate((el) => el === document.activeElement), 'focus on the heading once the review has left the list');

    // Under Hidden, with its reason.
    await status.selectOption({ label: 'Hidden' });
    await page.waitForURL((u) => u.searchParams.get('status') === 'hidden');
    await row.waitFor();
    await row.getByText('Hidden', { exact: true }).waitFor();
    await row.getByText('Reason: E2E: off-topic, about delivery').waitFor();
    await shot(page, '82-moderation-hidden');

    // Show again: gone from Hidden, public again, and under Published without a reason.
    await row.getByRole('button', { name: `Show again the review by ${target.author}` }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('status').getByText(`The review by ${target.author} is published again.`).waitFor();
    assert.equal(await publicStatus(target.id), 200, 'shown again');
    await status.selectOption({ label: 'Published' });
    await row.waitFor();
    await row.getByText('Published', { exact: true }).waitFor();
    assert.equal(await row.locator('.mod-note').count(), 0, 'no reason on a published review');
    const again = (await staffList(bearer, { status: 'published', limit: 1 })).items[0];
    assert.equal(again.id, target.id, 'still the newest');
    assert.ok(!again.moderation_note, 'showing it again clears the reason');

    // All: the review is back with the Published badge.
    await status.selectOption({ label: 'All' });
    await page.waitForURL((u) => !u.searchParams.has('status'));
    await row.getByText('Published', { exact: true }).waitFor();
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('moderation: deleting asks first, and "Load more" follows the cursor', async (t) => {
  if (!api.has('GET /api/v1/review')) return t.skip('the staff review list is not on this server');
  const bearer = await token(demo.admin);
  const { page, errors, context } = await open(browser);
  try {
    await signIn(page, ...demo.admin);
    await page.goto('/admin/reviews?status=published');
    const rows = page.getByTestId('moderation-row');
    await rows.first().waitFor();
    const first = await staffList(bearer, { status: 'published', limit: 20 });

    // "Load more" adds the next page, newest first, focus on its first review.
    if (first.next_cursor) {
      const next = await staffList(bearer, { status: 'published', limit: 20, cursor: first.next_cursor });
      await page.getByRole('button', { name: 'Load more' }).click();
      await until(async () => (await rows.count()) === first.items.length + next.items.length, 'the second page shown');
      const ids = await rows.evaluateAll((els) => els.map((el) => el.dataset.reviewId));
      assert.deepEqual(ids, [...first.items, ...next.items].map((r) => r.id));
      assert.equal(await rows.nth(first.items.length).evaluate((el) => el === document.activeElement), true, 'focus is on the first review added');
      const dates = await page.locator('td.mod-date time').evaluateAll((els) => els.map((el) => el.getAttribute('datetime')));
      assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first across pages');
      await shot(page, '83-moderation-more');
    } else {
      t.diagnostic('one page of published reviews: "Load more" not checked');
      assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0);
    }

    // Delete asks first; "Keep it" keeps it.
    const victim = first.items[first.items.length - 1];
    const row = page.locator(`tr[data-review-id="${victim.id}"]`);
    await row.getByRole('button', { name: `Delete the review by ${victim.author}` }).click();
    const confirm = page.getByRole('group', { name: `Delete the review by ${victim.author}? This cannot be undone.` });
    await confirm.waitFor();
    assert.equal(await confirm.getByRole('button', { name: 'Keep it' }).evaluate((el) => el === document.activeElement), true, 'focus on the safe choice');
    await shot(page, '84-moderation-delete-confirm');
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal(await publicStatus(victim.id), 200, 'kept');

    // Deleting it for real.
    await row.getByRole('button', { name: `Delete the review by ${victim.author}` }).click();
    await confirm.getByRole('button', { name: 'Delete review' }).click();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('status').getByText(`The review by ${victim.author} is deleted.`).waitFor();
    assert.equal(await publicStatus(victim.id), 404, 'deleted');
    assert.ok(!(await staffList(bearer, { limit: 100, product: victim.product_id })).items.some((r) => r.id === victim.id), 'gone from the staff list too');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('moderation: the product filter and the list are closed to customers', async (t) => {
  if (!api.has('GET /api/v1/review')) return t.skip('the staff review list is not on this server');
  const bearer = await token(demo.admin);
  const { page, errors, context } = await open(browser);
  try {
    // Customers and guests cannot list reviews through the API.
    assert.equal((await fetch(base + '/api/v1/review')).status, 401, 'guests');
    const customer = await token(demo.customer);
    assert.equal((await fetch(base + '/api/v1/review', { headers: { Authorization: 'Bearer ' + customer } })).status, 403, 'customers');

    await signIn(page, ...demo.admin);
    await page.goto('/admin/reviews');
    const rows = page.getByTestId('moderation-row');
    await rows.first().waitFor();
    const r0 = (await staffList(bearer, { limit: 1 })).items[0];
    await page
      .locator(`tr[data-review-id="${r0.id}"]`)
      .getByRole('button', { name: /^Only this product/ })
      .click();
    await page.waitForURL((u) => u.searchParams.get('product') === r0.product_id);
    const all = (await staffList(bearer, { product: r0.product_id, limit: 20 })).items;
    await until(async () => (await rows.count()) === all.length, `the ${all.length} reviews of the product`);
    assert.deepEqual(
      await rows.evaluateAll((els) => els.map((el) => el.dataset.reviewId)),
      all.map((r) => r.id),
    );
    if (r0.product_title) await page.locator('.mod-filter').getByText(r0.product_title).waitFor();
    await shot(page, '85-moderation-product');
    await page.getByRole('button', { name: 'Show every product' }).click();
    await page.waitForURL((u) => !u.searchParams.has('product'));

    // The admin area, this page among it, is for admins only.
    const other = await open(browser);
    try {
      await signIn(other.page, ...demo.customer);
      await other.page.goto('/admin/reviews');
      await other.page.getByRole('heading', { name: 'Not for this account' }).waitFor();
    } finally {
      await other.context.close();
    }
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('moderation: a support agent reaches the reviews and nothing else of the admin area', async (t) => {
  if (!api.has('GET /api/v1/review')) return t.skip('the staff review list is not on this server');
  const { page, errors, context } = await open(browser);
  try {
    await signIn(page, ...demo.support);
    await page.getByRole('button', { name: /account menu/ }).click();
    assert.equal(await page.getByRole('link', { name: 'Admin', exact: true }).count(), 0, 'no Admin link in the account menu');
    await page.getByRole('link', { name: 'Moderation' }).click();
    await page.waitForURL((u) => u.pathname === '/admin/reviews');
    const nav = page.getByRole('navigation', { name: 'Moderation' });
    await nav.getByRole('link', { name: 'Reviews' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 0, 'no user administration for support');
    await page.getByTestId('moderation-row').first().waitFor();
    await page.goto('/admin/sellers');
    await page.getByRole('heading', { name: 'Nothing here' }).waitFor();
    await page.goto('/admin');
    await page.getByTestId('moderation-row').first().waitFor();
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});
