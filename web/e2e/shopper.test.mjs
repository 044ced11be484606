// A guest browses, filters, opens a product and adds it to the cart, then
// registers (the guest cart is merged into the account), checks out with a
// test card and sees the order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, routes, shot } from './lib.mjs';

let browser;
let api;
before(async () => {
  browser = await launch();
  api = await routes();
});
after(async () => {
  await browser?.close();
});

test('guest browses, filters, adds to cart, registers with the cart merged, checks out and sees the order', async () => {
  const { page, errors, context } = await open(browser);
  try {
    // Home: a grid of products with images and prices.
    await page.goto('/');
    const grid = page.getByTestId('product-grid');
    await grid.getByRole('link').first().waitFor();
    assert.ok((await grid.getByRole('link').count()) >= 12, 'the home page shows a page of products');
    assert.ok((await grid.locator('img').count()) >= 1, 'product cards have images');
    await shot(page, '01-home');

    // Category navigation, then a brand filter, then a price cap.
    await page.getByRole('navigation', { name: 'Categories' }).getByRole('link', { name: 'Clothing' }).click();
    await page.getByRole('heading', { level: 1, name: 'Clothing' }).waitFor();
    const brandSelect = page.getByLabel('Brand');
    await brandSelect.locator('option').nth(1).waitFor({ state: 'attached' });
    const brand = await brandSelect.locator('option').nth(1).getAttribute('value');
    await brandSelect.selectOption(brand);
    await page.waitForURL((u) => u.searchParams.get('brand') === brand);
    await grid.getByRole('link').first().waitFor();
    const brands = await grid.locator('.card-brand').allTextContents();
    assert.ok(brands.length > 0, 'the brand filter leaves products');
    for (const b of brands) assert.equal(b.toLowerCase(), brand.toLowerCase(), 'every product shown is of the chosen brand');

    await page.getByLabel('Max ($)').fill('500');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((u) => u.searchParams.get('price_max') === '50000');
    await page.getByLabel('Sort by').selectOption('price_asc');
    await page.waitForURL((u) => u.searchParams.get('sort') === 'price_asc');
    await grid.getByRole('link').first().waitFor();
    await shot(page, '02-filtered');

    // Open the first product that can be bought.
    const count = await grid.getByRole('link').count();
    let title = '';
    for (let i = 0; i < count && !title; i++) {
      await grid.getByRole('link').nth(i).click();
      await page.getByRole('heading', { level: 1 }).waitFor();
      if (await page.getByRole('button', { name: 'Add to cart' }).isEnabled()) {
        title = (await page.getByRole('heading', { level: 1 }).textContent()).trim();
      } else {
        await page.goBack();
      }
    }
    assert.ok(title, 'some product of the brand is in stock');
    assert.match(await page.getByTestId('availability').textContent(), /in stock/i);
    await shot(page, '03-product');

    // Add two units.
    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByTestId('cart-count').filter({ hasText: '2' }).waitFor();
    const guestToken = await page.evaluate(() => localStorage.getItem('bazaar.cart_token'));
    assert.ok(guestToken, 'the guest cart token is kept');

    // The cart groups lines by seller.
    await page.getByRole('link', { name: /^Cart/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Your cart' }).waitFor();
    const line = page.getByTestId('cart-line');
    assert.equal(await line.count(), 1);
    assert.match(await line.textContent(), new RegExp(escape(title)));
    assert.match(await page.locator('.seller-head').first().textContent(), /^Sold by /);
    await shot(page, '04-cart-guest');

    // Register from the cart: the guest cart becomes the account's.
    const canOrder = api.has('POST /api/v1/order');
    if (canOrder) {
      await page.getByRole('button', { name: 'Sign in to check out' }).click();
    } else {
      await page.goto('/signin?next=/cart');
    }
    await page.getByRole('link', { name: 'Create an account' }).click();
    const email = `e2e-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
    await page.getByLabel('Your name').fill('Erin Tester');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('correct-horse-battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((u) => u.pathname === (canOrder ? '/checkout' : '/cart'));
    await page.getByTestId('cart-count').filter({ hasText: '2' }).waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem('bazaar.cart_token')), null, 'the guest token is dropped once merged');
    assert.ok(await page.evaluate(() => localStorage.getItem('bazaar.refresh_token')), 'the refresh token is kept for reloads');

    // A reload keeps the session (refresh token) and the merged cart.
    await page.goto('/cart');
    await page.getByTestId('cart-line').first().waitFor();
    assert.match(await page.getByTestId('cart-line').textContent(), new RegExp(escape(title)));
    await page.getByRole('button', { name: /Erin\s*, account menu/ }).waitFor();

    if (!canOrder) {
      test.diagnostic('ordering routes are not on this server: checkout skipped');
      return;
    }

    // Checkout with a new address and the succeeding test card.
    await page.goto('/checkout');
    await page.getByRole('heading', { name: '1. Shipping address' }).waitFor();
    await page.getByLabel('Full name').fill('Erin Tester');
    await page.getByLabel('Address line 1').fill('1 Market Street');
    await page.getByLabel('City').fill('Springfield');
    await page.getByLabel('State / region').fill('IL');
    await page.getByLabel('Postal code').fill('62701');
    await page.getByLabel('Country code').fill('US');
    await page.getByLabel(/Visa ending 4242/).check();
    await shot(page, '05-checkout');
    await page.getByRole('button', { name: 'Place order and pay' }).click();
    await page.waitForURL(/\/orders\/ord_/);
    await page.getByTestId('order-status').filter({ hasText: 'Paid' }).waitFor({ timeout: 60_000 });
    await page.getByText('Thank you! Your order is placed and paid.').waitFor();
    const orderId = new URL(page.url()).pathname.split('/').pop();
    await shot(page, '06-order-paid');

    // The cart is empty now, and the order is listed.
    await page.goto('/orders');
    const row = page.getByTestId('order-row').filter({ hasText: orderId });
    await row.waitFor();
    assert.match(await row.textContent(), /Paid/);
    await shot(page, '07-orders');
    await page.goto('/cart');
    await page.getByText('Your cart is empty').waitFor();

    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('a declined test card shows the reason, and paying again succeeds', async (t) => {
  if (!api.has('POST /api/v1/order')) return t.skip('ordering routes are not on this server');
  const { page, errors, context } = await open(browser);
  try {
    const email = `e2e-decline-${Date.now()}@example.com`;
    await page.goto('/register');
    await page.getByLabel('Your name').fill('Dee Clined');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('correct-horse-battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    // Any product in stock.
    await page.getByTestId('product-grid').getByRole('link').first().click();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByTestId('cart-count').filter({ hasText: '1' }).waitFor();
    await page.goto('/checkout');
    await page.getByLabel('Full name').fill('Dee Clined');
    await page.getByLabel('Address line 1').fill('2 Side Road');
    await page.getByLabel('City').fill('Shelbyville');
    await page.getByLabel('Country code').fill('US');
    await page.getByLabel(/Visa ending 0002/).check();
    await page.getByRole('button', { name: 'Place order and pay' }).click();
    await page.waitForURL(/\/orders\/ord_/);
    await page.getByRole('heading', { name: 'Complete your payment' }).waitFor({ timeout: 60_000 });
    await page.getByRole('alert').filter({ hasText: /declined/i }).first().waitFor();
    await shot(page, '08-declined');
    await page.getByLabel(/Visa ending 4242/).check();
    await page.getByRole('button', { name: /^Pay / }).click();
    await page.getByTestId('order-status').filter({ hasText: 'Paid' }).waitFor({ timeout: 60_000 });
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('field errors from the API show next to their fields', async () => {
  const { page, errors, context } = await open(browser);
  try {
    await page.goto('/register');
    await page.getByLabel('Your name').fill('Short Pass');
    await page.getByLabel('E-mail').fill(`e2e-short-${Date.now()}@example.com`);
    await page.getByLabel('Password').fill('short');
    // Let the server judge the password, not the browser.
    await page.getByRole('form', { name: 'Create an account' }).evaluate((f) => f.setAttribute('novalidate', ''));
    await page.getByRole('button', { name: 'Create account' }).click();
    const pw = page.getByLabel('Password');
    await page.locator('[aria-invalid="true"]').first().waitFor();
    assert.equal(await pw.getAttribute('aria-invalid'), 'true');
    const describedBy = await pw.getAttribute('aria-describedby');
    assert.match(await page.locator('#' + cssEscape(describedBy)).textContent(), /8/);
    await shot(page, '09-field-errors');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('the shop works on a phone-sized screen', async () => {
  const { page, errors, context } = await open(browser, { width: 390, height: 844 });
  try {
    await page.goto('/c/electronics');
    await page.getByRole('heading', { level: 1, name: 'Electronics' }).waitFor();
    await page.getByTestId('product-grid').getByRole('link').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal scrolling (overflow ${overflow}px)`);
    await page.screenshot({ path: new URL('./screenshots/10-mobile.png', import.meta.url).pathname });
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cssEscape(s) {
  return s.replace(/([^a-zA-Z0-9_-])/g, '\\$1');
}
