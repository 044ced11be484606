// The account flows whose only channel is e-mail, in Chromium against the
// demo server. Each mail is read the way its recipient would see it (here
// through the admin mail outbox API, as the demo admin) and its link opened
// in the browser: a new customer confirms the address (a resent link
// supersedes the first), a customer who forgot the password resets it and
// the old session ends, and a customer moves to another address.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { audit, base, demo, launch, open, shot, signIn, until } from './lib.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

let adminToken;
async function admin() {
  if (adminToken) return adminToken;
  const res = await fetch(base + '/api/v1/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: demo.admin[0], password: demo.admin[1] }),
  });
  assert.equal(res.status, 200, 'the demo admin signs in');
  return (adminToken = (await res.json()).access_token);
}

/** mails lists the outbox mails to address with subject, newest first, each with its text and HTML parts. */
async function mails(address, subject) {
  const auth = { Authorization: 'Bearer ' + (await admin()) };
  const list = await (await fetch(base + '/api/v1/admin/mail?limit=100', { headers: auth })).json();
  const out = [];
  for (const m of list.items.filter((m) => m.to === address && m.subject === subject)) {
    out.push(await (await fetch(base + '/api/v1/admin/mail/' + m.id, { headers: auth })).json());
  }
  return out;
}

/** link waits for the newest mail to address with subject and returns its link, checked in both parts. */
async function link(address, subject, count = 1) {
  let found = [];
  await until(async () => (found = await mails(address, subject)).length >= count, `${count} mail(s) "${subject}" to ${address}`);
  const mail = found[0];
  assert.equal(mail.category, 'account');
  const url = mail.text.match(/https?:\/\/\S+/)?.[0];
  assert.ok(url?.startsWith(base + '/'), `the text part links to the shop (${base}): ${mail.text}`);
  assert.ok(mail.html.includes(`href="${url.replaceAll('&', '&amp;')}"`), 'the HTML part has the same link');
  assert.ok(!mail.unsubscribe, 'account mail is transactional: no unsubscribe');
  return url;
}

const unique = (what) => `${what}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;

async function register(email, password, name) {
  const res = await fetch(base + '/api/v1/auth/register', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password, name, role: 'customer' }),
  });
  assert.equal(res.status, 201, 'registered');
}

test('a new customer confirms the e-mail address with the mailed link; a resent link supersedes the first', async () => {
  const { context, page, errors } = await open(browser);
  try {
    const email = unique('vera');
    await page.goto('/register');
    await page.getByLabel('Your name').fill('Vera Verify');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('vera-password-1');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((u) => u.pathname === '/');

    // The reminder, with "resend".
    const banner = page.getByRole('region', { name: 'E-mail address not confirmed' });
    await banner.getByText('Please confirm your e-mail address').waitFor();
    assert.ok((await banner.textContent()).includes(email));
    const first = await link(email, 'Confirm your e-mail address');
    await shot(page, 'mailflows-1-reminder');
    await banner.getByRole('button', { name: 'Send me a new link' }).click();
    await banner.getByText('We sent a new link to ' + email).waitFor();
    const second = await link(email, 'Confirm your e-mail address', 2);
    assert.notEqual(second, first, 'a fresh link');

    // The first link was superseded.
    await page.goto(first.slice(base.length));
    await page.getByRole('alert').getByText('This link is invalid, has expired or was already used.').waitFor();
    assert.ok(!page.url().includes('token='), 'the token left the address bar');
    await shot(page, 'mailflows-2-superseded');

    // The newest one confirms; the reminder is gone and the account says so.
    await page.goto(second.slice(base.length));
    await page.getByRole('status').getByText('is confirmed').waitFor();
    assert.ok(!page.url().includes('token='), 'the token left the address bar');
    assert.equal(await banner.count(), 0, 'no reminder once confirmed');
    assert.deepEqual(await audit(page), [], 'the confirmation page passes axe');
    await shot(page, 'mailflows-3-confirmed');
    await page.goto('/account');
    const section = page.getByRole('form', { name: 'E-mail address' });
    await section.getByText('Confirmed', { exact: true }).waitFor();

    // Used once: the same link again is refused.
    await page.goto(second.slice(base.length));
    await page.getByRole('alert').getByText('This link is invalid').waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a customer who forgot the password resets it from the mail, and the old session ends', async () => {
  const email = unique('rex');
  await register(email, 'rex-old-password', 'Rex Reset');

  // The customer is signed in on another device.
  const old = await open(browser);
  const fresh = await open(browser);
  try {
    await signIn(old.page, email, 'rex-old-password');
    await old.page.goto('/account');
    await old.page.getByRole('heading', { name: 'Your account' }).waitFor();

    const { page } = fresh;
    await page.goto('/signin');
    await page.getByLabel('E-mail').fill(email);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL((u) => u.pathname === '/forgot-password');
    assert.equal(await page.getByLabel('E-mail').inputValue(), email, 'the address carried over');
    assert.deepEqual(await audit(page), [], 'the forgot-password page passes axe');
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByRole('status').getByText('we have sent it a link').waitFor();
    await shot(page, 'mailflows-4-forgot');

    // An address without an account gets the same answer, and no mail.
    await page.goto('/forgot-password');
    const stranger = unique('nobody');
    await page.getByLabel('E-mail').fill(stranger);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByRole('status').getByText('we have sent it a link').waitFor();

    const url = await link(email, 'Reset your password');
    assert.ok(url.includes('/reset-password?token='));
    assert.deepEqual(await mails(stranger, 'Reset your password'), [], 'no mail to an unknown address');

    await page.goto(url.slice(base.length));
    await page.getByLabel('New password', { exact: true }).fill('rex-new-password');
    assert.ok(!page.url().includes('token='), 'the token left the address bar');
    await page.getByLabel('New password again').fill('rex-new-passwrod');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.getByText('The two passwords differ.').waitFor();
    await page.getByLabel('New password again').fill('rex-new-password');
    assert.deepEqual(await audit(page), [], 'the reset page passes axe');
    await shot(page, 'mailflows-5-reset-form');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.getByRole('status').getByText('Your password is changed').waitFor();
    await shot(page, 'mailflows-6-reset-done');

    // The link works once.
    await page.goto(url.slice(base.length));
    await page.getByLabel('New password', { exact: true }).fill('rex-third-password');
    await page.getByLabel('New password again').fill('rex-third-password');
    await page.getByRole('button', { name: 'Save the new password' }).click();
    await page.getByRole('alert').getByText('This link is invalid').waitFor();

    // The old password no longer signs in; the new one does.
    await page.goto('/signin');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('rex-old-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('not correct').waitFor();
    await signIn(page, email, 'rex-new-password');

    // The other device's session was revoked: it is sent to sign in.
    await old.page.reload();
    await old.page.waitForURL((u) => u.pathname === '/signin');
    await shot(old.page, 'mailflows-7-old-session-ended');
    assert.deepEqual(old.errors, []);
    assert.deepEqual(fresh.errors, []);
  } finally {
    await old.context.close();
    await fresh.context.close();
  }
});

test('a customer changes the e-mail address; the change happens when the new address confirms', async () => {
  const email = unique('cara');
  const next = unique('cara-new');
  await register(email, 'cara-password-1', 'Cara Change');
  const { context, page, errors } = await open(browser);
  try {
    await signIn(page, email, 'cara-password-1');
    await page.goto('/account');
    const section = page.getByRole('form', { name: 'E-mail address' });
    await section.getByLabel('New e-mail address').fill(next);
    await section.getByLabel('Your password').fill('wrong-password');
    await section.getByRole('button', { name: 'Change e-mail address' }).click();
    await section.getByText('is not correct', { exact: true }).waitFor();
    await section.getByLabel('Your password').fill('cara-password-1');
    await section.getByRole('button', { name: 'Change e-mail address' }).click();
    await section.getByRole('status').getByText('We sent a link to').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0)); // a full-page shot of a scrolled page draws the sticky header mid-page
    await shot(page, 'mailflows-8-change-asked');

    // The old address is told; the new one gets the link.
    await until(async () => (await mails(email, 'Your e-mail address is being changed')).length === 1, 'the notice to the old address');
    const url = await link(next, 'Confirm your new e-mail address');
    await page.goto(url.slice(base.length));
    await page.getByRole('status').getByText(next + ' is confirmed').waitFor();
    await page.goto('/account');
    await section.getByText(next).first().waitFor();
    await signIn(page, next, 'cara-password-1');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
