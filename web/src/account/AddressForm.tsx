import type { AddressInput } from '../api/types';
import { Field, fieldError } from '../ui/kit';

export const emptyAddress: AddressInput = { name: '', line1: '', line2: '', city: '', region: '', postal_code: '', country: 'US', phone: '', is_default: false };

/** AddressFields edits an address; error is the API's answer, whose field errors show next to the fields. */
export function AddressFields({ value, onChange, error, prefix = '' }: { value: AddressInput; onChange: (a: AddressInput) => void; error?: unknown; prefix?: string }) {
  const set = (k: keyof AddressInput) => (e: React.ChangeEvent<HTMLInputElement>) => onChange({ ...value, [k]: k === 'country' ? e.target.value.toUpperCase() : e.target.value });
  const err = (k: string) => fieldError(error, prefix + k) ?? fieldError(error, k);
  return (
    <div className="address-fields">
      <Field label="Full name" autoComplete="name" required value={value.name} onChange={set('name')} error={err('name')} className="span-2" />
      <Field label="Address line 1" autoComplete="address-line1" required value={value.line1} onChange={set('line1')} error={err('line1')} className="span-2" />
      <Field label="Address line 2 (optional)" autoComplete="address-line2" value={value.line2} onChange={set('line2')} error={err('line2')} className="span-2" />
      <Field label="City" autoComplete="address-level2" required value={value.city} onChange={set('city')} error={err('city')} />
      <Field label="State / region" autoComplete="address-level1" value={value.region} onChange={set('region')} error={err('region')} />
      <Field label="Postal code" autoComplete="postal-code" value={value.postal_code} onChange={set('postal_code')} error={err('postal_code')} />
      <Field label="Country code" autoComplete="country" required maxLength={2} value={value.country} onChange={set('country')} error={err('country')} hint="Two letters, such as US or IN." />
      <Field label="Phone" type="tel" autoComplete="tel" value={value.phone} onChange={set('phone')} error={err('phone')} className="span-2" />
    </div>
  );
}

export function formatAddress(a: { name: string; line1: string; line2?: string; city: string; region?: string; postal_code?: string; country: string }) {
  return [a.name, a.line1, a.line2, [a.city, a.region, a.postal_code].filter(Boolean).join(', '), a.country].filter(Boolean).join(' · ');
}
