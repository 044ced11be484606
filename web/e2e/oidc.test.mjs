// "Sign in with ..." end to end: a real OpenID Connect provider (the zitadel
// example server, `go install github.com/zitadel/oidc/v3/example/server@v3.52.0`)
// and a `bazaar serve` configured to use it, both started by this file on
// free ports; Chromium clicks the provider's button on the sign-in page,
// logs in on the provider's own login page and comes back signed in.
// Refusals (a callback replayed, a state the server never issued) must land
// on the sign-in page with a readable message.
//
// Without the example server the tests skip, unless CI=true: then they fail.
// The binary is $BAZAAR_BIN (run.sh builds it) or built here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, open, shot } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INSTALL = 'go install github.com/zitadel/oidc/v3/example/server@v3.52.0';
// The example server's user (its storage/user.go) and client ("web").
const USER = { login: 'test-user@localhost', password: 'verysecure', email: 'test-user@zitadel.ch', first: 'Test' };
const STATE_USED = 'That sign-in expired or was already used. Please try again.';

/** zitadelBin finds the example server's binary ("server") in GOBIN or GOPATH/bin. */
function zitadelBin() {
  const goEnv = (k) => {
    try {
      return execFileSync('go', ['env', k], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const dirs = [goEnv('GOBIN'), ...goEnv('GOPATH').split(delimiter).map((d) => d && join(d, 'bin')), process.env.HOME && join(process.env.HOME, 'go', 'bin')];
  return dirs.filter(Boolean).map((d) => join(d, 'server')).find((p) => existsSync(p));
}

const provider = zitadelBin();
const skip = provider || process.env.CI === 'true' ? false : `the zitadel example OIDC server is not installed (${INSTALL})`;

const tmp = mkdtempSync(join(tmpdir(), 'bazaar-oidc-e2e-'));
const children = [];
let browser;
let bazaar; // http://127.0.0.1:PORT, also its --public-url
let issuer; // http://localhost:PORT/
let serverLog = () => '';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** start spawns a child that after() stops, keeping its output for failures. */
function start(bin, args, env) {
  const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return { child, out: () => out };
}

/** ready polls url until it answers 200, or fails with the child's output. */
async function ready(url, { child, out }, what) {
  const end = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited ${child.exitCode}:\n${out()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) throw new Error(`${what} not ready in 3 minutes:\n${out().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  if (skip) return;
  assert.ok(provider, `the zitadel example OIDC server is not installed (${INSTALL}); CI=true needs it`);
  let bin = process.env.BAZAAR_BIN;
  if (!bin) {
    bin = join(tmp, 'bazaar');
    execFileSync('go', ['build', '-o', bin, './cmd/bazaar'], { cwd: root, stdio: 'inherit' });
  }
  // Bazaar's address is the provider's redirect URI, so it is chosen first.
  const port = await freePort();
  bazaar = `http://127.0.0.1:${port}`;
  const zport = await freePort();
  issuer = `http://localhost:${zport}/`;
  const z = start(provider, [], { PORT: String(zport), REDIRECT_URI: `${bazaar}/api/v1/auth/oidc/zitadel/callback` });
  await ready(issuer + '.well-known/openid-configuration', z, 'the zitadel example server');
  const b = start(bin, ['serve', '--data', join(tmp, 'data'), '--addr', `127.0.0.1:${port}`, '--public-url', bazaar], {
    BAZAAR_OIDC_PROVIDERS: `zitadel=${issuer}|web|Zitadel`,
    BAZAAR_OIDC_ZITADEL_CLIENT_SECRET: 'secret',
  });
  serverLog = b.out;
  await ready(bazaar + '/readyz', b, 'bazaar serve');
  browser = await launch();
});

after(async () => {
  await browser?.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  writeFileSync(join(dirname(fileURLToPath(import.meta.url)), 'screenshots', 'oidc-server.log'), serverLog());
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * signInWithZitadel clicks the provider's button on the sign-in page at
 * path, logs in on the provider's page and waits until the web app has
 * exchanged the hand-off code; it returns the session the UI received and
 * the callback URL the provider sent the browser to.
 */
async function signInWithZitadel(page, name, path = '/signin') {
  let callback;
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.url().startsWith(bazaar + '/api/v1/auth/oidc/zitadel/callback')) callback = r.url();
  });
  await page.goto(path);
  const button = page.getByRole('link', { name: 'Sign in with Zitadel' });
  await button.waitFor();
  await shot(page, `oidc-${name}-1-signin`);
  await button.click();
  // The provider's own login page, on its own origin.
  await page.waitForURL((u) => u.origin === new URL(issuer).origin && u.pathname === '/login/username');
  await page.getByLabel('Username:').fill(USER.login);
  await page.getByLabel('Password:').fill(USER.password);
  await shot(page, `oidc-${name}-2-provider`);
  const exchanged = page.waitForResponse((r) => r.url() === bazaar + '/api/v1/auth/oidc/exchange' && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Login' }).click();
  const res = await exchanged;
  assert.equal(res.status(), 200, `POST /api/v1/auth/oidc/exchange: ${await res.text()}`);
  return { session: await res.json(), callback };
}

async function me(token) {
  const res = await fetch(bazaar + '/api/v1/me', { headers: { Authorization: 'Bearer ' + token } });
  assert.equal(res.status, 200, 'GET /api/v1/me with the UI token');
  return res.json();
}

test('signing in with the provider: a new customer, signed in, and the same account the next time', { skip }, async () => {
  const { context, page, errors } = await open(browser, { baseURL: bazaar });
  try {
    const { session, callback } = await signInWithZitadel(page, 'first');
    // Back in the shop, signed in: the header carries the account menu.
    await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
    const menu = page.locator('.site-header .menu-button');
    await menu.waitFor();
    assert.match(await menu.innerText(), new RegExp(USER.first));
    assert.equal(await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign in' }).count(), 0);
    await menu.click();
    await page.getByText(`${USER.email} · customer`).waitFor();
    await shot(page, 'oidc-first-3-signed-in');
    // The code left the address bar, and the token the UI holds is the user's.
    assert.equal(new URL(page.url()).hash, '');
    const user = await me(session.access_token);
    assert.equal(user.email, USER.email);
    assert.equal(user.role, 'customer');
    assert.equal(user.id, session.user.id);
    // A reload stays signed in (the refresh token the exchange gave).
    await page.reload();
    await page.locator('.site-header .menu-button').waitFor();

    // The callback opened a second time: its state was used.
    assert.ok(callback, 'the provider sent the browser to our callback');
    await page.goto(callback);
    await page.waitForURL((u) => u.pathname === '/signin' && u.searchParams.get('oidc_error') === 'oidc_state_invalid');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.innerText()).trim(), STATE_USED);
    await page.getByRole('link', { name: 'Sign in with Zitadel' }).waitFor();
    await shot(page, 'oidc-first-4-callback-replayed');
    assert.deepEqual(errors, []);

    // Another browser, signing in to reach the wishlist: the same account.
    const second = await open(browser, { baseURL: bazaar });
    try {
      const again = await signInWithZitadel(second.page, 'second', '/signin?next=' + encodeURIComponent('/wishlist'));
      assert.equal(again.session.user.id, user.id, 'the second sign-in is the same account');
      await second.page.waitForURL((u) => u.pathname === '/wishlist');
      await second.page.locator('.site-header .menu-button').waitFor();
      await shot(second.page, 'oidc-second-3-wishlist');
      assert.equal((await me(again.session.access_token)).id, user.id);
      assert.deepEqual(second.errors, []);
    } finally {
      await second.context.close();
    }
  } finally {
    await context.close();
  }
});

test('a state the server never issued is refused with a readable message', { skip }, async () => {
  const { context, page, errors } = await open(browser, { baseURL: bazaar });
  try {
    let forged = '';
    // Play an attacker who swaps the state on the way to the provider: our
    // start's redirect is fetched and its Location rewritten (redirect
    // targets themselves cannot be intercepted).
    await context.route(
      (u) => u.href === bazaar + '/api/v1/auth/oidc/zitadel',
      async (route) => {
        const res = await route.fetch({ maxRedirects: 0 });
        const to = new URL(res.headers().location ?? '', bazaar);
        if (res.status() === 302 && to.origin === new URL(issuer).origin && to.searchParams.get('state')) {
          to.searchParams.set('state', 'forged-state');
          forged = to.href;
        }
        await route.fulfill({ response: res, headers: { ...res.headers(), location: to.href } });
      },
    );
    await page.goto('/signin');
    await page.getByRole('link', { name: 'Sign in with Zitadel' }).click();
    await page.waitForURL((u) => u.pathname === '/login/username');
    assert.match(forged, /state=forged-state/, 'the start redirected to the provider with the state swapped');
    await page.getByLabel('Username:').fill(USER.login);
    await page.getByLabel('Password:').fill(USER.password);
    await page.getByRole('button', { name: 'Login' }).click();
    await page.waitForURL((u) => u.origin === bazaar && u.pathname === '/signin');
    assert.equal(new URL(page.url()).searchParams.get('oidc_error'), 'oidc_state_invalid');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.innerText()).trim(), STATE_USED);
    // Not signed in: the header still offers to sign in.
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign in' }).waitFor();
    await shot(page, 'oidc-forged-state');

    // A state-less or made-up callback opened by hand ends the same way.
    await page.goto('/api/v1/auth/oidc/zitadel/callback?state=made-up&code=made-up');
    await page.waitForURL((u) => u.pathname === '/signin' && u.searchParams.get('oidc_error') === 'oidc_state_invalid');
    await page.getByRole('alert').waitFor();
    assert.equal((await page.getByRole('alert').innerText()).trim(), STATE_USED);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
