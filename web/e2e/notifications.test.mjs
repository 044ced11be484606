// Notifications across four screens: the demo customer buys an order and
// the bell in the header shows unread news; the inbox lists "Order
// confirmed", opening it marks it read and follows its link, and "Mark all
// read" clears the count; the customer turns off an optional category's
// e-mail and it persists after a reload, while order e-mail stays locked
// with its reason; the admin opens the mail outbox, filters it, and opens
// the customer's "Order confirmed" mail to see its text and its HTML in a
// sandboxed frame.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { audit, base, call, demo, launch, open, routes, shot, signIn, until } from './lib.mjs';

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await routes();
});
after(async () => {
  await browser?.close();
});



async function top(page) {
  await page.evaluate(() => window.scrollTo(0, 0));
}

const needs = [
  'GET /api/v1/notification',
  'PUT /api/v1/notification/read',
  'PUT /api/v1/notification/{id}/read',
  'GET /api/v1/notification/preference',
  'PUT /api/v1/notification/preference',
  'GET /api/v1/admin/mail',
  'GET /api/v1/admin/mail/{id}',
  'POST /api/v1/order',
  'POST /api/v1/shipment/{id}/handover',
];

test('an order fills the bell and the inbox; preferences persist; the admin reads the mail', async (t) => {
  for (const r of needs) if (!api.has(r)) return t.skip(r + ' is not on this server');
  // Start from a read inbox: the demo data already told the customer things.
  await call(demo.customer, 'PUT', '/notification/read');
  const prefsBefore = (await call(demo.customer, 'GET', '/notification/preference')).items;
  // A product of the demo seller's store, so the seller can ship it.
  const store = await call(demo.seller, 'GET', '/seller/me');
  const partner = await call(demo.delivery, 'GET', '/me');
  const list = await call(undefined, 'GET', `/product?seller=${store.id}&limit=50`);
  const product = list.items.find((p) => p.variants.some((v) => v.available > 2 && v.price.amount > 0 && v.price.amount < 20000));
  assert.ok(product, 'a product in stock');

  const customer = await open(browser);
  const admin = await open(browser);
  try {
    const c = customer.page;
    await signIn(c, ...demo.customer);
    const bell = c.getByTestId('bell');
    await bell.waitFor();
    assert.equal(await bell.getAttribute('aria-label'), 'Notifications', 'no unread news to start with');

    // Buy the product with the test card.
    await c.goto('/p/' + product.slug);
    await c.getByRole('button', { name: 'Add to cart' }).click();
    await c.getByTestId('cart-count').waitFor();
    await c.goto('/checkout');
    await c.getByRole('heading', { name: '1. Shipping address' }).waitFor();
    if (await c.getByLabel('Full name').isVisible()) {
      await c.getByLabel('Full name').fill('Demo Customer');
      await c.getByLabel('Address line 1').fill('1 Bell Street');
      await c.getByLabel('City').fill('Springfield');
      await c.getByLabel('Postal code').fill('62701');
      await c.getByLabel('Country code').fill('US');
    }
    await c.getByLabel(/Visa ending 4242/).check();
    await c.getByRole('button', { name: 'Place order and pay' }).click();
    await c.waitForURL(/\/orders\/ord_/);
    const orderId = new URL(c.url()).pathname.split('/').pop();
    await c.getByTestId('order-status').filter({ hasText: 'Paid' }).waitFor({ timeout: 60_000 });

    // The seller ships it (through the API): one more piece of news.
    let shipmentId;
    await until(async () => (shipmentId = (await call(demo.customer, 'GET', '/order/' + orderId)).seller_orders[0].shipment?.id), 'the shipment created');
    await call(demo.seller, 'POST', `/shipment/${shipmentId}/pack`);
    await call(demo.seller, 'POST', `/shipment/${shipmentId}/handover`, { partner_id: partner.id });

    // The news reaches the inbox by events; the bell shows it (polled
    // every minute and on focus; a fresh page asks at once).
    const news = (title) => async () => (await call(demo.customer, 'GET', '/notification?limit=20')).items.some((n) => n.title === title && n.body.includes(orderId));
    await until(news('Order confirmed'), 'the order confirmation in the inbox');
    await until(news('Shipped'), 'the shipping news in the inbox');
    await c.goto('/');
    await until(async () => /^Notifications, \d+ unread$/.test((await bell.getAttribute('aria-label')) ?? ''), 'the bell to show unread news');
    const unread = Number((await bell.getAttribute('aria-label')).match(/(\d+) unread/)[1]);
    assert.ok(unread >= 3, `placed, confirmed and shipped are unread (${unread})`);
    assert.equal((await c.getByTestId('bell-count').textContent()).trim(), String(unread));
    await shot(c, 'notify-01-bell');

    // The inbox: newest first, unread marked.
    await bell.click();
    await c.waitForURL((u) => u.pathname === '/notifications');
    await c.getByRole('heading', { name: 'Notifications' }).waitFor();
    const confirmed = c.getByTestId('notification').filter({ hasText: 'Order confirmed' }).filter({ hasText: orderId });
    await confirmed.waitFor();
    assert.match(await confirmed.getAttribute('class'), /unread/, 'the confirmation is marked unread');
    await c.getByText(`${unread} unread notifications.`).waitFor();
    const titles = await c.getByTestId('notification').locator('.inbox-title').allTextContents();
    const at = (t) => titles.findIndex((s) => s.includes(t));
    assert.ok(at('Shipped') < at('Order confirmed') && at('Order confirmed') < at('Order placed'), `newest first: ${titles.slice(0, 4)}`);
    await top(c);
    await shot(c, 'notify-02-inbox');
    assert.deepEqual(await audit(c), [], 'no serious accessibility violations in the inbox');

    // Opening one marks it read and follows its link.
    await confirmed.getByRole('link').click();
    await c.waitForURL((u) => u.pathname === '/orders/' + orderId);
    await until(async () => (await bell.getAttribute('aria-label')) === `Notifications, ${unread - 1} unread`, 'the bell to count one less');

    // "Mark read" marks one without leaving the inbox.
    await bell.click();
    await c.getByText(`${unread - 1} unread notification`).waitFor();
    assert.doesNotMatch(await confirmed.getAttribute('class'), /unread/, 'the opened notification is read');
    const placed = c.getByTestId('notification').filter({ hasText: 'Order placed' }).filter({ hasText: orderId });
    await placed.getByRole('button', { name: /^Mark read\W+Order placed$/ }).click();
    await until(async () => !/unread/.test(await placed.getAttribute('class')), 'the placed notification to be read');
    await until(async () => (await bell.getAttribute('aria-label')) === `Notifications, ${unread - 2} unread`, 'the bell to count two less');

    // Mark all read clears the count.
    await c.getByRole('button', { name: 'Mark all read' }).click();
    await c.getByText('You are all caught up.').waitFor();
    await until(async () => (await bell.getAttribute('aria-label')) === 'Notifications', 'the bell to clear');
    assert.equal(await c.getByTestId('bell-count').count(), 0, 'no count on the bell');
    assert.equal(await c.locator('.inbox-item.unread').count(), 0, 'nothing marked unread');
    assert.equal(await c.getByRole('button', { name: 'Mark all read' }).isDisabled(), true);
    await shot(c, 'notify-03-all-read');

    // Preferences: order e-mail is locked with its reason; delivery e-mail goes off and stays off.
    await c.getByRole('link', { name: 'Preferences' }).click();
    await c.waitForURL((u) => u.pathname === '/account/notifications');
    const orderMail = c.getByLabel('Orders: e-mail');
    await orderMail.waitFor();
    assert.equal(await orderMail.isDisabled(), true, 'order e-mail cannot be turned off');
    assert.equal(await orderMail.isChecked(), true);
    await c.getByText('Orders e-mails are transactional (confirmations, cancellations, refunds): they are always sent.').waitFor();
    assert.equal(await c.getByLabel('Stock: e-mail').count(), 0, 'a customer is not shown the sellers’ categories');
    const shipMail = c.getByLabel('Deliveries: e-mail');
    assert.equal(await shipMail.isChecked(), true, 'delivery e-mail is on by default');
    await shipMail.uncheck();
    await c.getByRole('button', { name: 'Save preferences' }).click();
    await c.getByText('Notification preferences saved.').waitFor();
    await shot(c, 'notify-04-preferences');
    assert.deepEqual(await audit(c), [], 'no serious accessibility violations in the preferences');
    await c.reload();
    await c.getByLabel('Deliveries: e-mail').waitFor();
    assert.equal(await c.getByLabel('Deliveries: e-mail').isChecked(), false, 'delivery e-mail stays off after a reload');
    assert.equal(await c.getByLabel('Deliveries: in-app').isChecked(), true, 'in-app delivery news stays on');
    const saved = (await call(demo.customer, 'GET', '/notification/preference')).items.find((p) => p.category === 'shipment');
    assert.equal(saved.email, false, 'the server keeps it');

    // The List-Unsubscribe link of the customer's non-transactional mail lands on this page.
    const optional = (await call(demo.admin, 'GET', '/admin/mail?limit=100')).items.find((m) => m.to === demo.customer[0] && m.unsubscribe);
    assert.ok(optional, 'the customer has non-transactional mail (the demo data sends some)');
    const unsub = new URL(optional.unsubscribe);
    assert.equal(unsub.origin, base, 'List-Unsubscribe is absolute, on this shop');
    await c.goto(unsub.pathname);
    await c.getByRole('heading', { name: 'Notification preferences' }).waitFor();
    await c.getByLabel('Deliveries: e-mail').waitFor();

    // The admin's mail outbox: the customer's confirmation, sent, with both parts.
    const a = admin.page;
    await signIn(a, ...demo.admin);
    await a.goto('/admin');
    await a.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Mail' }).click();
    await a.waitForURL((u) => u.pathname === '/admin/mail');
    await a.getByRole('heading', { name: 'Mail outbox' }).waitFor();
    const mail = await (async () => {
      let found;
      await until(async () => {
        found = (await call(demo.admin, 'GET', '/admin/mail?status=sent&limit=50')).items.find((m) => m.subject === 'Order confirmed' && m.to === demo.customer[0]);
        return found && (await call(demo.admin, 'GET', '/admin/mail/' + found.id)).text.includes(orderId);
      }, 'the confirmation mail sent');
      return found;
    })();
    await a.getByLabel('Status').selectOption('sent');
    await a.waitForURL((u) => u.searchParams.get('status') === 'sent');
    const row = a.getByTestId('mail-row').filter({ has: a.locator(`a[href="/admin/mail/${mail.id}"]`) });
    await row.waitFor();
    assert.match(await row.textContent(), new RegExp(demo.customer[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.match(await row.textContent(), /Sent/);
    const statuses = await a.getByTestId('mail-row').locator('.badge').allTextContents();
    assert.ok(statuses.every((s) => s === 'Sent'), `only sent mail when filtered: ${statuses}`);
    await shot(a, 'notify-05-outbox');
    assert.deepEqual(await audit(a), [], 'no serious accessibility violations in the outbox');

    await row.getByRole('link', { name: 'Order confirmed' }).click();
    await a.waitForURL((u) => u.pathname === '/admin/mail/' + mail.id);
    await a.getByRole('heading', { name: 'Order confirmed' }).waitFor();
    await a.getByTestId('mail-text').filter({ hasText: `Your order ${orderId} is paid and confirmed.` }).waitFor();
    const frame = a.getByTestId('mail-html');
    assert.equal(await frame.getAttribute('sandbox'), '', 'the HTML is shown in a fully sandboxed frame');
    const html = a.frameLocator('[data-testid="mail-html"]');
    await html.getByText(`Your order ${orderId} is paid and confirmed.`).waitFor();
    // Without --public-url, links are the listen address: the server under test's.
    assert.equal(await html.getByRole('link', { name: 'View details' }).getAttribute('href'), `${base}/orders/${orderId}`, 'the mail links to the order, absolute');
    await shot(a, 'notify-06-mail');

    assert.deepEqual(customer.errors, [], 'no script errors for the customer');
    assert.deepEqual(admin.errors, [], 'no script errors for the admin');
  } finally {
    await customer.context.close();
    await admin.context.close();
    await call(demo.customer, 'PUT', '/notification/preference', { items: prefsBefore.map((p) => ({ category: p.category, in_app: p.in_app, email: p.email })) });
  }
});
