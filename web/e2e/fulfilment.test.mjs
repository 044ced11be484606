// The whole life of an order across four screens: a customer buys from the
// demo seller, the seller packs and hands over, the delivery partner records
// the parcel's way to the door, and the customer sees it delivered, then
// reviews it (a verified purchase), edits the review and deletes it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { audit, base, demo, launch, open, routes, shot, signIn } from './lib.mjs';

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await routes();
});
after(async () => {
  await browser?.close();
});

async function token([email, password]) {
  const res = await fetch(base + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(res.status, 200, 'demo login works');
  return (await res.json()).access_token;
}

test('an order goes from checkout to delivered through the seller and delivery screens', async (t) => {
  for (const r of ['POST /api/v1/order', 'GET /api/v1/seller/order', 'POST /api/v1/shipment/{id}/pack', 'GET /api/v1/delivery/shipment', 'POST /api/v1/shipment/{id}/event']) {
    if (!api.has(r)) return t.skip(r + ' is not on this server');
  }
  // A product of the demo seller's store that is in stock.
  const sellerToken = await token(demo.seller);
  const store = await (await fetch(base + '/api/v1/seller/me', { headers: { Authorization: 'Bearer ' + sellerToken } })).json();
  const page1 = await (await fetch(`${base}/api/v1/product?seller=${store.id}&limit=50`)).json();
  const product = page1.items.find((p) => p.variants.some((v) => v.available > 2));
  assert.ok(product, 'the demo seller has a product in stock');

  // The customer buys it.
  const customer = await open(browser);
  const seller = await open(browser);
  const courier = await open(browser);
  try {
    const c = customer.page;
    await signIn(c, ...demo.customer);
    await c.goto('/p/' + product.slug);
    await c.getByRole('button', { name: 'Add to cart' }).click();
    await c.getByTestId('cart-count').waitFor();
    await c.goto('/checkout');
    await c.getByRole('heading', { name: '1. Shipping address' }).waitFor();
    if (await c.getByLabel('Full name').isVisible()) {
      await c.getByLabel('Full name').fill('Demo Customer');
      await c.getByLabel('Address line 1').fill('9 Harbour Lane');
      await c.getByLabel('City').fill('Portsmouth');
      await c.getByLabel('Country code').fill('GB');
    }
    await c.getByRole('button', { name: 'Place order and pay' }).click();
    await c.waitForURL(/\/orders\/ord_/);
    await c.getByTestId('order-status').filter({ hasText: 'Paid' }).waitFor({ timeout: 60_000 });
    const orderId = new URL(c.url()).pathname.split('/').pop();

    // The seller packs and hands over.
    const s = seller.page;
    await signIn(s, ...demo.seller);
    await s.getByRole('link', { name: 'Orders' }).click();
    const card = s.getByTestId('seller-order').filter({ hasText: orderId });
    await card.waitFor({ timeout: 60_000 });
    const tracking = (await card.locator('code').last().textContent()).trim();
    await shot(s, '50-seller-orders');
    await card.getByRole('button', { name: 'Mark packed' }).click();
    await card.getByRole('button', { name: 'Hand over to carrier' }).click();
    await s.getByText(new RegExp(`Shipment ${tracking}: handed to the carrier`)).waitFor();

    // The delivery partner takes it to the door.
    const d = courier.page;
    await signIn(d, ...demo.delivery);
    await d.waitForURL((u) => u.pathname === '/delivery');
    const parcel = d.getByTestId('delivery-shipment').filter({ hasText: tracking });
    await parcel.waitFor({ timeout: 60_000 });
    await shot(d, '51-delivery-assigned');
    for (const [step, badge] of [
      ['Record picked up', 'Picked up'],
      ['Record in transit', 'In transit'],
      ['Record out for delivery', 'Out for delivery'],
    ]) {
      await parcel.getByRole('button', { name: step }).click();
      await parcel.locator('.badge').filter({ hasText: badge }).waitFor();
    }
    await parcel.getByLabel('Proof of delivery').fill('Signed by D. Customer');
    await parcel.getByRole('button', { name: 'Record delivered' }).click();
    await parcel.locator('.badge').filter({ hasText: 'Delivered' }).waitFor();
    await parcel.getByRole('button', { name: 'Show history' }).click();
    await shot(d, '52-delivery-delivered');

    // The customer sees it delivered, with the tracking history.
    await c.reload();
    await c.getByTestId('order-status').filter({ hasText: 'Delivered' }).waitFor({ timeout: 60_000 });
    await c.getByRole('button', { name: 'Track this parcel' }).click();
    const history = c.getByRole('list', { name: `Tracking of shipment ${tracking}` });
    await history.getByText('Proof: Signed by D. Customer').waitFor();
    await shot(c, '53-customer-delivered');

    // Having received it, the customer reviews it: published as a verified
    // purchase and counted in the summary; then edited, then deleted.
    if (api.has('POST /api/v1/product/{id}/review')) {
      const summary = async () => (await (await fetch(`${base}/api/v1/product/${product.id}/review?limit=1`)).json()).summary;
      const based = (n) => `Based on ${n} ${n === 1 ? 'review' : 'reviews'}`;
      await c.goto('/p/' + product.slug);
      const section = c.getByRole('region', { name: 'Ratings & reviews' });
      const mine = section.getByTestId('my-review');
      const write = section.getByRole('button', { name: 'Write a review' });
      await write.or(mine).waitFor();
      if (await mine.count()) {
        // Left by an earlier run against this server: start afresh.
        await mine.getByRole('button', { name: 'Delete', exact: true }).click();
        await mine.getByRole('button', { name: 'Delete review' }).click();
        await write.waitFor();
      }
      const before = await summary();
      await write.click();
      const form = section.getByRole('form', { name: 'Write a review' });
      await form.getByRole('radio', { name: '5 stars, Excellent' }).check();
      await form.getByLabel('Title (optional)').fill('Arrived well packed');
      await form.getByLabel('Your review (optional)').fill('Just as described.\nWould buy again.');
      await form.getByRole('button', { name: 'Post review' }).click();
      await mine.getByText('Arrived well packed').waitFor();
      assert.equal(await mine.getByRole('heading', { name: 'Your review' }).evaluate((el) => el === document.activeElement), true, 'focus moves to the posted review');
      // Newest first in the list, as a verified purchase; the summary counts it.
      const top = section.getByTestId('review').first();
      await top.getByRole('heading', { name: 'Arrived well packed' }).waitFor();
      await top.getByText('Verified purchase').waitFor();
      await top.getByText('Your review').waitFor();
      await section.getByTestId('rating-summary').getByText(based(before.count + 1)).waitFor();
      assert.equal((await summary()).count, before.count + 1);
      await shot(c, '54-customer-reviewed');
      assert.deepEqual(await audit(c), [], 'no serious accessibility violations on the page with the review');

      // Edit: the form holds the review; three stars and a new title.
      await mine.getByRole('button', { name: 'Edit', exact: true }).click();
      const edit = section.getByRole('form', { name: 'Edit your review' });
      assert.ok(await edit.getByRole('radio', { name: '5 stars, Excellent' }).isChecked(), 'the form holds the rating');
      assert.equal(await edit.getByLabel('Your review (optional)').inputValue(), 'Just as described.\nWould buy again.');
      await edit.getByRole('radio', { name: '3 stars, Good' }).check();
      await edit.getByLabel('Title (optional)').fill('Good, not great');
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await top.getByRole('heading', { name: 'Good, not great' }).waitFor();
      await top.getByRole('img', { name: '3 out of 5 stars' }).waitFor();

      // Delete, once confirmed: back to "Write a review", and out of the summary.
      await mine.getByRole('button', { name: 'Delete', exact: true }).click();
      await mine.getByRole('button', { name: 'Delete review' }).click();
      await write.waitFor();
      // The list refetches after the delete: wait for it rather than race it.
      await section.getByText('Good, not great').waitFor({ state: 'detached' });
      assert.equal(await section.getByText('Good, not great').count(), 0, 'the review is gone from the list');
      if (before.count > 0) await section.getByTestId('rating-summary').getByText(based(before.count)).waitFor();
      else await section.getByTestId('reviews-empty').waitFor();
      assert.equal((await summary()).count, before.count);
    }

    for (const x of [customer, seller, courier]) assert.deepEqual(x.errors, [], 'no script errors');
  } finally {
    await customer.context.close();
    await seller.context.close();
    await courier.context.close();
  }
});
