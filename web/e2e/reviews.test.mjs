// Ratings and reviews in the storefront: a product's summary, histogram and
// reviews page by page, the empty state, ratings on search tiles, and a
// customer who has not received a product being told they cannot review it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { audit, base, demo, formatAverage, launch, open, productWithReviews, routes, shot, signIn, until } from './lib.mjs';

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await routes();
});
after(async () => {
  await browser?.close();
});

/** PAGE is how many reviews the product page loads at a time. */
const PAGE = 5;

test('reviews: the summary, the histogram and the reviews of a product, page by page', async (t) => {
  if (!api.has('GET /api/v1/product/{id}/review')) return t.skip('reviews are not on this server');
  const found = await productWithReviews((s) => s.count > PAGE, PAGE);
  assert.ok(found, `some demo product has more than ${PAGE} reviews`);
  const { product, page: first } = found;
  const { summary } = first;
  const { page, errors, context } = await open(browser);
  try {
    await page.goto('/p/' + product.slug);
    const section = page.getByRole('region', { name: 'Ratings & reviews' });
    await section.getByTestId('rating-summary').waitFor();

    // Under the title: the average and the count, leading to the reviews.
    const link = page.getByRole('link', { name: new RegExp(`^Rated ${formatAverage(summary.average)} out of 5 from ${summary.count} reviews`) });
    assert.equal(await link.getAttribute('href'), '#reviews');

    // The summary: the average as a number and as stars, and the count.
    const box = section.getByTestId('rating-summary');
    assert.match(await box.textContent(), new RegExp(`^${formatAverage(summary.average).replace('.', '\\.')}`), 'the average shows first');
    await box.getByRole('img', { name: `Rated ${formatAverage(summary.average)} out of 5` }).waitFor();
    await box.getByText(`Based on ${summary.count} reviews`).waitFor();

    // The histogram, 5 to 1 stars, each with its count in words for screen readers.
    const bars = box.getByRole('list', { name: 'Ratings by stars' }).getByRole('listitem');
    assert.equal(await bars.count(), 5);
    for (let i = 0; i < 5; i++) {
      const stars = 5 - i;
      const n = summary.histogram[String(stars)];
      const text = (await bars.nth(i).textContent()).replace(/\s+/g, ' ').trim();
      assert.match(text, new RegExp(`^${stars} stars? ${n} ${n === 1 ? 'review' : 'reviews'} \\(\\d+%\\)$`), `the ${stars}-star row reads its count (got “${text}”)`);
    }

    // The first page of reviews, newest first, as the API lists them.
    const reviews = section.getByTestId('review');
    assert.equal(await reviews.count(), PAGE);
    const r0 = first.items[0];
    const top = reviews.first();
    assert.match(await top.textContent(), new RegExp(escape(r0.author)));
    await top.getByRole('img', { name: `${r0.rating} out of 5 stars` }).waitFor();
    if (r0.title) await top.getByRole('heading', { level: 3, name: r0.title }).waitFor();
    if (r0.body) assert.match(await top.textContent(), new RegExp(escape(r0.body)));
    assert.equal(await top.locator('time').getAttribute('datetime'), r0.created_at);
    const verified = first.items.filter((r) => r.verified_purchase).length;
    assert.equal(await section.getByText('Verified purchase').count(), verified, 'the badge shows on verified purchases only');
    await shot(page, '70-reviews');

    // Show more follows next_cursor until the last page; focus moves to the first review added.
    const more = section.getByRole('button', { name: 'Show more reviews' });
    let shown = PAGE;
    while (shown < summary.count) {
      const before = shown;
      await more.click();
      shown = Math.min(summary.count, shown + PAGE);
      await until(async () => (await reviews.count()) === shown, `${shown} reviews shown`);
      assert.equal(await reviews.nth(before).evaluate((el) => el === document.activeElement), true, 'focus is on the first review added');
    }
    assert.equal(await more.count(), 0, 'no more to show on the last page');
    const all = await reviews.evaluateAll((els) => els.map((el) => el.querySelector('time').getAttribute('datetime')));
    assert.deepEqual(all, [...all].sort().reverse(), 'newest first');
    await shot(page, '71-reviews-all');

    // Signed out: an invitation to sign in and review.
    await section.getByRole('link', { name: 'Sign in' }).waitFor();

    // A product nobody reviewed says so.
    const none = await productWithReviews((s) => s.count === 0);
    if (none) {
      await page.goto('/p/' + none.product.slug);
      await page.getByTestId('reviews-empty').getByText('No reviews yet').waitFor();
      assert.equal(await page.getByTestId('review').count(), 0);
      assert.equal(await page.locator('.rating-link').count(), 0, 'no rating under the title');
    } else {
      t.diagnostic('every demo product has reviews: empty state not checked');
    }

    // Search tiles show the rating of products that have one.
    if (api.has('GET /api/v1/search')) {
      await page.goto('/search?sort=rating');
      const grid = page.getByTestId('product-grid');
      await grid.getByRole('link').first().waitFor();
      const res = await (await fetch(base + '/api/v1/search?sort=rating&limit=24')).json();
      const rated = res.items.find((h) => h.rating_count > 0);
      assert.ok(rated, 'search knows some ratings');
      const tile = grid.locator(`a[href="/p/${rated.slug}"]`);
      assert.equal(await tile.locator('.card-rating span[aria-hidden=true]').textContent(), `${formatAverage(rated.rating)} (${rated.rating_count})`);
      assert.match(await tile.locator('.card-rating').textContent(), new RegExp(`Rated ${formatAverage(rated.rating)} out of 5 from ${rated.rating_count} reviews?`));
      const unrated = res.items.find((h) => !h.rating_count);
      if (unrated) assert.equal(await grid.locator(`a[href="/p/${unrated.slug}"] .card-rating`).count(), 0, 'no rating on a tile without one');
      await shot(page, '72-search-ratings');
    }

    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('reviews: a customer who has not received the product cannot review it', async (t) => {
  if (!api.has('POST /api/v1/product/{id}/review')) return t.skip('reviews are not on this server');
  const found = await productWithReviews((s) => s.count > 0, 1);
  assert.ok(found, 'some demo product has reviews');
  const { product } = found;
  const { page, errors, context } = await open(browser);
  try {
    // A new customer, straight back to the product.
    await page.goto('/register?next=' + encodeURIComponent('/p/' + product.slug));
    await page.getByLabel('Your name').fill('Rhea Viewer');
    await page.getByLabel('E-mail').fill(`e2e-review-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`);
    await page.getByLabel('Password').fill('correct-horse-battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((u) => u.pathname === '/p/' + product.slug);

    const section = page.getByRole('region', { name: 'Ratings & reviews' });
    await section.getByRole('button', { name: 'Write a review' }).click();
    const form = section.getByRole('form', { name: 'Write a review' });
    await form.waitFor();
    assert.equal(await form.getByRole('heading', { name: 'Write a review' }).evaluate((el) => el === document.activeElement), true, 'focus moves to the form');

    // No rating yet: the form says so next to the stars, without asking the server.
    await form.getByRole('button', { name: 'Post review' }).click();
    const stars = form.getByRole('group', { name: 'Your rating' });
    await stars.getByText('Choose a rating from 1 to 5 stars.').waitFor();
    assert.equal(await stars.getByRole('radio').first().getAttribute('aria-invalid'), 'true');
    assert.equal(await stars.getByRole('radio').first().evaluate((el) => el === document.activeElement), true, 'focus moves to the rating');

    // The stars are radio buttons: the arrow keys choose.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    assert.ok(await stars.getByRole('radio', { name: '4 stars, Very good' }).isChecked(), 'three steps right of the first star is four stars');
    assert.equal(await stars.getByText('Choose a rating').count(), 0, 'choosing a rating clears its error');
    await form.getByLabel('Title (optional)').fill('Looks great');
    await form.getByLabel('Your review (optional)').fill('I have not received it, but I like the photos.');

    const answer = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/product/${product.id}/review`);
    await form.getByRole('button', { name: 'Post review' }).click();
    const res = await answer;
    assert.equal(res.status(), 403);
    assert.equal((await res.json()).code, 'not_purchased');
    const alert = form.getByRole('alert');
    await alert.filter({ hasText: 'Only customers who received this product can review it.' }).waitFor();
    // The form keeps what was written.
    assert.equal(await form.getByLabel('Title (optional)').inputValue(), 'Looks great');
    assert.ok(await stars.getByRole('radio', { name: '4 stars, Very good' }).isChecked());
    await shot(page, '73-review-not-purchased');

    // The form, with its error showing, is accessible.
    assert.deepEqual(await audit(page), [], 'no serious accessibility violations');

    // Nothing was posted.
    await form.getByRole('button', { name: 'Cancel' }).click();
    await section.getByRole('button', { name: 'Write a review' }).waitFor();
    const mine = await page.evaluate(async (id) => {
      const r = await fetch(`/api/v1/product/${id}/review?limit=100`);
      return (await r.json()).items.filter((x) => x.author.startsWith('Rhea')).length;
    }, product.id);
    assert.equal(mine, 0, 'no review was published');

    // The refusal is an expected 403, not a script error.
    assert.deepEqual(
      errors.filter((e) => !/status of 403/.test(e)),
      [],
      'no script errors',
    );
  } finally {
    await context.close();
  }
});

test('reviews: an admin hides a review, and shows it again', async (t) => {
  if (!api.has('PUT /api/v1/review/{id}/moderate')) return t.skip('moderation is not on this server');
  const found = await productWithReviews((s) => s.count >= 2 && s.count <= PAGE, PAGE);
  assert.ok(found, 'some demo product has a few reviews');
  const { product, page: first } = found;
  const target = first.items[0];
  const { page, errors, context } = await open(browser);
  try {
    await signIn(page, ...demo.admin);
    await page.goto('/p/' + product.slug);
    const section = page.getByRole('region', { name: 'Ratings & reviews' });
    const box = section.getByTestId('rating-summary');
    await box.getByText(`Based on ${first.summary.count} reviews`).waitFor();
    assert.equal(await section.getByRole('button', { name: 'Write a review' }).count(), 0, 'staff do not write reviews');

    const review = section.getByTestId('review').filter({ has: page.locator(`time[datetime="${target.created_at}"]`) }).filter({ hasText: target.author });
    await review.getByRole('button', { name: `Hide the review by ${target.author}` }).click();
    const form = review.getByRole('form', { name: `Hide the review by ${target.author}` });
    await form.getByLabel('Reason (the author sees it)').fill('Off-topic');
    await form.getByRole('button', { name: 'Hide review' }).click();

    // Gone from the list and from the summary, for everyone.
    const left = first.summary.count - 1;
    await box.or(section.getByTestId('reviews-empty')).first().waitFor();
    await section.getByText(left === 1 ? 'Based on 1 review' : `Based on ${left} reviews`).waitFor();
    assert.equal(await section.getByTestId('review').count(), first.summary.count - 1);
    assert.equal((await fetch(`${base}/api/v1/review/${target.id}`)).status, 404, 'a hidden review is not shown to the public');
    await shot(page, '74-review-hidden');

    // Undo, in the toast, publishes it again.
    await page.getByRole('status').getByRole('button', { name: 'Undo' }).click();
    await box.getByText(`Based on ${first.summary.count} reviews`).waitFor();
    assert.equal(await section.getByTestId('review').count(), first.summary.count);
    assert.equal((await fetch(`${base}/api/v1/review/${target.id}`)).status, 200, 'shown again');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
