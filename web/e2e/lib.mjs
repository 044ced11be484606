// Shared set-up for the end-to-end tests: one headless Chromium per file,
// a fresh browser context (empty storage) per test, screenshots on request.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const base = process.env.BAZAAR_URL ?? 'http://127.0.0.1:8080';

/** axeSource is axe-core's script, to evaluate in a page or add to it. */
export const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const shots = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(shots, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** open makes a fresh context and page that fail the test on page errors. */
export async function open(browser, { width = 1280, height = 900, baseURL = base } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, baseURL, locale: 'en-US', timezoneId: 'UTC' });
  // The machine is shared and slow: generous waits, never timing assertions.
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (400|401|404|409|422)/.test(m.text())) errors.push(m.text());
  });
  return { context, page, errors };
}

export async function shot(page, name) {
  await page.screenshot({ path: join(shots, name + '.png'), fullPage: true });
}

/** routes lists the API routes of the server under test ("POST /api/v1/order"). */
export async function routes() {
  const res = await fetch(base + '/api/v1/openapi.json');
  const doc = await res.json();
  const out = new Set();
  for (const [p, ops] of Object.entries(doc.paths)) for (const m of Object.keys(ops)) out.add(m.toUpperCase() + ' ' + p);
  return out;
}

export async function signIn(page, email, password) {
  await page.goto('/signin');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
}

export const demo = {
  customer: ['customer@demo.bazaar.dev', 'demo-customer-pass'],
  seller: ['seller@demo.bazaar.dev', 'demo-seller-pass'],
  admin: ['admin@demo.bazaar.dev', 'demo-admin-pass'],
  delivery: ['delivery@demo.bazaar.dev', 'demo-delivery-pass'],
  support: ['support@demo.bazaar.dev', 'demo-support-pass'],
};

/**
 * productWithReviews finds an active product whose review summary passes
 * want (e.g. s => s.count > 5), asking the API; undefined if none does.
 * It returns the product and the first page of its reviews.
 */
export async function productWithReviews(want, limit = 5) {
  let cursor = '';
  do {
    const list = await (await fetch(`${base}/api/v1/product?limit=100${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`)).json();
    for (const product of list.items) {
      const res = await fetch(`${base}/api/v1/product/${product.id}/review?limit=${limit}`);
      if (!res.ok) continue;
      const page = await res.json();
      if (want(page.summary)) return { product, page };
    }
    cursor = list.next_cursor ?? '';
  } while (cursor);
  return undefined;
}

/** formatAverage is how the UI shows an average rating: one decimal. */
export function formatAverage(average) {
  return (Math.round((average + Number.EPSILON) * 10) / 10).toFixed(1);
}

/**
 * audit runs axe-core (WCAG 2.1 A and AA) on the page and lists its serious
 * and critical violations. The page's CSP forbids injected scripts, so
 * axe's source is evaluated instead.
 */
export async function audit(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

/** until polls check until it holds, for up to 30 seconds. */
export async function until(check, what) {
  const end = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting: ' + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const tokens = {};
/** token signs who ([email, password]) in through the API once per test file and returns the access token. */
export async function token([email, password]) {
  if (tokens[email]) return tokens[email];
  const res = await fetch(base + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(res.status, 200, `login of ${email} works`);
  return (tokens[email] = (await res.json()).access_token);
}

/** call is one API call as who (or no one); it checks the status and returns the JSON body. */
export async function call(who, method, path, body, want = 200) {
  const res = await fetch(base + '/api/v1' + path, {
    method,
    headers: { ...(who && { Authorization: 'Bearer ' + (await token(who)) }), ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, want, `${method} ${path}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** usd formats minor units of US dollars as the UI does. */
export const usd = (minor) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(minor / 100);
