/**
 * loadScript adds a <script src> to the page once and resolves when it has
 * run, with the global it defines (window.Stripe, window.Razorpay). A
 * second call for the same URL shares the first's promise; a script that
 * failed to load (offline, blocked) is forgotten so the next call tries
 * again. Payment SDKs are loaded this way only when a shopper pays.
 */

/** The little of the DOM the loader needs, so tests can give their own. */
export interface ScriptHost {
  createElement(tag: 'script'): ScriptElement;
  head: { appendChild(el: ScriptElement): unknown };
  querySelector?(selector: string): unknown;
}

export interface ScriptElement {
  src: string;
  async: boolean;
  onload: ((ev: unknown) => unknown) | null;
  onerror: ((ev: unknown) => unknown) | null;
  setAttribute(name: string, value: string): void;
  remove(): void;
}

export interface LoadOptions<T> {
  /** global reads what the script defines; a script that loads but defines nothing fails. */
  global: () => T | undefined;
  host?: ScriptHost;
  /** How long to wait for the script; 20 s by default. */
  timeoutMs?: number;
}

const loading = new Map<string, Promise<unknown>>();

export class ScriptError extends Error {
  constructor(
    message: string,
    readonly src: string,
  ) {
    super(message);
    this.name = 'ScriptError';
  }
}

export function loadScript<T>(src: string, opts: LoadOptions<T>): Promise<T> {
  const ready = opts.global();
  if (ready) return Promise.resolve(ready);
  const pending = loading.get(src);
  if (pending) return pending as Promise<T>;
  const host = opts.host ?? (document as unknown as ScriptHost);
  const p = new Promise<T>((resolve, reject) => {
    const el = host.createElement('script');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fail = (why: string) => {
      if (timer) clearTimeout(timer);
      el.onload = el.onerror = null;
      el.remove();
      loading.delete(src);
      reject(new ScriptError(why, src));
    };
    el.onload = () => {
      if (timer) clearTimeout(timer);
      const g = opts.global();
      if (g) resolve(g);
      else fail(`${src} loaded but did not start`);
    };
    el.onerror = () => fail(`${src} could not be loaded; check your connection and try again`);
    el.async = true;
    el.src = src;
    el.setAttribute('data-loaded-by', 'bazaar');
    timer = setTimeout(() => fail(`${src} took too long to load; check your connection and try again`), opts.timeoutMs ?? 20_000);
    host.head.appendChild(el);
  });
  loading.set(src, p);
  return p;
}

/** forgetScripts clears the loader's memory (tests). */
export function forgetScripts(): void {
  loading.clear();
}
