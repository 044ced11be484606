// Accessibility: axe-core finds no serious or critical WCAG A/AA violation
// on the main screens.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { audit, base, demo, launch, productWithReviews, routes } from './lib.mjs';

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await routes();
});
after(async () => {
  await browser?.close();
});

for (const [name, path, wait, who, need] of [
  ['home', '/', '[data-testid=product-grid] a', null],
  ['category', '/c/clothing', '[data-testid=product-grid] a', null],
  ['product', null, '[data-testid=availability]', null],
  ['sign in', '/signin', 'form', null],
  ['register', '/register', 'form', null],
  ['forgot password', '/forgot-password', 'form', null, 'POST /api/v1/auth/password-reset'],
  ['reset password', '/reset-password?token=x', 'form input[autocomplete=new-password]', null, 'POST /api/v1/auth/password-reset/confirm'],
  ['account', '/account', '#email-title', demo.customer, 'POST /api/v1/me/email'],
  ['seller center', '/seller', '[data-testid=seller-product-row]', demo.seller],
  ['admin', '/admin', 'table.data', demo.admin],
  ['admin reviews', '/admin/reviews', '[data-testid=moderation-row]', demo.admin, 'GET /api/v1/review'],
  ['admin events', '/admin/events', '[data-testid=dead-letter], .empty', demo.admin, 'GET /api/v1/admin/event/dead'],
  ['my returns', '/returns', '[data-testid=return-row], .empty', demo.customer, 'GET /api/v1/return'],
  ['my tickets', '/tickets', '[data-testid=ticket-row], .empty', demo.customer, 'GET /api/v1/ticket'],
  ['new ticket', '/tickets/new?order_id=ord_x', 'form[aria-label="New ticket"]', demo.customer, 'POST /api/v1/ticket'],
  ['seller returns', '/seller/returns', '[data-testid=return-row], .empty', demo.seller, 'GET /api/v1/return'],
  ['seller return policy', '/seller/return-policy', '#policy-title', demo.seller, 'GET /api/v1/seller/return-policy'],
  ['seller tickets', '/seller/tickets', '[data-testid=ticket-row], .empty', demo.seller, 'GET /api/v1/ticket'],
  ['staff tickets', '/admin/tickets', '[data-testid=ticket-row], .empty', demo.support, 'GET /api/v1/ticket'],
  ['staff returns', '/admin/returns', '[data-testid=return-row], .empty', demo.admin, 'GET /api/v1/return'],
  ['admin categories', '/admin/categories', '[data-testid=category-returnable]', demo.admin, 'GET /api/v1/admin/return-policy/category'],
  ['delivery', '/delivery', '#deliveries-title', demo.delivery, 'GET /api/v1/delivery/shipment'],
  ['seller payments', '/seller/payments', '#statement-title', demo.seller, 'GET /api/v1/seller/balance'],
  ['admin commissions', '/admin/commissions', '#default-rule', demo.admin, 'GET /api/v1/admin/commission'],
  ['admin payouts', '/admin/payouts', '[data-testid=admin-payout-row], .empty', demo.admin, 'GET /api/v1/payout'],
  ['admin cash on delivery', '/admin/cod', '[data-testid=cod-row], .empty', demo.admin, 'GET /api/v1/admin/cod'],
]) {
  test(`no serious accessibility violations: ${name}`, async (t) => {
    if (need && !api.has(need)) return t.skip(need + ' is not on this server');
    // bypassCSP: the page's CSP forbids injected scripts, axe included.
    const context = await browser.newContext({ baseURL: base, bypassCSP: true, viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    try {
      if (who) {
        await page.goto('/signin');
        await page.getByLabel('E-mail').fill(who[0]);
        await page.getByLabel('Password').fill(who[1]);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
      }
      let target = path;
      let ready = wait;
      if (!target) {
        // A product with reviews (more than a page of them) when the server has reviews.
        const reviewed = api.has('GET /api/v1/product/{id}/review') ? await productWithReviews((s) => s.count > 5) : undefined;
        if (reviewed) {
          target = '/p/' + reviewed.product.slug;
          ready = '[data-testid=review]';
        } else {
          const list = await (await fetch(base + '/api/v1/product?limit=1')).json();
          target = '/p/' + list.items[0].slug;
        }
      }
      await page.goto(target);
      await page.locator(ready).first().waitFor();
      const violations = await audit(page);
      assert.deepEqual(violations, []);
    } finally {
      await context.close();
    }
  });
}
