// Returns and tickets on the seller's, the delivery partner's and staff's
// screens: (a) a return approved by the seller, picked up and brought back
// by the delivery partner, received and refunded; (b) a rejected return
// escalated by the customer's ticket, handled by support (internal note,
// reply, assignee, priority) and approved by override; (c) the seller's
// return policy; (d) an admin marks a category non-returnable.
// Orders, returns and tickets are set up through the API, as
// scripts/support.sh does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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

const need = ['GET /api/v1/return', 'POST /api/v1/return', 'PUT /api/v1/return/{id}/pickup', 'GET /api/v1/ticket', 'POST /api/v1/shipment/{id}/event'];
const missing = () => need.find((r) => !api.has(r));

/** call is one API request; it fails the test unless the status is want. */
async function call(want, method, path, { body, token, raw, type } = {}) {
  const headers = {};
  if (token) headers.Authorization = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (raw) headers['Content-Type'] = type;
  const res = await fetch(base + '/api/v1' + path, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await res.text();
  assert.equal(res.status, want, `${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function token([email, password]) {
  return (await call(200, 'POST', '/auth/login', { body: { email, password } })).access_token;
}

/** poll calls GET path until pick(body) passes. */
async function poll(path, tok, pick, what) {
  let last;
  await until(async () => {
    last = await call(200, 'GET', path, { token: tok });
    return pick(last);
  }, what);
  return last;
}

// A small real PNG (a cracked-looking tile) for the customer's photo.
function png(w = 48, h = 48) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = [0];
    for (let x = 0; x < w; x++) {
      const crack = Math.abs(x - y) < 2 || Math.abs(x + y - w) < 2;
      row.push(...(crack ? [60, 40, 30] : [230, 200, 120]));
    }
    rows.push(Buffer.from(row));
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * delivered sets up an order of units of one in-stock product of the demo
 * seller, paid, shipped and delivered by the demo delivery partner. It
 * returns the tokens, the order and its seller order, the SKU and its price.
 */
async function delivered(units = 1) {
  const t = {
    customer: await token(demo.customer),
    seller: await token(demo.seller),
    driver: await token(demo.delivery),
    support: await token(demo.support),
    admin: await token(demo.admin),
  };
  const driverId = (await call(200, 'GET', '/me', { token: t.driver })).id;
  const store = await call(200, 'GET', '/seller/me', { token: t.seller });
  const list = await call(200, 'GET', `/product?seller=${store.id}&limit=50`);
  const product = list.items.find((p) => p.variants.length > 0);
  const variant = product.variants[0];
  const inv = await call(200, 'GET', `/inventory/${encodeURIComponent(variant.sku)}`, { token: t.seller });
  await call(200, 'PUT', `/inventory/${encodeURIComponent(variant.sku)}`, { token: t.seller, body: { on_hand: Math.max(inv.on_hand ?? 0, 0) + units + 5 } });
  const address = { name: 'Cody Customer', line1: '1 Main St', city: 'Springfield', postal_code: '12345', country: 'US', phone: '+1 555 0100' };
  const order = await call(201, 'POST', '/order', { token: t.customer, body: { lines: [{ sku: variant.sku, quantity: units }], shipping_address: address } });
  await call(201, 'POST', '/payment', { token: t.customer, body: { order_id: order.id, method: 'tok_visa' } });
  const paid = await poll(`/order/${order.id}`, t.seller, (o) => o.seller_orders?.[0]?.shipment?.id, 'a shipment for the paid order');
  const ship = paid.seller_orders[0].shipment.id;
  await call(200, 'POST', `/shipment/${ship}/pack`, { token: t.seller });
  await call(200, 'POST', `/shipment/${ship}/handover`, { token: t.seller, body: { partner_id: driverId } });
  for (const status of ['picked_up', 'in_transit', 'out_for_delivery', 'delivered']) await call(200, 'POST', `/shipment/${ship}/event`, { token: t.driver, body: { status } });
  await poll(`/order/${order.id}`, t.customer, (o) => o.status === 'delivered', 'the order delivered');
  return { t, driverId, order, sellerOrder: paid.seller_orders[0].id, sku: variant.sku, title: product.title, store };
}

/** findRow waits for the row matching text, pressing "Load more" while it is not there. */
async function findRow(page, testId, text) {
  const row = page.getByTestId(testId).filter({ hasText: text });
  await page.getByTestId(testId).first().waitFor();
  for (let i = 0; i < 20 && (await row.count()) === 0; i++) {
    const more = page.getByRole('button', { name: 'Load more' });
    if (!(await more.count())) break;
    await more.click();
    await page.waitForTimeout(300);
  }
  await row.first().waitFor();
  return row.first();
}

test('(a) a return goes from the seller’s queue through the pickup to a refund', async (t) => {
  if (missing()) return t.skip(missing() + ' is not on this server');
  const d = await delivered(1);
  // The customer asks to return it, with a photo.
  const photo = await call(201, 'POST', '/attachment?name=cracked.png', { token: d.t.customer, raw: png(), type: 'image/png' });
  const ret = await call(201, 'POST', '/return', {
    token: d.t.customer,
    body: { seller_order_id: d.sellerOrder, lines: [{ sku: d.sku, quantity: 1, reason: 'defective' }], comment: 'It stopped working after a day.', photos: [photo.id] },
  });
  assert.equal(ret.status, 'requested', 'a defective item waits for the seller');

  const seller = await open(browser);
  const courier = await open(browser);
  const phone = await open(browser, { width: 390, height: 844 });
  try {
    // The seller finds it in the Returns queue and approves it.
    const s = seller.page;
    await signIn(s, ...demo.seller);
    await s.getByRole('navigation', { name: 'Seller center' }).getByRole('link', { name: 'Returns' }).click();
    await s.getByRole('heading', { level: 1, name: 'Returns' }).waitFor();
    const row = await findRow(s, 'return-row', ret.id);
    await row.getByText('Requested').first().waitFor();
    await shot(s, '80-seller-returns-queue');
    await row.getByRole('link', { name: ret.id }).click();
    const detail = s.getByTestId('return-detail');
    await detail.getByText('It stopped working after a day.').waitFor();
    await detail.getByText('Defective').first().waitFor();
    // The customer's photo, fetched with the seller's token.
    await detail.getByRole('img', { name: 'cracked.png', exact: true }).waitFor();
    await until(async () => (await detail.getByRole('img', { name: 'cracked.png', exact: true }).evaluate((img) => img.complete && img.naturalWidth)) > 0, 'the photo shows');
    await shot(s, '81-seller-return-requested');
    await detail.getByRole('button', { name: 'Approve' }).click();
    await s.getByText(/Return approved: pickup .* scheduled\./).waitFor();
    await detail.getByTestId('return-status').filter({ hasText: 'Approved' }).waitFor();
    const approved = await call(200, 'GET', `/return/${ret.id}`, { token: d.t.seller });
    assert.equal(approved.pickup?.partner_id, d.driverId, 'the pickup went to the demo delivery partner');
    const tracking = approved.pickup.tracking_id;
    await detail.getByText(tracking).first().waitFor();

    // The delivery partner sees the pickup beside the deliveries, marked as such.
    const c = courier.page;
    await signIn(c, ...demo.delivery);
    await c.waitForURL((u) => u.pathname === '/delivery');
    const pickup = c.getByTestId('delivery-pickup').filter({ hasText: tracking });
    await pickup.waitFor();
    await pickup.getByText('Pickup', { exact: true }).waitFor();
    await pickup.getByText('1 Main St').waitFor();
    await shot(c, '82-delivery-pickup');
    await pickup.getByLabel('Location').fill('Springfield');
    await pickup.getByRole('button', { name: 'Record picked up' }).click();
    await pickup.locator('.badge').filter({ hasText: 'Picked up' }).waitFor();
    await pickup.getByRole('button', { name: 'Record delivered to seller' }).click();
    // Done: it leaves the list of pickups to do, and shows among the finished ones.
    await pickup.waitFor({ state: 'detached' });
    await c.getByLabel('Show finished pickups').check();
    await pickup.locator('.badge').filter({ hasText: 'Delivered to the seller' }).waitFor();
    if (api.has('GET /api/v1/delivery/shipment')) await c.getByTestId('delivery-shipment').first().getByText('Delivery', { exact: true }).waitFor();
    await shot(c, '83-delivery-pickup-done');

    // On a phone, the pickup card and the deliveries.
    const p = phone.page;
    await signIn(p, ...demo.delivery);
    await p.waitForURL((u) => u.pathname === '/delivery');
    await p.getByRole('heading', { name: /Return pickups/ }).waitFor();
    await p.getByLabel('Show finished pickups').check();
    await p.getByTestId('delivery-pickup').filter({ hasText: tracking }).waitFor();
    await shot(p, '84-delivery-phone');

    // The seller receives one sellable unit: refunded.
    await s.reload();
    await detail.getByTestId('return-status').filter({ hasText: /On its way back|In transit/ }).waitFor();
    const receive = detail.getByTestId('return-receive');
    await receive.getByLabel(`Sellable units of ${d.sku}`).fill('1');
    await receive.getByLabel(`Damaged units of ${d.sku}`).fill('0');
    // The API's problem+json answer shows: a fee above the refund is refused.
    await receive.getByLabel(/Restocking fee/).fill('100000');
    await receive.getByRole('button', { name: 'Receive and refund' }).click();
    await receive.getByRole('alert').filter({ hasText: /cannot exceed/ }).waitFor();
    await receive.getByLabel(/Restocking fee/).fill('');
    await receive.getByRole('button', { name: 'Receive and refund' }).click();
    await detail.getByTestId('return-status').filter({ hasText: 'Refunded' }).waitFor();
    const refunded = await call(200, 'GET', `/return/${ret.id}`, { token: d.t.seller });
    assert.equal(refunded.status, 'refunded');
    assert.ok(refunded.refund.amount > 0, 'a refund');
    const amount = new Intl.NumberFormat('en-US', { style: 'currency', currency: refunded.refund.currency }).format(refunded.refund.amount / 100);
    await detail.getByTestId('return-refund').filter({ hasText: `Refunded ${amount}` }).waitFor();
    await shot(s, '85-seller-return-refunded');
    assert.deepEqual(await auditAs(demo.seller, `/seller/returns/${ret.id}`, '[data-testid=return-refund]'), [], 'no serious accessibility violations on the return');

    // The queue on a phone.
    await signInAgain(p, demo.seller);
    await p.goto('/seller/returns');
    await (await findRow(p, 'return-row', ret.id)).getByText('Refunded').first().waitFor();
    await shot(p, '86-seller-returns-phone');

    for (const x of [seller, courier, phone]) assert.deepEqual(x.errors, [], 'no script errors');
  } finally {
    await seller.context.close();
    await courier.context.close();
    await phone.context.close();
  }
});

test('(b) support handles a rejected return escalated by the customer’s ticket', async (t) => {
  if (missing()) return t.skip(missing() + ' is not on this server');
  const d = await delivered(1);
  const ret = await call(201, 'POST', '/return', { token: d.t.customer, body: { seller_order_id: d.sellerOrder, lines: [{ sku: d.sku, quantity: 1, reason: 'not_as_described' }] } });
  // The seller rejects it on its screen: a reason is required.
  const seller = await open(browser);
  try {
    const sp = seller.page;
    await signIn(sp, ...demo.seller);
    await sp.goto('/seller/returns/' + ret.id);
    const rd = sp.getByTestId('return-detail');
    await rd.getByRole('button', { name: 'Reject…' }).click();
    await rd.getByRole('button', { name: 'Reject return' }).click();
    await rd.getByText('Give a reason.').waitFor();
    await rd.getByLabel(/Why is it rejected/).fill('Used and without its box.');
    await rd.getByRole('button', { name: 'Reject return' }).click();
    await rd.getByTestId('return-status').filter({ hasText: 'Rejected' }).waitFor();
    assert.equal(await rd.getByRole('button', { name: 'Approve' }).count(), 0, 'a seller cannot undo a rejection');
    assert.deepEqual(seller.errors, [], 'no script errors');
  } finally {
    await seller.context.close();
  }
  const subject = `Return refused unfairly ${Date.now()}`;
  const ticket = await call(201, 'POST', '/ticket', { token: d.t.customer, body: { subject, body: 'The seller refused my return; the item was never used.', return_id: ret.id } });

  // Another ticket, past its first-response time: the API cannot make one
  // late, so its due time moves back in the server's database (when the
  // suite runs through e2e/run.sh with the sqlite3 tool at hand).
  const late = `Parcel never arrived ${Date.now()}`;
  const lateTicket = await call(201, 'POST', '/ticket', { token: d.t.customer, body: { subject: late, body: 'Where is my parcel?', order_id: d.order.id } });
  const db = process.env.BAZAAR_E2E_DB ?? '';
  const canAge = !!db && existsSync(db) && spawnSync('sqlite3', ['--version']).status === 0;
  if (canAge) {
    const due = (Date.now() - 2 * 3600_000) * 1000; // microseconds, two hours ago
    execFileSync('sqlite3', ['-cmd', '.timeout 15000', db, `UPDATE support_ticket SET first_response_due = ${due} WHERE id = '${lateTicket.id}'`]);
    const seen = await call(200, 'GET', `/ticket/${lateTicket.id}`, { token: d.t.support });
    assert.equal(seen.overdue, true, 'the aged ticket is overdue');
  } else t.diagnostic('no server database or sqlite3: the OVERDUE marker is not checked');

  const staff = await open(browser);
  const phone = await open(browser, { width: 390, height: 844 });
  try {
    const s = staff.page;
    await signIn(s, ...demo.support);
    await s.goto('/admin');
    const nav = s.getByRole('navigation', { name: 'Moderation' });
    await nav.getByRole('link', { name: 'Tickets' }).click();
    await s.getByRole('heading', { level: 1, name: 'Tickets' }).waitFor();
    const row = await findRow(s, 'ticket-row', subject);
    await row.getByText(/Due in|Overdue by/).waitFor();
    if (canAge) {
      // The late one is marked OVERDUE and leads the queue, before the one due later.
      const lateRow = await findRow(s, 'ticket-row', late);
      await lateRow.getByText('OVERDUE', { exact: true }).waitFor();
      await lateRow.getByText(/Overdue by 2 h/).waitFor();
      const order = await s.getByTestId('ticket-row').evaluateAll((rows, [a, b]) => [rows.findIndex((r) => r.textContent.includes(a)), rows.findIndex((r) => r.textContent.includes(b))], [late, subject]);
      assert.ok(order[0] < order[1], 'the overdue ticket comes first');
      // The filter lives in the URL: the box shows checked once the page has navigated.
      const overdueOnly = s.getByLabel('Overdue only');
      await overdueOnly.click();
      await until(() => overdueOnly.isChecked(), 'the overdue filter is on');
      await findRow(s, 'ticket-row', late);
      assert.equal(await s.getByTestId('ticket-row').filter({ hasText: subject }).count(), 0, 'the one not yet due is not overdue');
      await shot(s, '87b-support-ticket-queue-overdue');
      await overdueOnly.click();
      await until(async () => !(await overdueOnly.isChecked()), 'the overdue filter is off');
      await findRow(s, 'ticket-row', subject);
    }
    await shot(s, '87-support-ticket-queue');
    // Filters: unassigned ones have it; mine do not, yet.
    await s.getByLabel('Assignee').selectOption('none');
    await findRow(s, 'ticket-row', subject);
    await s.getByLabel('Assignee').selectOption('me');
    await s.getByRole('heading', { name: /No tickets match/ }).or(s.getByTestId('ticket-row').first()).waitFor();
    assert.equal(await s.getByTestId('ticket-row').filter({ hasText: subject }).count(), 0, 'not assigned to me yet');
    await s.getByRole('button', { name: 'Clear filters' }).click();
    await (await findRow(s, 'ticket-row', subject)).getByRole('link', { name: subject }).click();

    const detail = s.getByTestId('ticket-detail');
    await detail.getByRole('heading', { level: 1, name: subject }).waitFor();
    await detail.getByText('The seller refused my return; the item was never used.').waitFor();
    // An internal note, then a public reply.
    await detail.getByRole('checkbox', { name: /Internal note/ }).check();
    await detail.getByRole('textbox', { name: 'Internal note' }).fill('Seller rejects many returns; approve this one.');
    await detail.getByRole('button', { name: 'Add note' }).click();
    const note = detail.getByTestId('ticket-message').filter({ hasText: 'Seller rejects many returns' });
    await note.waitFor();
    await note.getByText(/Internal note/).first().waitFor();
    await detail.getByRole('textbox', { name: 'Your reply' }).fill('We are looking into it and will approve the return.');
    await detail.getByRole('button', { name: 'Send reply' }).click();
    await detail.getByTestId('ticket-message').filter({ hasText: 'We are looking into it' }).waitFor();
    assert.equal(await note.evaluate((el) => el.matches('.msg-internal') || !!el.querySelector('.msg-internal') || !!el.closest('.msg-internal')), true, 'the note is styled as internal');

    // Assign it to me, make it urgent.
    const controls = detail.getByTestId('ticket-controls');
    await controls.getByRole('button', { name: 'Assign to me' }).click();
    await controls.getByTestId('ticket-assignee').filter({ hasText: 'You' }).waitFor();
    await controls.getByLabel('Priority').selectOption('urgent');
    await s.getByText('Priority set to urgent.').waitFor();
    await detail.locator('.prio-urgent').first().waitFor();
    await shot(s, '88-support-ticket-detail');
    assert.deepEqual(await auditAs(demo.support, `/admin/tickets/${ticket.id}`, '[data-testid=ticket-message]'), [], 'no serious accessibility violations on the ticket');

    const seen = await call(200, 'GET', `/ticket/${ticket.id}`, { token: d.t.support });
    assert.equal(seen.priority, 'urgent');
    assert.equal(seen.assignee_id, (await call(200, 'GET', '/me', { token: d.t.support })).id);
    const theirs = await call(200, 'GET', `/ticket/${ticket.id}`, { token: d.t.customer });
    assert.equal(theirs.messages.filter((m) => m.internal || m.body.includes('Seller rejects')).length, 0, 'the customer never sees the note');
    assert.ok(theirs.messages.some((m) => m.body.includes('We are looking into it')), 'the customer sees the reply');

    // Open the return it concerns and approve it over the seller's rejection.
    await detail.getByRole('link', { name: `Return ${ret.id}` }).click();
    const rd = s.getByTestId('return-detail');
    await rd.locator('.desk-reject').filter({ hasText: 'Used and without its box.' }).waitFor();
    await rd.getByTestId('return-decide').getByRole('heading', { name: 'Override' }).waitFor();
    await shot(s, '89-support-return-override');
    await rd.getByRole('button', { name: 'Approve' }).click();
    await rd.getByTestId('return-status').filter({ hasText: 'Approved' }).waitFor();
    const after = await call(200, 'GET', `/return/${ret.id}`, { token: d.t.customer });
    assert.equal(after.status, 'approved');
    assert.ok(after.pickup?.tracking_id, 'a pickup is scheduled');
    // The parcel will not come: refund it without receipt, with a note.
    await rd.getByRole('button', { name: 'Refund without receipt…' }).click();
    await rd.getByRole('button', { name: /^Refund \$/ }).click();
    await rd.getByText('Give a note.').waitFor();
    await rd.getByLabel(/Why refund without the parcel/).fill('Customer escalated; seller unreachable.');
    await rd.getByRole('button', { name: /^Refund \$/ }).click();
    await rd.getByTestId('return-status').filter({ hasText: 'Refunded' }).waitFor();
    await rd.getByTestId('return-refund').filter({ hasText: 'Refunded' }).waitFor();
    await shot(s, '89b-support-return-refunded');

    // The queues on a phone.
    const p = phone.page;
    await signIn(p, ...demo.support);
    await p.goto('/admin/tickets');
    await findRow(p, 'ticket-row', subject);
    await shot(p, '90-support-tickets-phone');
    await p.goto('/admin/returns');
    await findRow(p, 'return-row', ret.id);
    await shot(p, '91-support-returns-phone');

    // The seller sees the ticket about its return, without the note, and may answer.
    const seller = await open(browser);
    try {
      const sp = seller.page;
      await signIn(sp, ...demo.seller);
      await sp.goto('/seller/tickets');
      await (await findRow(sp, 'ticket-row', subject)).getByRole('link', { name: subject }).click();
      const sd = sp.getByTestId('ticket-detail');
      await sd.getByText('We are looking into it').waitFor();
      assert.equal(await sd.getByText('Seller rejects many returns').count(), 0, 'no internal note for the seller');
      assert.equal(await sd.getByRole('checkbox', { name: /Internal note/ }).count(), 0, 'sellers cannot write internal notes');
      await shot(sp, '92-seller-ticket');
      assert.deepEqual(seller.errors, [], 'no script errors');
    } finally {
      await seller.context.close();
    }
    for (const x of [staff, phone]) assert.deepEqual(x.errors, [], 'no script errors');
  } finally {
    await staff.context.close();
    await phone.context.close();
  }
});

test('(c) a seller sets the return policy: 30 days, damaged items approved automatically', async (t) => {
  if (!api.has('PUT /api/v1/seller/return-policy')) return t.skip('return policies are not on this server');
  const sellerToken = await token(demo.seller);
  const was = await call(200, 'GET', '/seller/return-policy', { token: sellerToken });
  const { page, errors, context } = await open(browser);
  try {
    await signIn(page, ...demo.seller);
    await page.getByRole('navigation', { name: 'Seller center' }).getByRole('link', { name: 'Return policy' }).click();
    await page.getByRole('heading', { level: 1, name: 'Return policy' }).waitFor();
    // A window beyond a year is refused before it is sent.
    const days = page.getByLabel(/Return window/);
    await days.fill('400');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Enter a whole number of days from 0 to 365.').waitFor();
    await days.fill('30');
    const damaged = page.getByRole('checkbox', { name: 'Arrived damaged' });
    if (!(await damaged.isChecked())) await damaged.check();
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Return policy saved.').waitFor();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Return policy' }).waitFor();
    assert.equal(await page.getByLabel(/Return window/).inputValue(), '30');
    assert.equal(await page.getByRole('checkbox', { name: 'Arrived damaged' }).isChecked(), true);
    assert.equal(await page.getByRole('checkbox', { name: 'Defective' }).isChecked(), was.auto_approve.includes('defective'));
    await shot(page, '93-seller-return-policy');
    const now = await call(200, 'GET', '/seller/return-policy', { token: sellerToken });
    assert.equal(now.window_days, 30);
    assert.ok(now.auto_approve.includes('damaged'));
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
    // Leave the demo seller's policy as it was for other tests.
    await call(200, 'PUT', '/seller/return-policy', { token: sellerToken, body: { window_days: was.window_days, auto_approve: was.auto_approve } });
  }
});

test('(d) an admin marks a category non-returnable', async (t) => {
  if (!api.has('PUT /api/v1/admin/return-policy/category/{id}')) return t.skip('category return rules are not on this server');
  const adminToken = await token(demo.admin);
  const cats = (await call(200, 'GET', '/category')).items;
  const before = new Set((await call(200, 'GET', '/admin/return-policy/category', { token: adminToken })).categories);
  // A top-level category with subcategories, not marked yet.
  const parent = cats.find((c) => !c.parent_id && !before.has(c.id) && cats.some((x) => x.parent_id === c.id)) ?? cats.find((c) => !before.has(c.id));
  const child = cats.find((c) => c.parent_id === parent.id);
  const { page, errors, context } = await open(browser);
  try {
    await signIn(page, ...demo.admin);
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Categories' }).click();
    const toggle = page.getByRole('checkbox', { name: `Returnable: ${parent.name}` });
    await toggle.waitFor();
    assert.equal(await toggle.isChecked(), true);
    // The box follows the server's answer, so it may not flip at the click itself.
    await toggle.click();
    await page.getByText(`${parent.name} is now non-returnable.`).waitFor();
    await until(async () => !(await toggle.isChecked()), 'the category shows non-returnable');
    const row = page.locator('.tree li').filter({ has: toggle });
    await row.getByText('Non-returnable', { exact: true }).waitFor();
    if (child) {
      // Its subcategories follow it: shown so, and not to be changed one by one.
      const sub = page.getByRole('checkbox', { name: `Returnable: ${child.name}` });
      await page.locator('.tree li').filter({ has: sub }).getByText(`Non-returnable (via ${parent.name})`).waitFor();
      assert.equal(await sub.isChecked(), false);
      assert.equal(await sub.isDisabled(), true);
    }
    await page.reload();
    await page.getByRole('checkbox', { name: `Returnable: ${parent.name}` }).waitFor();
    assert.equal(await page.getByRole('checkbox', { name: `Returnable: ${parent.name}` }).isChecked(), false, 'still marked after a reload');
    await shot(page, '94-admin-categories-returnable');
    const now = new Set((await call(200, 'GET', '/admin/return-policy/category', { token: adminToken })).categories);
    assert.ok(now.has(parent.id), 'the API has it marked');
    // Support agents do not get the toggles (an admin-only change).
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
    if (!before.has(parent.id)) await call(200, 'PUT', `/admin/return-policy/category/${parent.id}`, { token: adminToken, body: { returnable: true } });
  }
});

/** auditAs signs who in afresh in a context that lets axe in (bypassCSP), opens path and runs axe once ready shows. */
async function auditAs(who, path, ready) {
  const ctx = await browser.newContext({ baseURL: base, bypassCSP: true, viewport: { width: 1280, height: 900 } });
  ctx.setDefaultTimeout(30_000);
  try {
    const p = await ctx.newPage();
    await signIn(p, ...who);
    await p.goto(path);
    await p.locator(ready).first().waitFor();
    return await audit(p);
  } finally {
    await ctx.close();
  }
}

async function signInAgain(page, who) {
  await page.context().clearCookies();
  await page.evaluate(() => localStorage.clear());
  await signIn(page, ...who);
}
