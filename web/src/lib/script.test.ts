import { afterEach, describe, expect, it, vi } from 'vitest';
import { forgetScripts, loadScript, type ScriptElement, type ScriptHost } from './script';

/** fakeHost records the scripts added; the test fires their load or error. */
function fakeHost() {
  const added: ScriptElement[] = [];
  const host: ScriptHost = {
    createElement: () => {
      const el: ScriptElement & { removed?: boolean } = {
        src: '',
        async: false,
        onload: null,
        onerror: null,
        setAttribute: () => {},
        remove: () => {
          el.removed = true;
        },
      };
      return el;
    },
    head: { appendChild: (el: ScriptElement) => added.push(el) },
  };
  return { host, added };
}

afterEach(() => {
  forgetScripts();
  vi.useRealTimers();
});

describe('loadScript', () => {
  it('adds the script once and resolves every caller with its global', async () => {
    const { host, added } = fakeHost();
    let g: { name: string } | undefined;
    const a = loadScript('https://sdk.example/v1.js', { global: () => g, host });
    const b = loadScript('https://sdk.example/v1.js', { global: () => g, host });
    expect(added).toHaveLength(1);
    expect(added[0].src).toBe('https://sdk.example/v1.js');
    expect(added[0].async).toBe(true);
    g = { name: 'sdk' };
    added[0].onload!({});
    await expect(a).resolves.toBe(g);
    await expect(b).resolves.toBe(g);
  });

  it('does not load a script whose global is there already', async () => {
    const { host, added } = fakeHost();
    const g = { ready: true };
    await expect(loadScript('/x.js', { global: () => g, host })).resolves.toBe(g);
    expect(added).toHaveLength(0);
  });

  it('fails when the script cannot be loaded, and tries again on the next call', async () => {
    const { host, added } = fakeHost();
    let g: object | undefined;
    const first = loadScript('/sdk.js', { global: () => g, host });
    added[0].onerror!({});
    await expect(first).rejects.toThrow(/could not be loaded/);
    expect((added[0] as ScriptElement & { removed?: boolean }).removed).toBe(true);
    const second = loadScript('/sdk.js', { global: () => g, host });
    expect(added).toHaveLength(2);
    g = {};
    added[1].onload!({});
    await expect(second).resolves.toBe(g);
  });

  it('fails when the script loads but defines nothing', async () => {
    const { host, added } = fakeHost();
    const p = loadScript('/empty.js', { global: () => undefined, host });
    added[0].onload!({});
    await expect(p).rejects.toThrow(/did not start/);
  });

  it('gives up after the timeout', async () => {
    vi.useFakeTimers();
    const { host } = fakeHost();
    const p = loadScript('/slow.js', { global: () => undefined, host, timeoutMs: 1000 });
    const caught = p.catch((e: Error) => e);
    vi.advanceTimersByTime(1001);
    expect(String(await caught)).toMatch(/took too long/);
  });
});
