// Helpers of the admin's dead-letter page: which letters the URL asks for,
// how a letter reads in the list, and the list's pages after a replay.
import type { DeadFilter, DeadLetter, Page } from '../api/types';

/** deadFilter reads the consumer and topic filters from the URL ("" is any). */
export function deadFilter(get: (key: string) => string | null): DeadFilter {
  return { consumer: get('consumer')?.trim() ?? '', topic: get('topic')?.trim() ?? '' };
}

/** filterParams is the URL query of a filter: only the parts that are set, trimmed. */
export function filterParams(f: DeadFilter): Record<string, string> {
  const out: Record<string, string> = {};
  const consumer = f.consumer.trim();
  const topic = f.topic.trim();
  if (consumer) out.consumer = consumer;
  if (topic) out.topic = topic;
  return out;
}

/** Pages is the shape react-query keeps an infinite list in. */
export interface Pages<T> {
  pages: Page<T>[];
  pageParams: unknown[];
}

/**
 * withoutItem is the loaded pages without the item id (a letter replayed,
 * or found replayed already). The pages and their cursors stay as they
 * were: a cursor is the last ID of its page, still valid once that item
 * is gone. Unchanged data is returned as is.
 */
export function withoutItem<T extends { id: string }>(data: Pages<T> | undefined, id: string): Pages<T> | undefined {
  if (!data || !data.pages.some((p) => p.items?.some((x) => x.id === id))) return data;
  return { ...data, pages: data.pages.map((p) => (p.items?.some((x) => x.id === id) ? { ...p, items: p.items.filter((x) => x.id !== id) } : p)) };
}

/**
 * nextFocus is the ID of the letter whose Replay button takes focus once
 * letter id has left the list: the one after it, else the one before it;
 * undefined when it was the only one (focus then goes to the heading).
 */
export function nextFocus(ids: string[], id: string): string | undefined {
  const i = ids.indexOf(id);
  if (i < 0) return undefined;
  return ids[i + 1] ?? ids[i - 1];
}

/**
 * prettyPayload is an event's JSON for people: indented by two spaces.
 * A payload that is a string holding JSON (double-encoded) is shown decoded.
 */
export function prettyPayload(payload: unknown): string {
  if (payload === undefined) return '(no payload)';
  if (typeof payload === 'string') {
    try {
      return JSON.stringify(JSON.parse(payload), null, 2);
    } catch {
      return payload;
    }
  }
  return JSON.stringify(payload, null, 2);
}

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/**
 * ago says how long before now the time t was, in the largest whole unit:
 * "5 minutes ago", "2 hours ago", "3 days ago"; under a minute (or a time
 * in the future, a clock skew) is "just now". An unreadable time is "".
 */
export function ago(t: string, now: number = Date.now(), locale?: string): string {
  const at = new Date(t).getTime();
  if (!t || Number.isNaN(at)) return '';
  const ms = now - at;
  const fmt = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (ms >= size) return fmt.format(-Math.floor(ms / size), unit);
  }
  return 'just now';
}

/** emptyTitle is what the list says when no letter matches the filter. */
export function emptyTitle(f: DeadFilter): string {
  const parts = [f.consumer && `consumer ${f.consumer}`, f.topic && `topic ${f.topic}`].filter(Boolean);
  return parts.length ? `No dead letters for ${parts.join(' and ')}` : 'Nothing is waiting for a replay';
}

/** describe names a letter in messages and accessible names: "order.paid.v1 of ord_1 for consumer order". */
export function describe(d: Pick<DeadLetter, 'topic' | 'aggregate' | 'consumer'>): string {
  return `${d.topic}${d.aggregate ? ' of ' + d.aggregate : ''} for consumer ${d.consumer}`;
}

/** replayedMessage is the status message once a replay was accepted. */
export function replayedMessage(d: Pick<DeadLetter, 'topic' | 'aggregate' | 'consumer'>): string {
  return `Replayed ${describe(d)}; the consumer gets it again now.`;
}

/** goneMessage is the message when the letter was no longer dead (404): someone replayed it first. */
export function goneMessage(d: Pick<DeadLetter, 'topic' | 'aggregate' | 'consumer'>): string {
  return `Already replayed: ${describe(d)} is no longer dead.`;
}

/**
 * suggestions is the sorted, distinct values of one field of the loaded
 * letters together with known ones, for a filter's suggestions.
 */
export function suggestions(values: Iterable<string>, known: readonly string[] = []): string[] {
  const out = new Set<string>();
  for (const v of [...known, ...values]) if (v) out.add(v);
  return [...out].sort();
}
