// The admin's ledger: a demo customer's paid order and a goodwill refund
// the admin makes show in the platform's books (commission, the gateway's
// money, goodwill) and in the journal, which the admin filters by kind and
// by account (following an entry's account); a seller cannot reach it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { audit, base, call, demo, launch, open, routes, shot, signIn, until, usd } from './lib.mjs';

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await routes();
});
after(async () => {
  await browser?.close();
});




const needs = ['GET /api/v1/admin/ledger', 'GET /api/v1/admin/ledger/journal', 'POST /api/v1/order', 'POST /api/v1/payment'];

test('the admin sees a sale and a goodwill refund in the books and the journal, and filters it', async (t) => {
  for (const r of needs) if (!api.has(r)) return t.skip(r + ' is not on this server');
  // A paid order of the demo seller's, and a goodwill refund of 2.50 the platform bears.
  const store = await call(demo.seller, 'GET', '/seller/me');
  const list = await (await fetch(`${base}/api/v1/product?seller=${store.id}&limit=50`)).json();
  const variant = list.items.flatMap((p) => p.variants).find((v) => v.available > 1 && v.price.currency === 'USD');
  assert.ok(variant, 'the demo seller has a product in stock');
  const address = { name: 'Lena Ledger', line1: '2 Journal Street', city: 'Springfield', postal_code: '12345', country: 'US' };
  const order = await call(demo.customer, 'POST', '/order', { lines: [{ sku: variant.sku, quantity: 1 }], shipping_address: address }, 201);
  const payment = await call(demo.customer, 'POST', '/payment', { order_id: order.id, method: 'tok_visa' }, 201);
  await until(async () => (await call(demo.customer, 'GET', '/order/' + order.id)).status === 'paid', 'the order is paid');
  const before = await call(demo.admin, 'GET', '/admin/ledger');
  const goodwillBefore = before.currencies.find((c) => c.currency === 'USD')?.goodwill.amount ?? 0;
  await call(demo.admin, 'POST', `/payment/${payment.id}/refund`, { amount: { amount: 250, currency: 'USD' }, reason: 'late delivery, our apology' });
  // Both are booked by the ledger's event consumer.
  let books;
  await until(async () => {
    const journal = await call(demo.admin, 'GET', '/admin/ledger/journal?kind=goodwill&limit=100');
    books = await call(demo.admin, 'GET', '/admin/ledger');
    return journal.items.some((x) => x.order_id === order.id);
  }, 'the goodwill refund in the journal');
  const usdBooks = books.currencies.find((c) => c.currency === 'USD');
  assert.equal(usdBooks.goodwill.amount, goodwillBefore + 250, 'the platform bears the goodwill refund');
  const sales = await call(demo.admin, 'GET', '/admin/ledger/journal?kind=sale&limit=100');
  const sale = sales.items.find((x) => x.order_id === order.id);
  assert.ok(sale, 'the sale is booked');

  const { page, errors } = await open(browser);
  try {
    await signIn(page, ...demo.admin);
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Ledger' }).click();
    await page.getByRole('heading', { name: 'Ledger', level: 1 }).waitFor();
    const card = page.getByRole('article', { name: 'Books in USD' });
    await card.getByTestId('books-goodwill').getByText(usd(usdBooks.goodwill.amount)).waitFor();
    await card.getByTestId('books-commission').getByText(usd(usdBooks.commission.amount)).waitFor();
    await card.getByTestId('books-sellers-pending').getByText(usd(usdBooks.sellers_pending.amount)).waitFor();
    // The newest transaction first: the goodwill refund, with its two entries.
    const journal = page.getByRole('region', { name: 'Journal' });
    const first = journal.getByTestId('journal-row').first();
    await first.getByText('Goodwill refund').waitFor();
    await first.getByRole('button', { name: 'platform:goodwill' }).waitFor();
    await first.getByText(usd(250)).first().waitFor();
    await shot(page, '97-admin-ledger');
    assert.deepEqual(await audit(page), [], 'no serious accessibility violations in the books and the journal');

    // Only sales.
    await journal.getByLabel('Kind').selectOption('sale');
    await page.waitForURL(/kind=sale/);
    await journal.getByTestId('journal-row').filter({ hasText: sale.reference }).waitFor();
    assert.equal(await journal.getByTestId('journal-row').filter({ hasText: 'Goodwill refund' }).count(), 0, 'no goodwill among the sales');
    // Following an entry's account: the seller's pending account, every kind.
    await journal.getByLabel('Kind').selectOption('');
    const pending = `seller:${store.id}:pending`;
    await journal.getByLabel('Account').fill(pending);
    await journal.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/account=seller/);
    await journal.getByTestId('journal-row').filter({ hasText: sale.reference }).waitFor();
    const rows = await journal.getByTestId('journal-row').allTextContents();
    assert.ok(rows.every((r) => r.includes(pending)), 'every row touches the seller’s pending account');
    // The goodwill account, from its card.
    await card.getByRole('button', { name: 'Journal of Goodwill refunds in USD' }).click();
    await page.waitForURL(/account=platform%3Agoodwill/);
    await journal.getByTestId('journal-row').first().getByText('Goodwill refund').waitFor();
    // A mistyped account is refused by the field.
    await journal.getByLabel('Account').fill('vault:gold');
    await journal.getByRole('button', { name: 'Filter' }).click();
    await until(async () => (await journal.getByLabel('Account').getAttribute('aria-invalid')) === 'true', 'the account is marked invalid');
    await shot(page, '97-admin-ledger-filtered');
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('the ledger is the admin’s: a seller has no link and the API refuses', async (t) => {
  if (!api.has('GET /api/v1/admin/ledger')) return t.skip('no ledger on this server');
  await call(demo.seller, 'GET', '/admin/ledger', undefined, 403);
  await call(demo.support, 'GET', '/admin/ledger/journal', undefined, 403);
  const { page, errors } = await open(browser);
  try {
    await signIn(page, ...demo.support);
    await page.goto('/admin');
    await page.getByRole('navigation', { name: 'Moderation' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Ledger' }).count(), 0, 'support has no ledger link');
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});
