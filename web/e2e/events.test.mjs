// Dead letters in the admin area: the empty state, a dead-lettered event
// (planted in the server's SQLite database, as the API has no way to make
// one) with its error and payload, the consumer filter, Replay (the
// consumer applies it at once), a letter replayed meanwhile (404), "Load
// more", and the page closed to everyone but admins.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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

const db = process.env.BAZAAR_E2E_DB ?? '';
const haveSqlite = spawnSync('sqlite3', ['--version']).status === 0;

/** cannotPlant is why this run cannot plant dead letters, or '' when it can. */
function cannotPlant() {
  if (!haveSqlite) return 'the sqlite3 command-line tool is not installed (apt-get install sqlite3)';
  if (!db || !existsSync(db)) return 'BAZAAR_E2E_DB names no database (run through e2e/run.sh)';
  return '';
}

/** sql runs statements on the server's database and returns the rows of the last one. */
function sql(statements) {
  const out = execFileSync('sqlite3', ['-cmd', '.timeout 15000', '-json', db, statements], { encoding: 'utf8' });
  return out.trim() ? JSON.parse(out) : [];
}

const quote = (s) => "'" + String(s).replaceAll("'", "''") + "'";

const crockford = '0123456789abcdefghjkmnpqrstvwxyz';

/** letterId makes a dead letter ID as the server does: "dlv_" and a UUIDv7 (time ms first) in lowercase Crockford base32. */
function letterId(ms = Date.now()) {
  const b = randomBytes(16);
  for (let i = 5, t = ms; i >= 0; i--, t = Math.floor(t / 256)) b[i] = t % 256;
  b[6] = 0x70 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  let out = '';
  let acc = 0;
  let bits = 2; // 130 bits of output: two zero bits on top
  for (const c of b) {
    acc = ((acc << 8) | c) & 0x1fff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += crockford[(acc >> bits) & 31];
    }
  }
  return 'dlv_' + out;
}

/** Topics the "metrics" consumer counts (businessTopics in internal/server/metrics.go). */
const metricsTopics = ['order.placed.v1', 'order.paid.v1', 'catalog.product.created.v1', 'account.user.registered.v1', 'account.seller.created.v1', 'payment.succeeded.v1', 'shipment.created.v1'];

/**
 * deliveredEvents are up to n published events of topics, newest first (order.placed.v1 before
 * the others), that consumer has no retry row for.
 */
function deliveredEvents(consumer, topics, n) {
  return sql(`SELECT id, topic, aggregate, payload FROM event_outbox
    WHERE published_at IS NOT NULL AND topic IN (${topics.map(quote).join(',')})
      AND id NOT IN (SELECT event_id FROM event_retry WHERE consumer = ${quote(consumer)})
    ORDER BY topic = 'order.placed.v1' DESC, seq DESC LIMIT ${n}`);
}

/** plant dead-letters event e for consumer: 10 attempts, the error, dead now. It returns the letter's ID. */
function plant(consumer, e, error, ms = Date.now()) {
  const id = letterId(ms);
  sql(`INSERT INTO event_retry (id, consumer, event_id, topic, aggregate, payload, created_at, status, attempts, next_attempt_at, claimed_until, last_error, dead_at)
    SELECT ${quote(id)}, ${quote(consumer)}, id, topic, aggregate, payload, created_at, 'dead', 10, 0, 0, ${quote(error)}, ${ms * 1000}
    FROM event_outbox WHERE id = ${quote(e.id)}`);
  return id;
}

/** retryRow is the event_retry row of a letter, undefined once it is gone (applied). */
function retryRow(id) {
  return sql(`SELECT id, status, attempts FROM event_retry WHERE id = ${quote(id)}`)[0];
}

/** token signs in through the API and returns the access token. */
async function token([email, password]) {
  const res = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });
  assert.equal(res.status, 200, 'sign in through the API');
  return (await res.json()).access_token;
}

/** deadList is GET /api/v1/admin/event/dead as an admin. */
async function deadList(bearer, query = {}) {
  const res = await fetch(`${base}/api/v1/admin/event/dead?${new URLSearchParams(query)}`, { headers: { Authorization: 'Bearer ' + bearer } });
  assert.equal(res.status, 200, `GET /api/v1/admin/event/dead?${new URLSearchParams(query)}`);
  return res.json();
}

/** describe is how the page names a letter (deadletters.ts). */
const describe = (d) => `${d.topic}${d.aggregate ? ' of ' + d.aggregate : ''} for consumer ${d.consumer}`;

const route = 'GET /api/v1/admin/event/dead';

test('events: an admin finds the Events page in the admin area; nothing is waiting', async (t) => {
  if (!api.has(route)) return t.skip('dead letters are not on this server');
  const bearer = await token(demo.admin);
  const { page, errors, context } = await open(browser);
  try {
    await signIn(page, ...demo.admin);
    await page.goto('/admin');
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Events' }).click();
    await page.waitForURL((u) => u.pathname === '/admin/events');
    await page.getByRole('heading', { level: 1, name: 'Events' }).waitFor();
    const pending = (await deadList(bearer)).items;
    if (pending.length === 0) {
      await page.getByRole('heading', { name: 'Nothing is waiting for a replay' }).waitFor();
      assert.equal(await page.getByTestId('dead-letter').count(), 0);
    } else {
      t.diagnostic(`${pending.length} dead letters already: the empty state not checked`);
      await page.getByTestId('dead-letter').first().waitFor();
    }
    assert.deepEqual(await audit(page), [], 'no serious accessibility violations');
    await shot(page, '90-events-empty');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
  }
});

test('events: a dead letter shows its error and payload, filters by consumer, and Replay gives it back to its consumer', async (t) => {
  if (!api.has(route)) return t.skip('dead letters are not on this server');
  const why = cannotPlant();
  if (why) return t.skip(why);
  const [event] = deliveredEvents('metrics', metricsTopics, 1);
  assert.ok(event, 'the demo has published an event the metrics consumer counts');
  // The order consumer has no handler for these topics: replayed, it just takes the event.
  const [other] = deliveredEvents('order', ['order.placed.v1', 'catalog.product.created.v1', 'account.user.registered.v1', 'account.seller.created.v1'], 1);
  assert.ok(other, 'an event to plant for the order consumer');
  const error = 'e2e: pushgateway unreachable: dial tcp 127.0.0.1:9: connect: connection refused';
  const now = Date.now();
  // An older letter of another consumer, then ours.
  const otherId = plant('order', other, 'e2e: another consumer’s letter', now - 60_000);
  const id = plant('metrics', event, error, now);
  const bearer = await token(demo.admin);
  const { page, errors, context } = await open(browser);
  try {
    const listed = (await deadList(bearer)).items;
    const letter = listed.find((d) => d.id === id);
    assert.ok(letter, 'the API lists the planted letter');
    assert.equal(letter.consumer, 'metrics');
    assert.equal(letter.event_id, event.id);
    assert.equal(letter.attempts, 10);
    assert.equal(letter.last_error, error);
    assert.deepEqual(letter.payload, JSON.parse(event.payload));

    await signIn(page, ...demo.admin);
    await page.goto('/admin/events');
    const rows = page.getByTestId('dead-letter');
    const row = page.locator(`tr[data-letter-id="${id}"]`);
    await row.waitFor();
    assert.deepEqual(
      await rows.evaluateAll((els) => els.map((el) => el.dataset.letterId)),
      listed.map((d) => d.id),
      'the rows are the API’s, oldest first',
    );
    await row.getByText(error, { exact: true }).waitFor();
    await row.getByText(event.topic, { exact: true }).waitFor();
    await row.getByText(event.aggregate, { exact: true }).waitFor();
    assert.equal((await row.locator('td.dead-consumer').textContent()).trim(), 'metrics');
    assert.equal((await row.locator('td.num').textContent()).trim(), '10');
    assert.equal(await row.locator('td.dead-date time').getAttribute('datetime'), letter.dead_at);

    // The consumer filter: only the metrics consumer's letter.
    await page.getByRole('search', { name: 'Filter dead letters' }).getByLabel('Consumer').fill('metrics');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((u) => u.searchParams.get('consumer') === 'metrics');
    await until(async () => (await rows.count()) === 1, 'only the metrics consumer’s letter');
    await row.waitFor();
    assert.equal(await page.locator(`tr[data-letter-id="${otherId}"]`).count(), 0, 'the order consumer’s letter is filtered out');

    // The payload, on demand, pretty-printed.
    const what = describe(letter);
    const pre = row.getByLabel('Payload of ' + what);
    assert.equal(await pre.isVisible(), false, 'the payload is folded away');
    await row.locator('summary').click();
    await pre.waitFor();
    assert.equal(await pre.textContent(), JSON.stringify(JSON.parse(event.payload), null, 2));
    const wide = await page.locator('.table-wrap').evaluate((el) => el.scrollWidth - el.clientWidth);
    assert.ok(wide <= 0, `the table fits a desktop screen with the payload open (${wide}px too wide)`);
    assert.deepEqual(await audit(page), [], 'no serious accessibility violations with a letter and its payload');
    await shot(page, '91-events-letter');

    // A phone: the letter as a card, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await row.getByRole('button', { name: 'Replay ' + what }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page fits a phone (${overflow}px too wide)`);
    assert.deepEqual(await audit(page), [], 'no serious accessibility violations on a phone');
    await shot(page, '92-events-phone');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Replay: the row leaves, a status says so, focus is on the heading.
    const replay = row.getByRole('button', { name: 'Replay ' + what });
    await replay.click();
    await row.waitFor({ state: 'detached' });
    await page.getByRole('status').getByText(`Replayed ${what}; the consumer gets it again now.`).waitFor();
    await page.getByRole('heading', { name: 'No dead letters for consumer metrics' }).waitFor();
    const heading = page.getByRole('heading', { level: 1, name: 'Events' });
    await until(() => heading.evaluate((el) => el === document.activeElement), 'focus on the heading once the list is empty');
    await shot(page, '93-events-replayed');

    // The API no longer lists it, and the metrics consumer applied it (its retry row is gone).
    assert.ok(!(await deadList(bearer)).items.some((d) => d.id === id), 'no longer dead');
    await until(() => retryRow(id) === undefined, 'the metrics consumer applies the replayed event');

    // Another admin replays the order consumer's letter first: Replay here says it is no longer dead.
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL((u) => !u.searchParams.has('consumer'));
    const otherRow = page.locator(`tr[data-letter-id="${otherId}"]`);
    await otherRow.waitFor();
    const res = await fetch(`${base}/api/v1/admin/event/dead/${otherId}/replay`, { method: 'PUT', headers: { Authorization: 'Bearer ' + bearer } });
    assert.equal(res.status, 200, 'the other admin’s replay');
    const otherLetter = await res.json();
    await otherRow.getByRole('button', { name: 'Replay ' + describe(otherLetter) }).click();
    await otherRow.waitFor({ state: 'detached' });
    await page.getByRole('status').getByText(`Already replayed: ${describe(otherLetter)} is no longer dead.`).waitFor();
    const again = await fetch(`${base}/api/v1/admin/event/dead/${otherId}/replay`, { method: 'PUT', headers: { Authorization: 'Bearer ' + bearer } });
    assert.equal(again.status, 404, 'a letter replayed already is not found');
    assert.match(again.headers.get('Content-Type') ?? '', /problem\+json/);
    if ((await deadList(bearer)).items.length === 0) await page.getByRole('heading', { name: 'Nothing is waiting for a replay' }).waitFor();
    await until(() => retryRow(otherId) === undefined, 'the order consumer takes the replayed event (it has no handler for the topic)');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
    sql(`DELETE FROM event_retry WHERE id IN (${quote(id)}, ${quote(otherId)}) AND status = 'dead'`);
  }
});

test('events: "Load more" follows the cursor', async (t) => {
  if (!api.has(route)) return t.skip('dead letters are not on this server');
  const why = cannotPlant();
  if (why) return t.skip(why);
  const events = deliveredEvents('metrics', metricsTopics, 25);
  if (events.length < 21) return t.skip(`only ${events.length} events to plant: one page of letters`);
  const now = Date.now();
  const ids = events.map((e, i) => plant('metrics', e, `e2e: letter ${i + 1}`, now - (events.length - i) * 1000));
  const bearer = await token(demo.admin);
  const { page, errors, context } = await open(browser);
  try {
    await signIn(page, ...demo.admin);
    await page.goto('/admin/events?consumer=metrics');
    const rows = page.getByTestId('dead-letter');
    await rows.first().waitFor();
    const first = await deadList(bearer, { consumer: 'metrics', limit: 20 });
    assert.ok(first.next_cursor, 'more than one page');
    const next = await deadList(bearer, { consumer: 'metrics', limit: 20, cursor: first.next_cursor });
    await until(async () => (await rows.count()) === first.items.length, 'the first page');
    await page.getByText(`Showing ${first.items.length} dead letters`).waitFor();
    await page.getByRole('button', { name: 'Load more' }).click();
    await until(async () => (await rows.count()) === first.items.length + next.items.length, 'the second page shown');
    assert.deepEqual(
      await rows.evaluateAll((els) => els.map((el) => el.dataset.letterId)),
      [...first.items, ...next.items].map((d) => d.id),
    );
    assert.deepEqual(
      ids.filter((x) => [...first.items, ...next.items].some((d) => d.id === x)),
      ids,
      'every planted letter listed',
    );
    assert.equal(await rows.nth(first.items.length).evaluate((el) => el === document.activeElement), true, 'focus on the first letter added');
    if (!next.next_cursor) assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0, 'no more after the last page');

    // Replaying the first letter moves focus to the next one's Replay.
    const d0 = first.items[0];
    const d1 = first.items[1];
    await page
      .locator(`tr[data-letter-id="${d0.id}"]`)
      .getByRole('button', { name: 'Replay ' + describe(d0) })
      .click();
    await page.locator(`tr[data-letter-id="${d0.id}"]`).waitFor({ state: 'detached' });
    const nextReplay = page.locator(`tr[data-letter-id="${d1.id}"]`).getByRole('button', { name: 'Replay ' + describe(d1) });
    await until(() => nextReplay.evaluate((el) => el === document.activeElement), 'focus on the next letter’s Replay');
    await shot(page, '94-events-more');
    assert.deepEqual(errors, [], 'no script errors');
  } finally {
    await context.close();
    // The rest go back to the metrics consumer, which counts them.
    for (const x of ids) await fetch(`${base}/api/v1/admin/event/dead/${x}/replay`, { method: 'PUT', headers: { Authorization: 'Bearer ' + bearer } });
    await until(() => sql(`SELECT count(*) AS n FROM event_retry WHERE id IN (${ids.map(quote).join(',')})`)[0].n === 0, 'every planted letter applied');
  }
});

test('events: the page and its API are for admins only', async (t) => {
  if (!api.has(route)) return t.skip('dead letters are not on this server');
  assert.equal((await fetch(base + '/api/v1/admin/event/dead')).status, 401, 'guests');
  for (const who of [demo.customer, demo.support]) {
    const res = await fetch(base + '/api/v1/admin/event/dead', { headers: { Authorization: 'Bearer ' + (await token(who)) } });
    assert.equal(res.status, 403, who[0]);
  }

  // A customer is told the admin area is not for this account.
  const customer = await open(browser);
  try {
    await signIn(customer.page, ...demo.customer);
    await customer.page.goto('/admin/events');
    await customer.page.getByRole('heading', { name: 'Not for this account' }).waitFor();
    assert.equal(await customer.page.getByRole('heading', { name: 'Events' }).count(), 0);
    assert.deepEqual(customer.errors, [], 'no script errors');
  } finally {
    await customer.context.close();
  }

  // A support agent has the moderation part of the area only.
  const support = await open(browser);
  try {
    await signIn(support.page, ...demo.support);
    await support.page.goto('/admin/events');
    await support.page.getByRole('heading', { name: 'Nothing here' }).waitFor();
    assert.equal(await support.page.getByRole('navigation', { name: 'Moderation' }).getByRole('link', { name: 'Events' }).count(), 0, 'no Events link for support');
    assert.deepEqual(support.errors, [], 'no script errors');
  } finally {
    await support.context.close();
  }
});
