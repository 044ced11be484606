// Paying with a gateway's own browser SDK, with no network: each journey runs
// against a `bazaar serve --demo` this file starts itself.
//
// Razorpay: the server runs with --payment-fakes and dollars routed to
// Razorpay, so the checkout loads the fake Checkout script the server serves
// (/_fake/razorpay/checkout.js) and pays through the fake in process.
//
// Stripe: the server routes dollars to Stripe with its API at stripe-mock
// (installed with `go install` when missing) and a known webhook secret.
// Stripe.js (https://js.stripe.com/v3/) is answered by a small fake served
// with page.route; the test then plays Stripe and posts the signed
// payment_intent.succeeded webhook, as Stripe would after the card is paid.
//
// The binary is $BAZAAR_BIN (run.sh builds it) or built here. Needs the
// sqlite3 command-line tool (to read the intent the server recorded).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, open, shot, signIn } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'bazaar-pay-e2e-'));
const children = [];
const WHSEC = 'whsec_e2e_payments';

let browser;
let bin;
before(async () => {
  bin = process.env.BAZAAR_BIN;
  if (!bin) {
    bin = join(tmp, 'bazaar');
    execFileSync('go', ['build', '-o', bin, './cmd/bazaar'], { cwd: root, stdio: 'inherit' });
  }
  browser = await launch();
});
after(async () => {
  await browser?.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  rmSync(tmp, { recursive: true, force: true });
});

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** serve starts `bazaar serve --demo` with args and env on a free port; resolves with its URL once ready. */
async function serve(name, args, env = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logPath = join(tmp, name + '.log');
  let log = '';
  const child = spawn(bin, ['serve', '--demo', '--data', join(tmp, name), '--addr', `127.0.0.1:${port}`, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const end = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bazaar serve (${name}) exited ${child.exitCode}:\n${log}`);
    try {
      if ((await fetch(url + '/readyz')).ok) break;
    } catch {
      // not listening yet: demo seeding runs first
    }
    if (Date.now() > end) throw new Error(`bazaar serve (${name}) not ready in 3 minutes:\n${log.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, log: () => (writeFileSync(logPath, log), log) };
}

/** stripeMock finds stripe-mock (PATH, GOBIN, GOPATH/bin) or installs it, and starts it on a free port. */
async function stripeMock() {
  const goEnv = (k) => {
    try {
      return execFileSync('go', ['env', k], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const dirs = [...(process.env.PATH ?? '').split(delimiter), goEnv('GOBIN'), join(goEnv('GOPATH').split(delimiter)[0] || '', 'bin')].filter(Boolean);
  const find = () => dirs.map((d) => join(d, 'stripe-mock')).find((p) => existsSync(p));
  let path = find();
  if (!path) {
    execFileSync('go', ['install', 'github.com/stripe/stripe-mock@v0.203.0'], { cwd: tmpdir(), stdio: 'inherit' });
    path = find();
  }
  assert.ok(path, 'stripe-mock is installed');
  const child = spawn(path, ['-http-addr', '127.0.0.1:0', '-https-addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('stripe-mock did not listen:\n' + out)), 30_000);
    const read = (d) => {
      out += d;
      const m = /Listening for HTTP at address: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve('http://' + m[1]);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`stripe-mock exited ${code}:\n${out}`)));
  });
}

async function call(base, method, path, body, token, want) {
  const res = await fetch(base + '/api/v1' + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: 'Bearer ' + token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (want !== undefined) assert.equal(res.status, want, `${method} ${path}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * shopper registers a new customer on the server at base, signs in, puts an
 * in-stock product in the cart and opens the checkout with a new address.
 */
async function toCheckout(base, page) {
  const email = `pay-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  const password = 'correct-horse-battery';
  await call(base, 'POST', '/auth/register', { email, password, name: 'Priya Payer', role: 'customer' }, undefined, 201);
  const token = (await call(base, 'POST', '/auth/login', { email, password }, undefined, 200)).access_token;
  const list = await call(base, 'GET', '/product?limit=50', undefined, undefined, 200);
  const product = list.items.find((p) => p.variants.some((v) => v.available > 3));
  assert.ok(product, 'a product is in stock');
  await signIn(page, email, password);
  await page.goto('/p/' + product.slug);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByTestId('cart-count').waitFor();
  await page.goto('/checkout');
  await page.getByRole('heading', { name: '1. Shipping address' }).waitFor();
  await page.getByLabel('Full name').fill('Priya Payer');
  await page.getByLabel('Address line 1').fill('12 MG Road');
  await page.getByLabel('City').fill('Springfield');
  await page.getByLabel('Postal code').fill('62701');
  await page.getByLabel('Country code').fill('US');
  return { token };
}

const orderIdOf = (page) => new URL(page.url()).pathname.split('/').pop();

// ---------------------------------------------------------------- Razorpay

let razorpay;
async function razorpayServer() {
  razorpay ??= serve('razorpay', ['--payment-fakes', '--payment-gateways', 'USD:razorpay']);
  return razorpay;
}

test('a shopper pays with Razorpay Checkout (the fake) and sees the order paid', async () => {
  const srv = await razorpayServer();
  const cfg = await call(srv.url, 'GET', '/payment/checkout?currency=USD', undefined, undefined, 200);
  assert.equal(cfg.script_url, '/_fake/razorpay/checkout.js', 'the server points the UI at the fake Checkout');
  const { page, errors, context } = await open(browser, { baseURL: srv.url });
  try {
    await toCheckout(srv.url, page);
    await page.getByTestId('pay-with').filter({ hasText: 'Razorpay' }).waitFor();
    await shot(page, 'pay-10-checkout-razorpay');
    await page.getByRole('button', { name: 'Place order and pay with Razorpay' }).click();

    const modal = page.getByRole('dialog', { name: 'Bazaar' });
    await modal.waitFor();
    assert.match(await page.getByTestId('pay-status').textContent(), /Complete the payment in Razorpay's window/);
    assert.match(await modal.textContent(), /\$\d+\.\d\d/, 'Checkout shows the amount');
    await shot(page, 'pay-11-razorpay-open');
    await modal.getByRole('button', { name: 'Pay (test)' }).click();

    await page.waitForURL(/\/orders\/ord_/);
    await page.getByTestId('order-status').filter({ hasText: 'Paid' }).waitFor({ timeout: 60_000 });
    await page.getByText('Thank you! Your order is placed and paid.').waitFor();
    await shot(page, 'pay-12-razorpay-paid');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('a declined Razorpay payment shows the reason, and paying again from the order page works', async () => {
  const srv = await razorpayServer();
  const { page, errors, context } = await open(browser, { baseURL: srv.url });
  try {
    await toCheckout(srv.url, page);
    await page.getByRole('button', { name: 'Place order and pay with Razorpay' }).click();
    await page.getByRole('dialog', { name: 'Bazaar' }).getByRole('button', { name: 'Fail (test)' }).click();
    const status = page.getByTestId('pay-status');
    await status.filter({ hasText: 'Declined' }).waitFor();
    assert.match(await status.textContent(), /Declined: Your payment didn't go through as it was declined by the bank.*Try again/);
    await page.getByRole('button', { name: /^Try again: Pay \$\d+\.\d\d with Razorpay$/ }).waitFor();
    await shot(page, 'pay-13-razorpay-declined');

    // The order waits: its page says why and pays with Razorpay again.
    await page.getByRole('link', { name: 'Pay later from your order page' }).click();
    await page.waitForURL(/\/orders\/ord_/);
    const again = page.getByRole('region', { name: 'Complete your payment' });
    await again.getByRole('alert').filter({ hasText: 'declined by the bank' }).waitFor({ timeout: 30_000 });
    await shot(page, 'pay-14-order-pay-again');
    await again.getByRole('button', { name: /^Pay \$\d+\.\d\d with Razorpay$/ }).click();
    await page.getByRole('dialog', { name: 'Bazaar' }).getByRole('button', { name: 'Pay (test)' }).click();
    await page.getByTestId('order-status').filter({ hasText: 'Paid' }).waitFor({ timeout: 60_000 });
    await page.getByText('Thank you! Your order is placed and paid.').waitFor();
    assert.equal(await page.getByRole('region', { name: 'Complete your payment' }).count(), 0, 'nothing left to pay');
    await shot(page, 'pay-15-order-paid-again');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('closing Razorpay Checkout, then a decline, then paying again in the checkout', async () => {
  const srv = await razorpayServer();
  const { page, errors, context } = await open(browser, { baseURL: srv.url });
  try {
    await toCheckout(srv.url, page);
    await page.getByRole('button', { name: 'Place order and pay with Razorpay' }).click();
    const modal = page.getByRole('dialog', { name: 'Bazaar' });
    await modal.getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('pay-status').filter({ hasText: "You closed Razorpay's window. Nothing was charged" }).waitFor();
    await page.getByRole('button', { name: /^Pay \$\d+\.\d\d with Razorpay$/ }).click();
    await modal.getByRole('button', { name: 'Fail (test)' }).click();
    await page.getByTestId('pay-status').filter({ hasText: 'Declined' }).waitFor();
    await page.getByRole('button', { name: /^Try again: Pay/ }).click();
    await modal.getByRole('button', { name: 'Pay (test)' }).click();
    await page.waitForURL(/\/orders\/ord_/);
    await page.getByTestId('order-status').filter({ hasText: 'Paid' }).waitFor({ timeout: 60_000 });
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

// ---------------------------------------------------------------- Stripe

/**
 * The fake Stripe.js: Stripe(pk).elements({clientSecret}).create('payment')
 * .mount(el) shows a plain card-number field; confirmPayment answers as
 * Stripe.js does for the number typed: 4000 0000 0000 0002 is declined, an
 * empty field is a validation error, anything else succeeds (no redirect).
 * window.__stripe records what the page did.
 */
const fakeStripeJs = String.raw`
(function () {
  var rec = (window.__stripe = { confirms: [] });
  window.Stripe = function (pk) {
    rec.publishableKey = pk;
    return {
      elements: function (opts) {
        rec.clientSecret = opts.clientSecret;
        var elements = {
          create: function (type) {
            rec.element = type;
            var root;
            return {
              mount: function (target) {
                var t = typeof target === 'string' ? document.querySelector(target) : target;
                root = document.createElement('div');
                root.setAttribute('data-fake-stripe', type);
                var label = document.createElement('label');
                label.textContent = 'Card number ';
                var input = document.createElement('input');
                input.name = 'cardnumber';
                input.placeholder = '1234 1234 1234 1234';
                label.appendChild(input);
                var note = document.createElement('p');
                note.textContent = 'Stripe Payment Element (test fake)';
                note.style.cssText = 'color:#635bff;font-size:12px;margin:6px 0 0';
                root.appendChild(label);
                root.appendChild(note);
                t.appendChild(root);
              },
              destroy: function () { if (root) root.remove(); },
              on: function () {},
            };
          },
        };
        rec.elements = elements;
        return elements;
      },
      confirmPayment: function (o) {
        var input = document.querySelector('[data-fake-stripe] input');
        var number = ((input && input.value) || '').replace(/\s/g, '');
        rec.confirms.push({ redirect: o.redirect, return_url: o.confirmParams && o.confirmParams.return_url, sameElements: o.elements === rec.elements, number: number });
        return new Promise(function (resolve) {
          setTimeout(function () {
            if (!number) resolve({ error: { type: 'validation_error', code: 'incomplete_number', message: 'Your card number is incomplete.' } });
            else if (number === '4000000000000002') resolve({ error: { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' } });
            else resolve({ paymentIntent: { id: rec.clientSecret.split('_secret_')[0], status: 'succeeded' } });
          }, 400);
        });
      },
    };
  };
})();`;

/** stripeSignature is Stripe-Signature for body at t: v1 = HMAC-SHA256(secret, `${t}.${body}`). */
function stripeSignature(body, secret, t = Math.floor(Date.now() / 1000)) {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

test('a shopper pays with the Stripe Payment Element (fake Stripe.js) and Stripe\'s signed webhook makes the order paid', async () => {
  const mock = await stripeMock();
  const srv = await serve('stripe', ['--payment-gateways', 'USD:stripe'], {
    BAZAAR_STRIPE_SECRET_KEY: 'sk_test_123',
    BAZAAR_STRIPE_PUBLISHABLE_KEY: 'pk_test_e2e',
    BAZAAR_STRIPE_WEBHOOK_SECRET: WHSEC,
    BAZAAR_STRIPE_API_BASE: mock,
  });
  const cfg = await call(srv.url, 'GET', '/payment/checkout?currency=USD', undefined, undefined, 200);
  assert.equal(cfg.script_url, 'https://js.stripe.com/v3/');
  const { page, errors, context } = await open(browser, { baseURL: srv.url });
  let stripeLoads = 0;
  await page.route(/^https:\/\/js\.stripe\.com\/v3\/?(\?.*)?$/, (route) => {
    stripeLoads++;
    return route.fulfill({ status: 200, contentType: 'text/javascript', body: fakeStripeJs });
  });
  try {
    const { token } = await toCheckout(srv.url, page);
    assert.equal(stripeLoads, 0, 'Stripe.js is not loaded before it is needed');
    await page.getByTestId('pay-with').filter({ hasText: 'Stripe' }).waitFor();
    await page.getByRole('button', { name: 'Place order and pay with Stripe' }).click();

    // The Payment Element shows; a declined card says so, and the same form pays.
    const card = page.getByLabel('Card number');
    await card.waitFor();
    assert.equal(stripeLoads, 1, 'Stripe.js is loaded once');
    const rec = await page.evaluate(() => ({ pk: window.__stripe.publishableKey, cs: window.__stripe.clientSecret, element: window.__stripe.element }));
    assert.equal(rec.pk, 'pk_test_e2e');
    assert.equal(rec.element, 'payment');
    assert.match(rec.cs, /_secret_/, 'the Payment Element has the client secret');
    const pay = page.getByRole('button', { name: /^Pay \$\d+\.\d\d with Stripe$/ });
    await pay.click();
    await page.getByTestId('pay-status').filter({ hasText: 'Your card number is incomplete.' }).waitFor();
    await card.fill('4000 0000 0000 0002');
    await pay.click();
    await page.getByTestId('pay-status').filter({ hasText: 'Declined: Your card was declined.' }).waitFor();
    await shot(page, 'pay-20-stripe-declined');
    await card.fill('4242 4242 4242 4242');
    await page.getByRole('button', { name: /^Try again: Pay \$\d+\.\d\d with Stripe$/ }).click();

    // Paid in the browser: the order page confirms while Stripe's webhook is awaited.
    await page.waitForURL(/\/orders\/ord_.*confirming=1/);
    await page.getByText('Confirming your payment…').waitFor();
    const confirms = await page.evaluate(() => window.__stripe?.confirms ?? []);
    const orderId = orderIdOf(page);
    await shot(page, 'pay-21-stripe-confirming');
    assert.equal(await page.getByRole('region', { name: 'Complete your payment' }).count(), 0, 'no pay-again while confirming');

    // Back from a redirect (3-D Secure, a bank page): the same wait.
    assert.equal(confirms.length, 3, 'confirmPayment was called for each try');
    for (const c of confirms) {
      assert.equal(c.redirect, 'if_required');
      assert.equal(c.return_url, `${srv.url}/orders/${orderId}?placed=1`, 'a redirect comes back to the order page');
      assert.ok(c.sameElements, 'confirmPayment gets the mounted elements');
    }
    const pi = rec.cs.split('_secret_')[0];
    await page.goto(`/orders/${orderId}?placed=1&payment_intent=${pi}&payment_intent_client_secret=${encodeURIComponent(rec.cs)}&redirect_status=succeeded`);
    await page.getByText('Confirming your payment…').waitFor();
    assert.equal(await page.getByRole('region', { name: 'Complete your payment' }).count(), 0, 'no pay-again after the return');

    // Stripe says it is paid. In Stripe a PaymentIntent's ID is its client
    // secret's prefix; stripe-mock answers fixtures whose ID differs, so the
    // intent the server recorded is read from its database.
    const order = await call(srv.url, 'GET', '/order/' + orderId, undefined, token, 200);
    const payment = order.payments[order.payments.length - 1];
    const intent = execFileSync('sqlite3', [join(tmp, 'stripe', 'bazaar.db'), `SELECT gateway_intent_id FROM payment_payments WHERE id = '${payment.id.replace(/'/g, '')}'`], { encoding: 'utf8' }).trim();
    assert.match(intent, /^pi_/, 'the server made a PaymentIntent');
    const body = JSON.stringify({
      id: 'evt_e2e_' + Date.now(),
      object: 'event',
      type: 'payment_intent.succeeded',
      api_version: '2026-06-24.dahlia',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: intent, object: 'payment_intent', status: 'succeeded', amount: order.total.amount, amount_received: order.total.amount, currency: 'usd', metadata: { payment_id: payment.id, order_id: orderId } } },
    });
    const forged = await fetch(srv.url + '/api/v1/payment/webhook/stripe', { method: 'POST', body, headers: { 'Stripe-Signature': stripeSignature(body, 'whsec_forged') } });
    assert.equal(forged.status, 400, 'a forged webhook is refused');
    const res = await fetch(srv.url + '/api/v1/payment/webhook/stripe', { method: 'POST', body, headers: { 'Content-Type': 'application/json', 'Stripe-Signature': stripeSignature(body, WHSEC) } });
    assert.equal(res.status, 200, 'the signed webhook is accepted: ' + (await res.text()));

    await page.getByTestId('order-status').filter({ hasText: 'Paid' }).waitFor({ timeout: 60_000 });
    await page.getByText('Thank you! Your order is placed and paid.').waitFor();
    await shot(page, 'pay-22-stripe-paid');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});
