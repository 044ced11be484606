// Returns and support tickets from the customer's side. An order from two
// demo sellers is bought and delivered through the API (as
// scripts/support.sh does); then, in the browser, the customer returns one
// unit of the first parcel as damaged with a photo, and follows it to the
// refund while the seller and a delivery partner act through the API. Then
// the customer asks for help about the other parcel: the seller and support
// answer (support also adds an internal note the customer must never see),
// the customer replies, marks the ticket resolved and reopens it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audit, base, demo, launch, open, routes, shot, signIn, until } from './lib.mjs';

let browser;
let api;
let tmp;
before(async () => {
  browser = await launch();
  api = await routes();
  tmp = mkdtempSync(join(tmpdir(), 'bazaar-e2e-'));
});
after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const volt = ['volt@demo.bazaar.dev', 'demo-seller-pass'];
// An 8×8 red PNG: small, and a real image a browser can draw.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4oaGBFTEMLQkAgl1GAWqNFmsAAAAASUVORK5CYII=', 'base64');

async function token([email, password]) {
  const res = await fetch(base + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(res.status, 200, 'demo login works for ' + email);
  return (await res.json()).access_token;
}

/** call sends one API request and fails the test unless the status is want. */
async function call(method, path, body, tok, want) {
  const res = await fetch(base + '/api/v1' + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(tok ? { Authorization: 'Bearer ' + tok } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (want !== undefined) assert.equal(res.status, want, `${method} ${path}: ${text}`);
  else assert.ok(res.ok, `${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const ignorable = (e) => /status of 415/.test(e);

/** A delivered order with one part from each of two demo sellers. */
async function deliveredOrder(t) {
  const tok = {
    customer: await token(demo.customer),
    seller1: await token(demo.seller),
    seller2: await token(volt),
    driver: await token(demo.delivery),
    support: await token(demo.support),
  };
  const driverId = (await call('GET', '/me', undefined, tok.driver)).id;
  const skus = [];
  for (const s of [tok.seller1, tok.seller2]) {
    const store = await call('GET', '/seller/me', undefined, s);
    const list = await call('GET', `/product?seller=${store.id}&limit=20`);
    const product = list.items.find((p) => p.status === 'active' && p.variants.length > 0);
    assert.ok(product, 'each demo seller has an active product');
    const sku = product.variants[0].sku;
    await call('PUT', '/inventory/' + sku, { on_hand: 20 }, s);
    skus.push({ sku, product, seller: store.id });
  }
  // Both sellers take returns for 14 days, none approved automatically.
  for (const s of [tok.seller1, tok.seller2]) await call('PUT', '/seller/return-policy', { window_days: 14, auto_approve: [] }, s);
  const address = { name: 'Cody Customer', line1: '1 Main St', city: 'Springfield', postal_code: '12345', country: 'US' };
  const order = await call('POST', '/order', { lines: [{ sku: skus[0].sku, quantity: 2 }, { sku: skus[1].sku, quantity: 1 }], shipping_address: address }, tok.customer, 201);
  await call('POST', '/payment', { order_id: order.id, method: 'tok_visa' }, tok.customer, 201);
  await until(async () => (await call('GET', '/order/' + order.id, undefined, tok.customer)).status === 'paid', 'the order is paid');
  for (const s of [tok.seller1, tok.seller2]) {
    let ship;
    await until(async () => {
      ship = (await call('GET', '/order/' + order.id, undefined, s)).seller_orders[0].shipment?.id;
      return !!ship;
    }, 'a shipment for the seller order');
    await call('POST', `/shipment/${ship}/pack`, undefined, s);
    await call('POST', `/shipment/${ship}/handover`, { partner_id: driverId }, s);
    for (const status of ['picked_up', 'in_transit', 'out_for_delivery', 'delivered']) await call('POST', `/shipment/${ship}/event`, { status }, tok.driver);
  }
  await until(async () => (await call('GET', '/order/' + order.id, undefined, tok.customer)).status === 'delivered', 'the order is delivered');
  const full = await call('GET', '/order/' + order.id, undefined, tok.customer);
  const parts = skus.map((s) => {
    const i = full.seller_orders.findIndex((p) => p.seller_id === s.seller);
    assert.ok(i >= 0, 'the order has a part for each seller');
    return { n: i + 1, part: full.seller_orders[i], title: full.seller_orders[i].lines[0].title, sku: s.sku };
  });
  return { tok, order: full, parts };
}

let setup;
async function ready(t) {
  for (const r of ['POST /api/v1/return', 'POST /api/v1/ticket', 'POST /api/v1/attachment', 'POST /api/v1/order', 'POST /api/v1/shipment/{id}/event']) {
    if (!api.has(r)) {
      t.skip(r + ' is not on this server');
      return undefined;
    }
  }
  setup ??= await deliveredOrder(t);
  return setup;
}

test('a customer returns a damaged item with a photo and follows it to the refund', async (t) => {
  const s = await ready(t);
  if (!s) return;
  const { tok, order, parts } = s;
  const [first] = parts;
  const photo = join(tmp, 'cracked.png');
  writeFileSync(photo, png);

  const { page: c, errors, context } = await open(browser);
  try {
    await signIn(c, ...demo.customer);
    await c.goto('/orders/' + order.id);
    const parcel = c.getByRole('region', { name: `Parcel ${first.n} of 2` });
    await parcel.getByRole('link', { name: 'Return items' }).click();
    await c.waitForURL(new RegExp(`/orders/${order.id}/return/${first.part.id}$`));
    await c.getByRole('heading', { name: 'Return items' }).waitFor();
    await c.getByTestId('return-deadline').waitFor();

    // Sending nothing says what is missing.
    await c.getByRole('button', { name: 'Request return' }).click();
    await c.getByText('Choose at least one item to return.').waitFor();

    const line = c.getByTestId('return-pick-line').filter({ hasText: first.title });
    await line.getByLabel('Quantity to return').selectOption('1');
    await c.getByRole('button', { name: 'Request return' }).click();
    await line.getByText('Choose why you are returning it.').waitFor();
    await line.getByLabel('Reason').selectOption('damaged');
    await c.getByLabel('Comment (optional)').fill('The shade arrived cracked.');

    // A text file posing as a PNG is refused by the server (415), and says so.
    const picker = c.getByLabel('Photos (optional)');
    await picker.setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('plain text, not an image') });
    const refused = c.getByTestId('upload-item').filter({ hasText: 'notes.png' });
    await refused.getByText(/Not attached: Attach a JPEG, PNG or WebP image or a PDF/).waitFor();
    await refused.getByRole('button', { name: 'Dismiss notes.png' }).click();
    await picker.setInputFiles(photo);
    await c.getByTestId('upload-item').filter({ hasText: 'cracked.png' }).getByText('Attached').waitFor();
    await shot(c, '60-return-form');
    assert.deepEqual(await audit(c), [], 'no serious accessibility violations on the return form');

    // The same form on a phone.
    await c.setViewportSize({ width: 390, height: 844 });
    await shot(c, '61-return-form-phone');
    const overflow = await c.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the return form fits a 390px screen (overflows by ${overflow}px)`);
    await c.setViewportSize({ width: 1280, height: 900 });

    await c.getByRole('button', { name: 'Request return' }).click();
    await c.waitForURL(/\/returns\/ret_/);
    const returnId = new URL(c.url()).pathname.split('/').pop();
    await c.getByTestId('return-status').filter({ hasText: 'Requested' }).waitFor();
    await c.getByTestId('return-line').filter({ hasText: `1 × ${first.title}` }).getByText('Reason: Arrived damaged').waitFor();
    const img = c.getByRole('list', { name: 'Photos' }).getByRole('img', { name: 'cracked.png' });
    await img.waitFor();
    await until(async () => (await img.evaluate((el) => el.complete && el.naturalWidth)) > 0, 'the photo, fetched with the token, is drawn');
    assert.match(await img.getAttribute('src'), /^blob:/, 'the photo is shown through an object URL');
    await c.getByRole('button', { name: 'Cancel return' }).waitFor();
    await shot(c, '62-return-requested');

    // The seller approves; a delivery partner picks the parcel up and brings it back; the seller receives it as sellable.
    const approved = await call('PUT', `/return/${returnId}/approve`, undefined, tok.seller1);
    assert.equal(approved.status, 'approved');
    await call('PUT', `/return/${returnId}/pickup`, { status: 'picked_up', location: 'Springfield' }, tok.driver);
    await call('PUT', `/return/${returnId}/pickup`, { status: 'delivered' }, tok.driver);
    await call('PUT', `/return/${returnId}/receive`, { lines: [{ sku: first.sku, quantity: 1, condition: 'sellable' }] }, tok.seller1);
    let refunded;
    await until(async () => {
      refunded = await call('GET', '/return/' + returnId, undefined, tok.customer);
      return refunded.status === 'refunded';
    }, 'the return is refunded');

    await c.reload();
    await c.getByTestId('return-status').filter({ hasText: 'Refunded' }).waitFor();
    const amount = new Intl.NumberFormat('en-US', { style: 'currency', currency: refunded.refund.currency }).format(refunded.refund.amount / 100);
    assert.equal((await c.getByTestId('refund-amount').textContent()).trim(), amount);
    const timeline = c.getByRole('list', { name: 'Return progress' });
    for (const step of ['Return requested', 'Approved by the seller', 'Pickup scheduled', 'Picked up', 'On its way back', 'Delivered to the seller', 'Received by the seller', 'Refunded']) {
      await timeline.getByText(step, { exact: true }).first().waitFor();
    }
    await timeline.getByText('Springfield').first().waitFor();
    await c.getByTestId('pickup').getByText(refunded.pickup.tracking_id).waitFor();
    assert.equal(await c.getByRole('button', { name: 'Cancel return' }).count(), 0, 'a refunded return cannot be cancelled');
    await shot(c, '63-return-refunded');
    assert.deepEqual(await audit(c), [], 'no serious accessibility violations on the return page');

    // The order shows it: partially returned, "1 returned" on the line, the return listed.
    await until(async () => (await call('GET', '/order/' + order.id, undefined, tok.customer)).status === 'partially_returned', 'the order is partially returned');
    await c.goto('/orders/' + order.id);
    await c.getByTestId('order-status').filter({ hasText: 'Partially returned' }).waitFor();
    await c.getByRole('region', { name: `Parcel ${first.n} of 2` }).getByTestId('line-returned').filter({ hasText: '1 returned' }).waitFor();
    const listed = c.getByTestId('order-return').filter({ hasText: returnId });
    await listed.getByText('Refunded').waitFor();
    await shot(c, '64-order-partially-returned');

    // And "Your returns" lists it.
    await c.getByRole('button', { name: /account menu/ }).click();
    await c.getByRole('link', { name: 'Returns' }).click();
    await c.getByTestId('return-row').filter({ hasText: returnId }).getByText('Refunded').waitFor();
    await shot(c, '65-my-returns');

    assert.deepEqual(errors.filter((e) => !ignorable(e)), [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('a customer asks about a parcel, hears from the seller and support, never sees the internal note, resolves and reopens', async (t) => {
  const s = await ready(t);
  if (!s) return;
  const { tok, order, parts } = s;
  const second = parts[1];
  const { page: c, errors, context } = await open(browser);
  try {
    await signIn(c, ...demo.customer);
    // The product page offers to ask about the product.
    const productId = second.part.lines[0].product_id;
    await c.goto('/p/' + productId);
    await c.getByRole('link', { name: 'Ask a question about this product' }).click();
    await c.waitForURL(/\/tickets\/new\?product_id=/);
    await c.getByTestId('ticket-about').getByRole('link', { name: second.title }).waitFor();
    assert.equal(await c.getByLabel('Topic').inputValue(), 'product');

    await c.goto('/orders/' + order.id);
    await c.getByRole('region', { name: `Parcel ${second.n} of 2` }).getByRole('link', { name: 'Get help with this parcel' }).click();
    await c.waitForURL(/\/tickets\/new\?/);
    await c.getByTestId('ticket-about').getByRole('link', { name: 'order ' + order.id }).waitFor();
    assert.equal(await c.getByLabel('Topic').inputValue(), 'order', 'the topic fits a parcel');
    await c.getByLabel('Subject').fill('Where is the charger?');
    await c.getByLabel('How can we help?').fill('The box had no charger.');
    await shot(c, '66-new-ticket');
    await c.getByRole('button', { name: 'Send' }).click();
    await c.waitForURL(/\/tickets\/tkt_/);
    const ticketId = new URL(c.url()).pathname.split('/').pop();
    await c.getByRole('heading', { name: 'Where is the charger?' }).waitFor();
    await c.getByTestId('ticket-message').filter({ hasText: 'The box had no charger.' }).getByText('You', { exact: true }).waitFor();

    const ticket = await call('GET', '/ticket/' + ticketId, undefined, tok.customer);
    assert.equal(ticket.seller_order_id, second.part.id, 'the ticket is about the second parcel');

    // The seller answers; support adds an internal note, then answers in public.
    await call('POST', `/ticket/${ticketId}/message`, { body: 'Sorry! It ships separately, tracking to follow.' }, tok.seller2, 201);
    await call('POST', `/ticket/${ticketId}/message`, { body: 'Seller has missed chargers before; watch this store.', internal: true }, tok.support, 201);
    await call('POST', `/ticket/${ticketId}/message`, { body: 'We have asked the seller to ship the charger today.' }, tok.support, 201);

    await c.reload();
    await c.getByTestId('ticket-message').filter({ hasText: 'It ships separately' }).getByText('Seller', { exact: true }).waitFor();
    await c.getByTestId('ticket-message').filter({ hasText: 'ship the charger today' }).getByText('Support', { exact: true }).waitFor();
    assert.equal(await c.getByText(/watch this store/).count(), 0, 'the internal note never reaches the customer');
    assert.equal(await c.getByText('Internal note', { exact: false }).count(), 0, 'no internal note is shown');
    assert.ok(!(await c.content()).includes('watch this store'), 'the internal note is nowhere in the page');
    await c.getByTestId('ticket-status').filter({ hasText: 'Awaiting your reply' }).waitFor();

    // The customer replies.
    await c.getByLabel('Your reply').fill('Thank you, it arrived today.');
    await c.getByRole('button', { name: 'Send reply' }).click();
    await c.getByTestId('ticket-message').filter({ hasText: 'it arrived today' }).waitFor();
    assert.equal(await c.getByTestId('ticket-message').count(), 4);
    await shot(c, '67-ticket-thread');
    assert.deepEqual(await audit(c), [], 'no serious accessibility violations on the ticket page');

    // Resolved, then reopened.
    await c.getByRole('button', { name: 'Mark resolved' }).click();
    await c.getByTestId('ticket-status').filter({ hasText: 'Resolved' }).waitFor();
    await c.getByRole('button', { name: 'Reopen' }).waitFor();
    await shot(c, '68-ticket-resolved');
    await c.getByRole('button', { name: 'Reopen' }).click();
    await c.getByTestId('ticket-status').filter({ hasText: 'Awaiting support' }).waitFor();
    await c.getByRole('button', { name: 'Mark resolved' }).waitFor();

    // "Your support tickets" lists it.
    await c.getByRole('link', { name: 'Your support tickets' }).click();
    await c.getByTestId('ticket-row').filter({ hasText: 'Where is the charger?' }).getByText('Awaiting support').waitFor();
    await shot(c, '69-my-tickets');

    assert.deepEqual(errors.filter((e) => !ignorable(e)), [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('a rejected return is escalated to support, and a requested one is cancelled', async (t) => {
  const s = await ready(t);
  if (!s) return;
  const { tok, order, parts } = s;
  const [first, second] = parts;
  // Through the API: one return the seller rejects, one the customer will withdraw.
  const rejected = await call('POST', '/return', { seller_order_id: second.part.id, lines: [{ sku: second.sku, quantity: 1, reason: 'no_longer_needed' }] }, tok.customer, 201);
  await call('PUT', `/return/${rejected.id}/reject`, { reason: 'The seal is broken: opened software cannot be returned.' }, tok.seller2);
  const pending = await call('POST', '/return', { seller_order_id: first.part.id, lines: [{ sku: first.sku, quantity: 1, reason: 'size_or_fit' }] }, tok.customer, 201);

  const { page: c, errors, context } = await open(browser, { width: 390, height: 844 });
  try {
    await signIn(c, ...demo.customer);
    await c.goto('/returns/' + rejected.id);
    await c.getByTestId('return-status').filter({ hasText: 'Rejected' }).waitFor();
    await c.getByTestId('reject-reason').getByText('The seal is broken', { exact: false }).waitFor();
    assert.equal(await c.getByRole('button', { name: 'Cancel return' }).count(), 0, 'a rejected return cannot be cancelled');
    await shot(c, '70-return-rejected-phone');
    await c.getByRole('link', { name: 'Escalate to support' }).click();
    await c.waitForURL(/\/tickets\/new\?return_id=/);
    await c.getByRole('heading', { name: 'Ask support about a return' }).waitFor();
    assert.equal(await c.getByLabel('Topic').inputValue(), 'return');
    await c.getByLabel('Subject').fill('Please review this rejection');
    await c.getByLabel('How can we help?').fill('The seal was intact when I sent it back.');
    await c.getByRole('button', { name: 'Send' }).click();
    await c.waitForURL(/\/tickets\/tkt_/);
    const ticketId = new URL(c.url()).pathname.split('/').pop();
    await c.getByRole('link', { name: 'return ' + rejected.id }).click();
    await c.waitForURL(new RegExp('/returns/' + rejected.id));
    await c.getByRole('link', { name: 'View your ticket' }).click();
    await c.waitForURL(new RegExp('/tickets/' + ticketId));

    // The other return is withdrawn before pickup.
    await c.goto('/returns/' + pending.id);
    await c.getByTestId('return-status').filter({ hasText: 'Requested' }).waitFor();
    await c.getByRole('button', { name: 'Cancel return' }).click();
    await c.getByRole('button', { name: 'Yes, cancel the return' }).click();
    await c.getByTestId('return-status').filter({ hasText: 'Cancelled' }).waitFor();
    assert.equal((await call('GET', '/return/' + pending.id, undefined, tok.customer)).status, 'cancelled');
    await shot(c, '71-return-cancelled-phone');

    assert.deepEqual(errors.filter((e) => !ignorable(e)), [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('a customer exchanges an item for another variant, shipped at no charge', async (t) => {
  if (!api.has('POST /api/v1/return') || !api.has('POST /api/v1/order')) return t.skip('returns are not on this server');
  const tok = { customer: await token(demo.customer), seller: await token(demo.seller), driver: await token(demo.delivery) };
  const driverId = (await call('GET', '/me', undefined, tok.driver)).id;
  const store = await call('GET', '/seller/me', undefined, tok.seller);
  const list = await call('GET', `/product?seller=${store.id}&limit=100`);
  const product = list.items.find((p) => p.status === 'active' && p.variants.length > 1);
  if (!product) return t.skip('no demo product with two variants');
  const [a, b] = product.variants;
  for (const v of [a, b]) await call('PUT', '/inventory/' + v.sku, { on_hand: 10 }, tok.seller);
  await call('PUT', '/seller/return-policy', { window_days: 14, auto_approve: [] }, tok.seller);
  const address = { name: 'Cody Customer', line1: '1 Main St', city: 'Springfield', postal_code: '12345', country: 'US' };
  const order = await call('POST', '/order', { lines: [{ sku: a.sku, quantity: 1 }], shipping_address: address }, tok.customer, 201);
  await call('POST', '/payment', { order_id: order.id, method: 'tok_visa' }, tok.customer, 201);
  await until(async () => (await call('GET', '/order/' + order.id, undefined, tok.customer)).status === 'paid', 'the order is paid');
  let ship;
  await until(async () => {
    ship = (await call('GET', '/order/' + order.id, undefined, tok.seller)).seller_orders[0].shipment?.id;
    return !!ship;
  }, 'a shipment');
  await call('POST', `/shipment/${ship}/pack`, undefined, tok.seller);
  await call('POST', `/shipment/${ship}/handover`, { partner_id: driverId }, tok.seller);
  for (const status of ['picked_up', 'in_transit', 'out_for_delivery', 'delivered']) await call('POST', `/shipment/${ship}/event`, { status }, tok.driver);
  await until(async () => (await call('GET', '/order/' + order.id, undefined, tok.customer)).status === 'delivered', 'the order is delivered');
  const part = (await call('GET', '/order/' + order.id, undefined, tok.customer)).seller_orders[0];

  const { page: c, errors, context } = await open(browser);
  try {
    await signIn(c, ...demo.customer);
    await c.goto(`/orders/${order.id}/return/${part.id}`);
    const line = c.getByTestId('return-pick-line').first();
    await line.getByLabel('Quantity to return').selectOption('1');
    await line.getByLabel('Reason').selectOption('size_or_fit');
    const want = line.getByLabel('What would you like?');
    const choice = await want.locator('option', { hasText: 'Exchange for' }).first();
    const value = await choice.getAttribute('value');
    assert.ok(value, 'another variant is offered in exchange');
    await want.selectOption(value);
    await shot(c, '67-return-exchange');
    await c.getByRole('button', { name: 'Request return' }).click();
    await c.waitForURL(/\/returns\/ret_/);
    const returnId = new URL(c.url()).pathname.split('/').pop();
    await c.getByTestId('return-exchange').filter({ hasText: value }).waitFor();

    await call('PUT', `/return/${returnId}/approve`, undefined, tok.seller);
    await call('PUT', `/return/${returnId}/receive`, { lines: [{ sku: part.lines[0].sku, quantity: 1, condition: 'sellable' }] }, tok.seller);
    let exchanged;
    await until(async () => {
      exchanged = await call('GET', '/return/' + returnId, undefined, tok.customer);
      return !!exchanged.exchange_order_id && exchanged.status === 'refunded';
    }, 'the replacement is placed');
    assert.equal(exchanged.refund.amount, 0, 'an exchange refunds no money');
    const replacement = await call('GET', '/order/' + exchanged.exchange_order_id, undefined, tok.customer);
    assert.equal(replacement.total.amount, 0, 'the replacement costs nothing');
    assert.equal(replacement.seller_orders[0].lines[0].sku, value, 'the replacement is the variant chosen');
    await c.reload();
    const link = c.getByTestId('exchange-order').getByRole('link', { name: 'follow the replacement order' });
    await link.click();
    await c.waitForURL(new RegExp('/orders/' + exchanged.exchange_order_id + '$'));
    await c.getByText(product.title).first().waitFor();
    await shot(c, '68-exchange-order');
    assert.deepEqual(errors.filter((e) => !ignorable(e)), [], 'no console errors');
  } finally {
    await context.close();
  }
});
