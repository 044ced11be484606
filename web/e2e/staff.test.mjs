// Sellers, delivery partners and admins in their own areas.
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

test('a seller signs in, edits a product and sets stock, and the shop shows it', async () => {
  const { page, errors, context } = await open(browser);
  try {
    await signIn(page, ...demo.seller);
    await page.waitForURL((u) => u.pathname === '/seller');
    const rows = page.getByTestId('seller-product-row');
    await rows.first().waitFor();
    await shot(page, '20-seller-products');

    // Open an active product.
    await page.getByLabel('Status').selectOption('active');
    await page.waitForURL((u) => u.searchParams.get('status') === 'active');
    await rows.first().waitFor();
    await rows.first().getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: 'Edit product' }).waitFor();
    const slug = new URL(await page.getByRole('link', { name: 'View in shop' }).getAttribute('href'), base).pathname.split('/').pop();

    // Set the stock of the first SKU.
    const row = page.getByTestId('stock-row').first();
    await row.getByTestId('stock-available').filter({ hasNotText: '…' }).waitFor();
    const sku = (await row.locator('code').textContent()).trim();
    const units = 40 + Math.floor(Math.random() * 50);
    await row.getByLabel(`Units of ${sku} on hand`).fill(String(units));
    await row.getByRole('button', { name: `Set stock of ${sku}` }).click();
    await page.getByText(`Stock of ${sku} set to ${units}.`).waitFor();
    const available = Number(await row.getByTestId('stock-available').textContent());
    assert.ok(available <= units && available >= 0, `available ${available} of ${units} on hand`);
    await shot(page, '21-seller-stock');

    // Edit the title and save.
    const title = page.getByLabel('Title');
    const old = await title.inputValue();
    const renamed = old.replace(/ \(e2e \d+\)$/, '') + ` (e2e ${units})`;
    await title.fill(renamed);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Product saved.').waitFor();

    // The shop shows the new title and the stock.
    const res = await fetch(`${base}/api/v1/product/${slug}`);
    const product = await res.json();
    assert.equal(product.title, renamed);
    const variant = product.variants.find((v) => v.sku === sku);
    assert.equal(variant.available, available, 'the shop sees the stock the seller set');
    await page.goto('/p/' + slug);
    await page.getByRole('heading', { level: 1, name: renamed }).waitFor();

    // A validation error from the API lands next to its field.
    await page.goto('/seller/products/new');
    await page.getByRole('button', { name: 'Create product' }).click();
    await page.locator('[aria-invalid="true"]').first().waitFor();
    await shot(page, '22-seller-new-errors');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('a seller creates a product with a variant, uploads an image and stocks it', async () => {
  const { page, errors, context } = await open(browser);
  try {
    await signIn(page, ...demo.seller);
    await page.getByRole('link', { name: 'New product' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'New product' }).waitFor();
    const sku = `E2E-${Date.now()}`;
    await page.getByLabel('Title').fill('E2E Linen Shirt');
    await page.getByLabel('Brand').fill('Acme');
    const category = page.getByLabel('Category');
    await category.locator('option').nth(2).waitFor({ state: 'attached' });
    await category.selectOption({ index: 2 });
    await page.getByLabel('Status').selectOption('active');
    await page.getByLabel('Description').fill('A shirt made by the end-to-end tests.');
    await page.getByLabel('SKU of variant 1').fill(sku);
    await page.getByLabel('Size of variant 1').fill('M');
    await page.getByLabel('Price of variant 1').fill('12.50');
    await page.getByRole('button', { name: 'Create product' }).click();
    await page.getByRole('heading', { level: 1, name: 'Edit product' }).waitFor();
    assert.match(page.url(), /\/seller\/products\/prd_/);

    // A 1x1 PNG.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    await page.getByLabel(/Add images/).setInputFiles({ name: 'shirt.png', mimeType: 'image/png', buffer: png });
    await page.getByRole('img', { name: 'Image 1 of E2E Linen Shirt' }).waitFor();

    const row = page.getByTestId('stock-row').filter({ hasText: sku });
    await row.getByLabel(`Units of ${sku} on hand`).fill('5');
    await row.getByRole('button', { name: `Set stock of ${sku}` }).click();
    await row.getByTestId('stock-available').filter({ hasText: '5' }).waitFor();

    // Shoppers can buy it now.
    await page.getByRole('link', { name: 'View in shop' }).click();
    await page.getByRole('heading', { level: 1, name: 'E2E Linen Shirt' }).waitFor();
    assert.match(await page.getByTestId('availability').textContent(), /Only 5 left/);
    assert.match(await page.getByTestId('price').textContent(), /\$12\.50/);
    await shot(page, '23-seller-created-in-shop');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('an admin lists users and categories', async () => {
  const { page, errors, context } = await open(browser);
  try {
    await signIn(page, ...demo.admin);
    await page.waitForURL((u) => u.pathname === '/admin');
    await page.getByRole('cell', { name: 'customer@demo.bazaar.dev', exact: true }).waitFor();
    await shot(page, '30-admin-users');
    await page.getByRole('link', { name: 'Sellers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sellers' }).waitFor();
    await page.locator('table.data tbody tr').first().waitFor();
    await page.getByRole('link', { name: 'Categories' }).click();
    await page.getByText('Clothing').first().waitFor();
    const name = `E2E ${Date.now()}`;
    await page.getByLabel('New category').fill(name);
    await page.getByRole('button', { name: 'Add' }).click();
    const del = page.getByRole('button', { name: `Delete ${name}` });
    await del.waitFor();
    await del.click();
    await del.waitFor({ state: 'detached' });
    await shot(page, '31-admin-categories');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('a delivery partner sees their shipments page', async (t) => {
  const { page, errors, context } = await open(browser);
  try {
    await signIn(page, ...demo.delivery);
    await page.waitForURL((u) => u.pathname === '/delivery');
    if (!api.has('GET /api/v1/delivery/shipment')) {
      await page.getByText('Shipments are not available on this server yet.').waitFor();
      t.diagnostic('shipment routes are not on this server');
    } else {
      await page.getByRole('heading', { level: 1, name: 'My shipments' }).waitFor();
    }
    await shot(page, '40-delivery');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('areas are closed to other roles and to guests', async () => {
  const { page, context } = await open(browser);
  try {
    await page.goto('/seller');
    await page.waitForURL((u) => u.pathname === '/signin' && u.searchParams.get('next') === '/seller');
    // Signing in from there comes back to where the guest was going.
    await page.getByLabel('E-mail').fill(demo.customer[0]);
    await page.getByLabel('Password').fill(demo.customer[1]);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/seller');
    await page.getByRole('heading', { name: 'Not for this account' }).waitFor();
    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Not for this account' }).waitFor();
  } finally {
    await context.close();
  }
});
