import { describe, expect, it } from 'vitest';
import { ApiError, CART_KEY, Client, REFRESH_KEY, parseProblem, type KeyValue } from './client';

// ---- a fake API ------------------------------------------------------------

interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

type Handler = (c: Call) => Response | Promise<Response>;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

function problem(status: number, code: string, detail: string, errors?: { field: string; message: string }[]): Response {
  return new Response(JSON.stringify({ type: 'urn:bazaar:problem:' + code, title: 'x', status, code, detail, errors, request_id: 'req1' }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  });
}

function session(n: number, expiresIn = 900) {
  return {
    access_token: 'access-' + n,
    refresh_token: 'refresh-' + n,
    expires_in: expiresIn,
    token_type: 'Bearer',
    user: { id: 'usr_1', email: 'a@b.c', name: 'Ann', role: 'customer', status: 'active', email_verified: true, created_at: '', updated_at: '' },
  };
}

function fakeApi(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://bazaar.test');
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const call = { method: init?.method ?? 'GET', path: url.pathname + url.search, headers, body };
    calls.push(call);
    const h = routes[call.method + ' ' + url.pathname];
    if (!h) return problem(404, 'route_not_found', 'no such endpoint');
    return h(call);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

function memory(init: Record<string, string> = {}): KeyValue & { data: Map<string, string> } {
  const data = new Map(Object.entries(init));
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

// ---- problem parsing -------------------------------------------------------

describe('parseProblem', () => {
  it('reads code, detail, field errors and request ID', async () => {
    const err = await parseProblem(
      problem(400, 'validation_failed', 'the request has invalid fields', [
        { field: 'email', message: 'is not an e-mail address' },
        { field: 'password', message: 'must be at least 8 characters' },
      ]),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.code).toBe('validation_failed');
    expect(err.detail).toBe('the request has invalid fields');
    expect(err.field('email')).toBe('is not an e-mail address');
    expect(err.fieldMap()).toEqual({ email: 'is not an e-mail address', password: 'must be at least 8 characters' });
    expect(err.requestId).toBe('req1');
  });

  it.each([
    ['plain text 404', new Response('404 page not found', { status: 404 }), 'not_found'],
    ['HTML 502 from a proxy', new Response('<html>bad gateway</html>', { status: 502 }), 'server_error'],
    ['empty 500', new Response(null, { status: 500 }), 'server_error'],
    ['JSON without a code', json(409, { message: 'x' }), 'http_409'],
  ])('copes with %s', async (_name, res, code) => {
    const err = await parseProblem(res);
    expect(err.code).toBe(code);
    expect(err.status).toBe(res.status);
    expect(err.detail).not.toBe('');
    expect(err.fields).toEqual([]);
  });

  it('keeps Retry-After', async () => {
    const res = new Response(JSON.stringify({ code: 'too_many_attempts', detail: 'slow down', status: 429 }), {
      status: 429,
      headers: { 'Retry-After': '30' },
    });
    expect((await parseProblem(res)).retryAfter).toBe(30);
  });

  it('drops malformed field errors', async () => {
    const err = await parseProblem(json(400, { code: 'validation_failed', detail: 'bad', errors: [{ field: 'a' }, null, { field: 'b', message: 'm' }] }));
    expect(err.fields).toEqual([{ field: 'b', message: 'm' }]);
  });
});

// ---- requests and errors ---------------------------------------------------

describe('Client.request', () => {
  it('throws ApiError with the field errors of a problem', async () => {
    const api = fakeApi({
      'POST /api/v1/auth/register': () => problem(400, 'validation_failed', 'invalid', [{ field: 'email', message: 'is taken' }]),
    });
    const c = new Client({ fetch: api.fetch, storage: memory() });
    const err = await c.register({ email: 'x', password: 'y', name: 'z', role: 'customer' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.field('email')).toBe('is taken');
    expect(c.user).toBeNull();
  });

  it('builds query strings without empty values and with repeats', () => {
    const c = new Client({ fetch: fakeApi({}).fetch, storage: memory() });
    expect(c.url('/api/v1/product', { q: 'tee', brand: ['A', 'B'], cursor: undefined, price_min: '', limit: 20 })).toBe(
      '/api/v1/product?q=tee&brand=A&brand=B&limit=20',
    );
  });

  it('returns undefined for 204', async () => {
    const api = fakeApi({ 'DELETE /api/v1/wishlist/prd_1': () => new Response(null, { status: 204 }) });
    const c = new Client({ fetch: api.fetch, storage: memory() });
    expect(await c.del('/api/v1/wishlist/prd_1')).toBeUndefined();
  });
});

// ---- sessions and refresh --------------------------------------------------

describe('sessions', () => {
  it('signs in, keeps the access token in memory and the refresh token in storage', async () => {
    const api = fakeApi({
      'POST /api/v1/auth/login': () => json(200, session(1)),
      'GET /api/v1/me': (c) => json(200, { auth: c.headers['authorization'] }),
    });
    const store = memory();
    const c = new Client({ fetch: api.fetch, storage: store });
    const user = await c.login('a@b.c', 'pw');
    expect(user.name).toBe('Ann');
    expect(store.data.get(REFRESH_KEY)).toBe('refresh-1');
    expect([...store.data.values()]).not.toContain('access-1');
    expect(await c.get('/api/v1/me')).toEqual({ auth: 'Bearer access-1' });
  });

  it('refreshes once on 401 token_expired and retries with the same idempotency key', async () => {
    let n = 1;
    const api = fakeApi({
      'POST /api/v1/auth/login': () => json(200, session(1)),
      'POST /api/v1/auth/refresh': (c) => {
        expect(c.body).toEqual({ refresh_token: 'refresh-' + n });
        n++;
        return json(200, session(n));
      },
      'POST /api/v1/order': (c) =>
        c.headers['authorization'] === 'Bearer access-1'
          ? problem(401, 'token_expired', 'the access token has expired; refresh it')
          : json(201, { id: 'ord_1', auth: c.headers['authorization'] }),
    });
    const store = memory();
    const c = new Client({ fetch: api.fetch, storage: store });
    await c.login('a@b.c', 'pw');
    const order = await c.post<{ id: string; auth: string }>('/api/v1/order', {}, { idempotencyKey: 'k1' });
    expect(order).toEqual({ id: 'ord_1', auth: 'Bearer access-2' });
    expect(store.data.get(REFRESH_KEY)).toBe('refresh-2');
    const orders = api.calls.filter((x) => x.path === '/api/v1/order');
    expect(orders.map((x) => x.headers['idempotency-key'])).toEqual(['k1', 'k1']);
    expect(api.calls.filter((x) => x.path === '/api/v1/auth/refresh')).toHaveLength(1);
  });

  it('fetches a guarded file as a Blob with the bearer token, refreshing on 401 token_expired', async () => {
    let n = 1;
    const api = fakeApi({
      'POST /api/v1/auth/login': () => json(200, session(1)),
      'POST /api/v1/auth/refresh': () => json(200, session(++n)),
      'GET /api/v1/attachment/att_1': (c) =>
        c.headers['authorization'] === 'Bearer access-1'
          ? problem(401, 'token_expired', 'expired')
          : new Response(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), { status: 200, headers: { 'Content-Type': 'image/png' } }),
      'GET /api/v1/attachment/att_2': () => problem(404, 'not_found', 'no such attachment'),
    });
    const c = new Client({ fetch: api.fetch, storage: memory() });
    await c.login('a@b.c', 'pw');
    const b = await c.blob('/api/v1/attachment/att_1');
    expect(b.type).toBe('image/png');
    expect(b.size).toBe(4);
    const calls = api.calls.filter((x) => x.path === '/api/v1/attachment/att_1');
    expect(calls.map((x) => x.headers['authorization'])).toEqual(['Bearer access-1', 'Bearer access-2']);
    expect(calls[1].headers['accept']).toBe('*/*');
    await expect(c.blob('/api/v1/attachment/att_2')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });

  it('fetches a CSV export with its query and the bearer token', async () => {
    const api = fakeApi({
      'POST /api/v1/auth/login': () => json(200, session(1)),
      'GET /api/v1/seller/statement.csv': () => new Response('date,kind\n', { status: 200, headers: { 'Content-Type': 'text/csv; charset=utf-8' } }),
    });
    const c = new Client({ fetch: api.fetch, storage: memory() });
    await c.login('a@b.c', 'pw');
    const b = await c.blob('/api/v1/seller/statement.csv', { query: { account: 'pending', currency: '', to: '2026-03-01' } });
    expect(await b.text()).toBe('date,kind\n');
    const call = api.calls.find((x) => x.path.startsWith('/api/v1/seller/statement.csv'))!;
    expect(call.path).toBe('/api/v1/seller/statement.csv?account=pending&to=2026-03-01');
    expect(call.headers['authorization']).toBe('Bearer access-1');
  });

  it('does not loop when the refreshed token is refused too', async () => {
    const api = fakeApi({
      'POST /api/v1/auth/login': () => json(200, session(1)),
      'POST /api/v1/auth/refresh': () => json(200, session(2)),
      'GET /api/v1/me': () => problem(401, 'token_expired', 'expired'),
    });
    const c = new Client({ fetch: api.fetch, storage: memory() });
    await c.login('a@b.c', 'pw');
    const err = (await c.get('/api/v1/me').catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('token_expired');
    expect(api.calls.filter((x) => x.path === '/api/v1/me')).toHaveLength(2);
    expect(api.calls.filter((x) => x.path === '/api/v1/auth/refresh')).toHaveLength(1);
  });

  it('signs out when the refresh token is refused', async () => {
    const api = fakeApi({
      'POST /api/v1/auth/login': () => json(200, session(1)),
      'POST /api/v1/auth/refresh': () => problem(401, 'refresh_token_reused', 'reused'),
      'GET /api/v1/me': () => problem(401, 'token_expired', 'expired'),
    });
    const store = memory();
    const c = new Client({ fetch: api.fetch, storage: store });
    const seen: (string | null)[] = [];
    c.subscribe((s) => seen.push(s.user?.id ?? null));
    await c.login('a@b.c', 'pw');
    await expect(c.get('/api/v1/me')).rejects.toMatchObject({ code: 'token_expired' });
    expect(c.user).toBeNull();
    expect(store.data.has(REFRESH_KEY)).toBe(false);
    expect(seen).toEqual(['usr_1', null]);
  });

  it('shares one refresh between concurrent calls', async () => {
    let refreshes = 0;
    const api = fakeApi({
      'POST /api/v1/auth/refresh': async () => {
        refreshes++;
        await new Promise((r) => setTimeout(r, 5));
        return json(200, session(10 + refreshes));
      },
      'GET /api/v1/me': (c) => json(200, { auth: c.headers['authorization'] }),
    });
    const c = new Client({ fetch: api.fetch, storage: memory({ [REFRESH_KEY]: 'refresh-0' }) });
    const got = await Promise.all([c.get('/api/v1/me'), c.get('/api/v1/me'), c.get('/api/v1/me')]);
    expect(refreshes).toBe(1);
    expect(got).toEqual(Array(3).fill({ auth: 'Bearer access-11' }));
  });

  it('refreshes ahead of expiry rather than sending a dying token', async () => {
    let now = 1_000_000;
    const api = fakeApi({
      'POST /api/v1/auth/login': () => json(200, session(1, 60)),
      'POST /api/v1/auth/refresh': () => json(200, session(2, 60)),
      'GET /api/v1/me': (c) => json(200, { auth: c.headers['authorization'] }),
    });
    const c = new Client({ fetch: api.fetch, storage: memory(), now: () => now });
    await c.login('a@b.c', 'pw');
    expect(await c.get('/api/v1/me')).toEqual({ auth: 'Bearer access-1' });
    now += 45_000; // 15 s left: under the 30 s margin
    expect(await c.get('/api/v1/me')).toEqual({ auth: 'Bearer access-2' });
  });

  it('hands out a live access token for a WebSocket, refreshing a dying one, none when signed out', async () => {
    let now = 1_000_000;
    let refuse = false;
    const api = fakeApi({
      'POST /api/v1/auth/login': () => json(200, session(1, 60)),
      'POST /api/v1/auth/refresh': () => (refuse ? problem(401, 'invalid_refresh_token', 'no') : json(200, session(2, 60))),
    });
    const c = new Client({ fetch: api.fetch, storage: memory(), now: () => now });
    expect(await c.accessToken()).toBeNull();
    await c.login('a@b.c', 'pw');
    expect(await c.accessToken()).toBe('access-1');
    expect(api.calls.filter((x) => x.path === '/api/v1/auth/refresh')).toHaveLength(0);
    now += 45_000; // 15 s left: a socket opened now would be closed (4001) at once
    expect(await c.accessToken()).toBe('access-2');
    now += 45_000;
    refuse = true; // the session ended elsewhere
    expect(await c.accessToken()).toBeNull();
  });

  it('uses the token another tab stored while it waited for the lock', async () => {
    const store = memory({ [REFRESH_KEY]: 'refresh-A' });
    const api = fakeApi({
      'POST /api/v1/auth/refresh': (c) => {
        expect(c.body).toEqual({ refresh_token: 'refresh-B' });
        return json(200, session(3));
      },
    });
    // The lock is held by "another tab" that rotates A -> B before releasing.
    const lock = async <T,>(_n: string, fn: () => Promise<T>) => {
      store.setItem(REFRESH_KEY, 'refresh-B');
      return fn();
    };
    const c = new Client({ fetch: api.fetch, storage: store, lock });
    expect(await c.restore()).not.toBeNull();
    expect(store.data.get(REFRESH_KEY)).toBe('refresh-3');
  });

  it('restore without a stored token settles signed out without a call', async () => {
    const api = fakeApi({});
    const c = new Client({ fetch: api.fetch, storage: memory() });
    expect(c.session.restoring).toBe(true);
    expect(await c.restore()).toBeNull();
    expect(c.session).toEqual({ user: null, restoring: false });
    expect(api.calls).toHaveLength(0);
  });

  it('logout forgets the session and tells the server', async () => {
    const api = fakeApi({
      'POST /api/v1/auth/login': () => json(200, session(1)),
      'POST /api/v1/auth/logout': () => new Response(null, { status: 204 }),
    });
    const store = memory();
    const c = new Client({ fetch: api.fetch, storage: store });
    await c.login('a@b.c', 'pw');
    await c.logout();
    expect(c.user).toBeNull();
    expect(store.data.has(REFRESH_KEY)).toBe(false);
    expect(api.calls.at(-1)?.body).toEqual({ refresh_token: 'refresh-1' });
  });
});

// ---- the guest cart token --------------------------------------------------

describe('cart token', () => {
  const cart = { id: 'crt_1', currency: 'USD', groups: [], item_count: 1, subtotal: { amount: 0, currency: 'USD' } };

  it('keeps the token a guest is given and sends it back', async () => {
    const api = fakeApi({
      'POST /api/v1/cart/item': (c) => json(200, cart, c.headers['x-cart-token'] ? {} : { 'X-Cart-Token': 'guest-1' }),
      'GET /api/v1/cart': (c) => json(200, { ...cart, sent: c.headers['x-cart-token'] }, { 'X-Cart-Token': c.headers['x-cart-token'] ?? 'new' }),
    });
    const store = memory();
    const c = new Client({ fetch: api.fetch, storage: store });
    await c.post('/api/v1/cart/item', { sku: 'A', quantity: 1 }, { cart: true });
    expect(store.data.get(CART_KEY)).toBe('guest-1');
    expect(await c.get('/api/v1/cart', { cart: true })).toMatchObject({ sent: 'guest-1' });
  });

  it('does not send the cart token on other calls', async () => {
    const api = fakeApi({ 'GET /api/v1/product': (c) => json(200, { sent: c.headers['x-cart-token'] ?? null }) });
    const c = new Client({ fetch: api.fetch, storage: memory({ [CART_KEY]: 'guest-1' }) });
    expect(await c.get('/api/v1/product')).toEqual({ sent: null });
  });

  it('sends bearer and cart token together once at sign-in, then forgets the token', async () => {
    const api = fakeApi({
      'POST /api/v1/auth/login': () => json(200, session(1)),
      // A signed-in caller gets no X-Cart-Token back: the guest cart was merged.
      'GET /api/v1/cart': () => json(200, cart),
    });
    const store = memory({ [CART_KEY]: 'guest-1' });
    const c = new Client({ fetch: api.fetch, storage: store });
    await c.login('a@b.c', 'pw');
    const merge = api.calls.find((x) => x.path === '/api/v1/cart');
    expect(merge?.headers['authorization']).toBe('Bearer access-1');
    expect(merge?.headers['x-cart-token']).toBe('guest-1');
    expect(store.data.has(CART_KEY)).toBe(false);
    await c.get('/api/v1/cart', { cart: true });
    expect(api.calls.at(-1)?.headers['x-cart-token']).toBeUndefined();
  });

  it('keeps the guest token when the merge failed', async () => {
    const api = fakeApi({
      'POST /api/v1/auth/login': () => json(200, session(1)),
      'GET /api/v1/cart': () => problem(503, 'unavailable', 'try later'),
    });
    const store = memory({ [CART_KEY]: 'guest-1' });
    const c = new Client({ fetch: api.fetch, storage: store });
    await c.login('a@b.c', 'pw');
    expect(store.data.get(CART_KEY)).toBe('guest-1');
  });

  it('skips the merge call when there is no guest cart', async () => {
    const api = fakeApi({ 'POST /api/v1/auth/login': () => json(200, session(1)) });
    const c = new Client({ fetch: api.fetch, storage: memory() });
    await c.login('a@b.c', 'pw');
    expect(api.calls.map((x) => x.path)).toEqual(['/api/v1/auth/login']);
  });
});
