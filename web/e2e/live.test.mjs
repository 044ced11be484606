// Live updates: pages that are open change as things happen elsewhere,
// without a reload. The customer's order page shows the seller's handover
// and the partner's delivery; the seller center's order queue shows a new
// order as it is paid. Everything but the watching page goes through the API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { base, demo, launch, open, routes, shot, signIn } from './lib.mjs';

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await routes();
});
after(async () => {
  await browser?.close();
});

async function call(method, path, token, body) {
  const res = await fetch(base + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path} = ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const login = async ([email, password]) => (await call('POST', '/api/v1/auth/login', undefined, { email, password })).access_token;

/** buy places and pays an order of one unit of an in-stock product of the demo seller, as the demo customer. */
async function buy(customer, seller) {
  const store = await call('GET', '/api/v1/seller/me', seller);
  const list = await call('GET', `/api/v1/product?seller=${store.id}&limit=50`);
  const variant = list.items.flatMap((p) => p.variants).find((v) => v.available > 2);
  assert.ok(variant, 'the demo seller has a product in stock');
  const order = await call('POST', '/api/v1/order', customer, {
    lines: [{ sku: variant.sku, quantity: 1 }],
    shipping_address: { name: 'Demo Customer', line1: '9 Harbour Lane', city: 'Portsmouth', postal_code: 'PO1 3AX', country: 'GB' },
  });
  await call('POST', '/api/v1/payment', customer, { order_id: order.id, method: 'tok_visa' });
  return order.id;
}

/** marked puts a marker on the page that a reload would lose. */
const mark = (page) => page.evaluate(() => (window.__liveMarker = Math.random()));
const marker = (page) => page.evaluate(() => window.__liveMarker);

// Waits shorter than the pages' fallback polling (30 s): what shows up in
// time came over the socket.
const live = { timeout: 20_000 };

test("the order page shows the seller's handover and the delivery as they happen", async (t) => {
  for (const r of ['GET /api/v1/live', 'POST /api/v1/shipment/{id}/handover', 'POST /api/v1/shipment/{id}/event']) {
    if (!api.has(r)) return t.skip(r + ' is not on this server');
  }
  const [customer, seller, courier] = await Promise.all([login(demo.customer), login(demo.seller), login(demo.delivery)]);
  const orderId = await buy(customer, seller);
  let shipment;
  for (let i = 0; i < 100 && !shipment; i++) {
    shipment = (await call('GET', '/api/v1/order/' + orderId, seller)).seller_orders[0].shipment?.id;
    if (!shipment) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(shipment, 'the paid order has its shipment');
  const partner = await call('GET', '/api/v1/me', courier);

  const { context, page, errors } = await open(browser);
  try {
    await signIn(page, ...demo.customer);
    await page.goto('/orders/' + orderId);
    const status = page.getByTestId('order-status');
    await status.filter({ hasText: 'Paid' }).waitFor({ timeout: 60_000 });
    // The socket is up (its hello arrived): the page stopped polling.
    await page.locator('html[data-live="on"]').waitFor({ state: 'attached' });
    const m = await mark(page);

    await call('POST', `/api/v1/shipment/${shipment}/pack`, seller);
    await call('POST', `/api/v1/shipment/${shipment}/handover`, seller, { partner_id: partner.id ?? partner.user?.id });
    await status.filter({ hasText: 'Shipped' }).waitFor(live);
    const parcel = page.getByRole('region', { name: 'Parcel 1 of 1' });
    await parcel.locator('.tracking .badge').filter({ hasText: 'Handed over' }).waitFor(live);
    await page.getByTestId('live-toast').filter({ hasText: 'Shipped' }).waitFor(live);
    await shot(page, '90-live-handed-over');

    for (const step of ['picked_up', 'in_transit', 'out_for_delivery', 'delivered']) {
      await call('POST', `/api/v1/shipment/${shipment}/event`, courier, { status: step });
    }
    await status.filter({ hasText: 'Delivered' }).waitFor(live);
    await parcel.locator('.tracking .badge').filter({ hasText: 'Delivered' }).waitFor(live);
    await shot(page, '91-live-delivered');
    assert.equal(await marker(page), m, 'the page was not reloaded');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("the seller center's order queue shows a new order as it is paid", async (t) => {
  for (const r of ['GET /api/v1/live', 'GET /api/v1/seller/order']) {
    if (!api.has(r)) return t.skip(r + ' is not on this server');
  }
  const [customer, seller] = await Promise.all([login(demo.customer), login(demo.seller)]);
  const { context, page, errors } = await open(browser);
  try {
    await signIn(page, ...demo.seller);
    await page.goto('/seller/orders');
    await page.getByRole('heading', { name: 'Orders' }).waitFor();
    await page.getByTestId('seller-order').first().or(page.getByText('No orders')).waitFor();
    await page.locator('html[data-live="on"]').waitFor({ state: 'attached' });
    const m = await mark(page);

    const orderId = await buy(customer, seller);
    const card = page.getByTestId('seller-order').filter({ hasText: orderId });
    await card.waitFor(live);
    await page.getByTestId('live-toast').filter({ hasText: 'New order to fulfil' }).waitFor(live);
    await shot(page, '92-live-seller-new-order');
    assert.equal(await marker(page), m, 'the page was not reloaded');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
