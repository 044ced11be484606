// The Bazaar API client: JSON over fetch, problem+json errors, sessions with
// refresh-token rotation, and the guest cart token.
//
// Where the tokens live, and why:
//   - The access token (short-lived JWT) is kept in memory only.
//   - The refresh token is kept in localStorage, so a reload or a new tab
//     stays signed in. The trade-off: any script running on this origin
//     (an XSS hole) could read it. We limit that with a strict
//     Content-Security-Policy on index.html (no inline or third-party
//     scripts), no third-party code at all, rotation on every refresh and
//     the server's reuse detection (a stolen token used after ours ends the
//     whole session). An HttpOnly cookie would hide it from scripts but the
//     API returns refresh tokens in the body today; moving to a cookie is a
//     server change first.
//   - Refresh tokens rotate, and presenting a used one revokes the session,
//     so two tabs must never refresh with the same token. Refreshes are
//     serialised across tabs with the Web Locks API and always read the
//     newest token from storage once they hold the lock.

import type { Cart, Session, User } from './types';

/** A field-level validation message from the API. */
export interface FieldError {
  field: string;
  message: string;
}

/** ApiError is a failed API call, parsed from problem+json when possible. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly fields: FieldError[];
  readonly requestId?: string;
  readonly retryAfter?: number;

  constructor(init: { status: number; code: string; detail: string; fields?: FieldError[]; requestId?: string; retryAfter?: number }) {
    super(init.detail);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.fields = init.fields ?? [];
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
  }

  /** The message for one field, if the API named it. */
  field(name: string): string | undefined {
    return this.fields.find((f) => f.field === name)?.message;
  }

  /** Field errors as a map, first message per field. */
  fieldMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of this.fields) out[f.field] ??= f.message;
    return out;
  }
}

/** isApiError narrows unknown errors (react-query hands them out untyped). */
export function isApiError(e: unknown, code?: string): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}

/** parseProblem turns a failed response into an ApiError, whatever its body. */
export async function parseProblem(res: Response): Promise<ApiError> {
  const retry = Number(res.headers.get('Retry-After'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : undefined;
  let text = '';
  try {
    text = await res.text();
  } catch {
    // a body we cannot read is as good as none
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (body && typeof body === 'object') {
    const p = body as Record<string, unknown>;
    const fields = Array.isArray(p.errors)
      ? (p.errors as unknown[])
          .filter((e): e is FieldError => !!e && typeof (e as FieldError).field === 'string' && typeof (e as FieldError).message === 'string')
          .map((e) => ({ field: e.field, message: e.message }))
      : [];
    return new ApiError({
      status: res.status,
      code: typeof p.code === 'string' && p.code ? p.code : statusCode(res.status),
      detail: typeof p.detail === 'string' && p.detail ? p.detail : statusText(res),
      fields,
      requestId: typeof p.request_id === 'string' ? p.request_id : undefined,
      retryAfter,
    });
  }
  return new ApiError({ status: res.status, code: statusCode(res.status), detail: statusText(res), retryAfter });
}

function statusCode(status: number): string {
  if (status === 404) return 'not_found';
  if (status === 401) return 'unauthenticated';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  return 'http_' + status;
}

function statusText(res: Response): string {
  if (res.status === 429) return 'Too many attempts; wait a moment and try again.';
  if (res.status >= 500) return 'The server had a problem; please try again.';
  return res.statusText || `Request failed (${res.status})`;
}

/** KeyValue is the part of localStorage the client needs. */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A cross-tab mutual exclusion: runs fn while holding the named lock. */
export type Lock = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

export const REFRESH_KEY = 'bazaar.refresh_token';
export const CART_KEY = 'bazaar.cart_token';

export interface ClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  storage?: KeyValue;
  lock?: Lock;
  now?: () => number;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null | string[]>;
  body?: unknown;
  /** Raw body (an image upload); sent with its own Content-Type. */
  raw?: Blob;
  /** Makes a mutating call safe to retry; the same key is reused on the automatic retry after a refresh. */
  idempotencyKey?: string;
  /** Send and keep the guest cart token (cart and checkout calls). */
  cart?: boolean;
  signal?: AbortSignal;
  /** The Accept header; JSON unless a file is asked for. */
  accept?: string;
}

export interface SessionState {
  user: User | null;
  /** True until restore() has settled: the UI should not decide "signed out" before. */
  restoring: boolean;
}

type Listener = (s: SessionState) => void;

function memoryStorage(): KeyValue {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
  };
}

function defaultLock(): Lock {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks?.request) {
    return (name, fn) => locks.request(name, fn) as ReturnType<typeof fn>;
  }
  // One tab only (old browser, tests): an in-process queue.
  let tail: Promise<unknown> = Promise.resolve();
  return (_name, fn) => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** Client talks to the Bazaar API. One instance per app. */
export class Client {
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private readonly storage: KeyValue;
  private readonly lock: Lock;
  private readonly now: () => number;

  private access: string | null = null;
  private accessExpires = 0;
  private state: SessionState = { user: null, restoring: true };
  private refreshing: Promise<boolean> | null = null;
  private listeners = new Set<Listener>();

  constructor(opts: ClientOptions = {}) {
    this.base = opts.baseUrl ?? '';
    const f = opts.fetch ?? globalThis.fetch;
    this.fetch = (...args) => f(...args);
    this.storage = opts.storage ?? (typeof localStorage !== 'undefined' ? localStorage : memoryStorage());
    this.lock = opts.lock ?? defaultLock();
    this.now = opts.now ?? Date.now;
  }

  // ---- session -----------------------------------------------------------

  get session(): SessionState {
    return this.state;
  }

  get user(): User | null {
    return this.state.user;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(next: SessionState) {
    this.state = next;
    for (const fn of this.listeners) fn(next);
  }

  private adopt(s: Session) {
    this.access = s.access_token;
    this.accessExpires = this.now() + s.expires_in * 1000;
    this.storage.setItem(REFRESH_KEY, s.refresh_token);
    this.emit({ user: s.user, restoring: false });
  }

  /** updateUser replaces the signed-in user's details (after a change the server confirmed). */
  updateUser(u: User) {
    if (this.state.user && this.state.user.id === u.id) this.emit({ user: u, restoring: false });
  }

  /** Forget the session locally (the server side is ended by logout()). */
  clearSession() {
    this.access = null;
    this.accessExpires = 0;
    this.storage.removeItem(REFRESH_KEY);
    if (this.state.user || this.state.restoring) this.emit({ user: null, restoring: false });
  }

  /** restore signs back in from a stored refresh token, at start-up. */
  async restore(): Promise<User | null> {
    if (!this.storage.getItem(REFRESH_KEY)) {
      this.emit({ user: null, restoring: false });
      return null;
    }
    try {
      await this.refresh();
    } catch {
      // offline or server down: stay signed out for now, keep the token
      this.emit({ user: null, restoring: false });
    }
    return this.state.user;
  }

  /**
   * refresh exchanges the stored refresh token for a new session. Concurrent
   * callers in this tab share one exchange; other tabs wait on the lock and
   * then use the token this one stored. Resolves false when the session is
   * over (the token was refused); rejects on network failure.
   */
  refresh(): Promise<boolean> {
    if (!this.refreshing) {
      this.refreshing = this.lock('bazaar-refresh', async () => {
        const token = this.storage.getItem(REFRESH_KEY);
        if (!token) {
          this.clearSession();
          return false;
        }
        const res = await this.fetch(this.base + '/api/v1/auth/refresh', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ refresh_token: token }),
        });
        if (res.ok) {
          this.adopt((await res.json()) as Session);
          return true;
        }
        if (res.status === 401 || res.status === 400) {
          // Only forget the token we used: another tab may have stored a
          // newer one meanwhile.
          if (this.storage.getItem(REFRESH_KEY) === token) this.clearSession();
          else {
            this.access = null;
            this.emit({ user: null, restoring: false });
          }
          return false;
        }
        throw await parseProblem(res);
      }).finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  /**
   * accessToken returns a usable access token, refreshing it first when it
   * is missing or about to expire, or null when signed out (or the refresh
   * failed). For what cannot use request(): a WebSocket offers the token
   * itself.
   */
  async accessToken(): Promise<string | null> {
    if (!this.storage.getItem(REFRESH_KEY)) return null;
    if (!this.access || this.now() > this.accessExpires - 30_000) {
      try {
        if (!(await this.refresh())) return null;
      } catch {
        return null;
      }
    }
    return this.access;
  }

  /** Called when another tab changed the stored refresh token. */
  storageChanged(key: string | null) {
    if (key !== null && key !== REFRESH_KEY) return;
    if (!this.storage.getItem(REFRESH_KEY) && this.state.user) {
      // signed out in another tab
      this.access = null;
      this.emit({ user: null, restoring: false });
    } else if (this.storage.getItem(REFRESH_KEY) && !this.state.user && !this.state.restoring) {
      // signed in in another tab
      void this.restore();
    }
  }

  async login(email: string, password: string): Promise<User> {
    const s = await this.request<Session>('POST', '/api/v1/auth/login', { body: { email, password } }, false);
    this.adopt(s);
    await this.mergeGuestCart();
    return s.user;
  }

  /** finishOidc exchanges the hand-off code of a "Sign in with ..." for a session. */
  async finishOidc(code: string): Promise<User> {
    const s = await this.request<Session>('POST', '/api/v1/auth/oidc/exchange', { body: { code } }, false);
    this.adopt(s);
    await this.mergeGuestCart();
    return s.user;
  }

  async register(input: { email: string; password: string; name: string; role: 'customer' | 'seller' }): Promise<User> {
    const s = await this.request<Session>('POST', '/api/v1/auth/register', { body: input }, false);
    this.adopt(s);
    await this.mergeGuestCart();
    return s.user;
  }

  async logout(): Promise<void> {
    const token = this.storage.getItem(REFRESH_KEY);
    this.clearSession();
    if (token) {
      try {
        await this.request('POST', '/api/v1/auth/logout', { body: { refresh_token: token } }, false);
      } catch {
        // the token dies with its expiry anyway
      }
    }
  }

  /**
   * mergeGuestCart sends the guest cart token once with the new bearer
   * token, so the server merges the guest's cart into the account's.
   */
  private async mergeGuestCart() {
    if (!this.storage.getItem(CART_KEY)) return;
    try {
      await this.request<Cart>('GET', '/api/v1/cart', { cart: true });
    } catch {
      // the cart page will try again with the token still stored
    }
  }

  get cartToken(): string | null {
    return this.storage.getItem(CART_KEY);
  }

  // ---- requests ----------------------------------------------------------

  /** Build a URL with query parameters; empty values are left out. */
  url(path: string, query?: RequestOptions['query']): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === null || v === '') continue;
      if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
      else q.set(k, String(v));
    }
    const s = q.toString();
    return this.base + path + (s ? '?' + s : '');
  }

  get<T>(path: string, opts?: RequestOptions) {
    return this.request<T>('GET', path, opts);
  }
  post<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('POST', path, { ...opts, body });
  }
  put<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>('PUT', path, { ...opts, body });
  }
  del<T = void>(path: string, opts?: RequestOptions) {
    return this.request<T>('DELETE', path, opts);
  }

  /**
   * request sends one API call. With a session it sends the bearer token,
   * refreshing first when it is about to expire, and once more after a 401
   * token_expired. Errors are ApiError.
   */
  async request<T>(method: string, path: string, opts: RequestOptions = {}, authed = true): Promise<T> {
    const res = await this.exchange(method, path, opts, authed);
    if (res.status === 204) return undefined as T;
    const ct = res.headers.get('Content-Type') ?? '';
    if (!ct.includes('json')) return undefined as T;
    return (await res.json()) as T;
  }

  /**
   * blob GETs a file the bearer token guards (a support attachment, a CSV
   * export): an <img src> or a link cannot send the token, so the page
   * fetches the bytes and shows or saves them through an object URL.
   */
  async blob(path: string, opts: Pick<RequestOptions, 'signal' | 'query'> = {}): Promise<Blob> {
    const res = await this.exchange('GET', path, { signal: opts.signal, query: opts.query, accept: '*/*' }, true);
    return res.blob();
  }

  /** exchange sends a call with the session's token (see request) and returns the successful response. */
  private async exchange(method: string, path: string, opts: RequestOptions, authed: boolean): Promise<Response> {
    if (authed && this.storage.getItem(REFRESH_KEY) && (!this.access || this.now() > this.accessExpires - 30_000)) {
      try {
        await this.refresh();
      } catch {
        // network trouble: try the call anyway, it will say what is wrong
      }
    }
    let res = await this.send(method, path, opts, authed);
    if (res.status === 401 && authed && this.access) {
      const err = await parseProblem(res);
      if (err.code === 'token_expired' && (await this.refresh().catch(() => false))) {
        res = await this.send(method, path, opts, authed);
      } else {
        if (err.code === 'token_expired' || err.code === 'invalid_token' || err.code === 'session_revoked' || err.code === 'account_suspended') {
          this.clearSession();
        }
        throw err;
      }
    }
    if (opts.cart) this.keepCartToken(res);
    if (!res.ok) throw await parseProblem(res);
    return res;
  }

  private send(method: string, path: string, opts: RequestOptions, authed: boolean): Promise<Response> {
    const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
    let body: BodyInit | undefined;
    if (opts.raw) {
      body = opts.raw;
      headers['Content-Type'] = opts.raw.type || 'application/octet-stream';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] = 'application/json';
    }
    if (authed && this.access) headers.Authorization = 'Bearer ' + this.access;
    if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
    if (opts.cart) {
      const t = this.storage.getItem(CART_KEY);
      if (t) headers['X-Cart-Token'] = t;
    }
    return this.fetch(this.url(path, opts.query), { method, headers, body, signal: opts.signal, credentials: 'same-origin' });
  }

  /**
   * keepCartToken stores the guest cart token the server hands out, and
   * forgets it once a signed-in call succeeded with it (the guest cart has
   * then been merged into the account's).
   */
  private keepCartToken(res: Response) {
    const t = res.headers.get('X-Cart-Token');
    if (t) {
      this.storage.setItem(CART_KEY, t);
    } else if (res.ok && this.access) {
      this.storage.removeItem(CART_KEY);
    }
  }
}

/** newIdempotencyKey returns a random key for one user action. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  return Array.from({ length: 4 }, () => Math.random().toString(36).slice(2)).join('');
}
