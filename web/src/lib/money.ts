import type { Money } from '../api/types';

const digitsCache = new Map<string, number>();

/** fractionDigits is how many minor-unit digits a currency has (USD 2, JPY 0). */
export function fractionDigits(currency: string): number {
  let d = digitsCache.get(currency);
  if (d === undefined) {
    try {
      d = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      d = 2;
    }
    digitsCache.set(currency, d);
  }
  return d;
}

/** formatMoney shows minor units as a price: {1999, USD} -> "$19.99". */
export function formatMoney(m: Money | undefined | null, locale?: string): string {
  if (!m) return '';
  const d = fractionDigits(m.currency);
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency }).format(m.amount / 10 ** d);
  } catch {
    return `${(m.amount / 10 ** d).toFixed(d)} ${m.currency}`;
  }
}

/** formatRange shows "$10.00" or "$10.00 – $15.00". */
export function formatRange(min: Money, max?: Money | null): string {
  if (!max || max.amount === min.amount) return formatMoney(min);
  return `${formatMoney(min)} – ${formatMoney(max)}`;
}

/**
 * parseAmount reads a price typed in major units ("19.99", "19", "1,299.5")
 * into minor units without floating point; null when it is not a price.
 */
export function parseAmount(input: string, currency: string): number | null {
  const s = input.trim().replace(/[,\s]/g, '');
  const d = fractionDigits(currency);
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m) return null;
  const frac = m[2] ?? '';
  if (frac.length > d) return null;
  const n = Number(m[1]) * 10 ** d + Number(frac.padEnd(d, '0') || '0');
  return Number.isSafeInteger(n) ? n : null;
}

/** toMajor shows minor units as a plain number for an input field: 1999 -> "19.99". */
export function toMajor(amount: number, currency: string): string {
  const d = fractionDigits(currency);
  if (d === 0) return String(amount);
  const s = String(Math.abs(amount)).padStart(d + 1, '0');
  return (amount < 0 ? '-' : '') + s.slice(0, -d) + '.' + s.slice(-d);
}
