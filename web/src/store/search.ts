// Helpers of the storefront search: URL parameters and facet values.
import type { Category, Suggestion } from '../api/types';

/** attrFilters reads the repeated attr.NAME=VALUE parameters: name -> values, sorted. */
export function attrFilters(params: URLSearchParams): Record<string, string[]> {
  const found = new Map<string, string[]>();
  for (const [k, v] of params) {
    if (!k.startsWith('attr.') || k.length === 5 || !v) continue;
    const values = found.get(k.slice(5)) ?? [];
    if (!values.includes(v)) values.push(v);
    found.set(k.slice(5), values);
  }
  const out: Record<string, string[]> = {};
  for (const k of [...found.keys()].sort()) out[k] = found.get(k)!.sort();
  return out;
}

/**
 * bucketRange turns a price facet value ("1000-2500", minor units, the
 * upper bound exclusive; "10000-" open-ended) into price_min and
 * price_max parameters (price_max is inclusive).
 */
export function bucketRange(value: string): { min: string; max: string } | null {
  const m = /^(\d+)-(\d*)$/.exec(value);
  if (!m) return null;
  const lo = Number(m[1]);
  const hi = m[2] ? Number(m[2]) - 1 : null;
  if (hi !== null && hi < lo) return null;
  return { min: lo > 0 ? String(lo) : '', max: hi === null ? '' : String(hi) };
}

/** attrLabel shows an attribute name ("thread_count") as "Thread count". */
export function attrLabel(name: string): string {
  const s = name.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * suggestionPath is where choosing a suggestion leads: a product's page, a
 * category's page, a brand's products; undefined for a query (search it).
 */
export function suggestionPath(s: Suggestion, categories: Category[] | undefined): string | undefined {
  if (!s.value) return undefined;
  switch (s.kind) {
    case 'product':
      return '/p/' + encodeURIComponent(s.value);
    case 'category': {
      const c = categories?.find((x) => x.id === s.value);
      return c ? '/c/' + encodeURIComponent(c.slug) : undefined;
    }
    case 'brand':
      return '/search?brand=' + encodeURIComponent(s.value);
  }
  return undefined;
}

/** A run of text in a highlighted string; mark is true for a matched word. */
export interface Marked {
  text: string;
  mark: boolean;
}

const entities: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&#39;': "'", '&#34;': '"', '&quot;': '"' };

function unescape(s: string): string {
  return s.replace(/&(?:lt|gt|amp|#39|#34|quot);/g, (e) => entities[e]);
}

/**
 * markedRuns reads a search highlight (matched words in <mark> tags, the
 * rest HTML-escaped) into text runs, so the page renders them as text and
 * never as HTML. Anything else that looks like a tag stays text.
 */
export function markedRuns(html: string): Marked[] {
  const out: Marked[] = [];
  const re = /<mark>(.*?)<\/mark>/g;
  let last = 0;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    if (m.index > last) out.push({ text: unescape(html.slice(last, m.index)), mark: false });
    out.push({ text: unescape(m[1]), mark: true });
    last = m.index + m[0].length;
  }
  if (last < html.length) out.push({ text: unescape(html.slice(last)), mark: false });
  return out;
}
