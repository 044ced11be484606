// Parts the money screens share: a download button for files the bearer
// token guards, a payout's status, a signed amount.
import { useState } from 'react';
import { api } from '../app/api';
import type { Money } from '../api/types';
import type { PayoutStatus } from '../api/ledger';
import { saveBlob } from '../lib/download';
import { formatMoney } from '../lib/money';
import { ErrorBox } from '../ui/kit';
import { payoutStatusLabel } from './payments';
import './money.css';

/**
 * DownloadButton fetches a file with the session's token (a plain link
 * cannot send it) and saves it as name.
 */
export function DownloadButton({ path, query, name, label }: { path: string; query?: Record<string, string>; name: string; label: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <div className="download">
      <button
        type="button"
        className="btn secondary"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            saveBlob(await api.blob(path, { query }), name);
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Preparing…' : label}
      </button>
      <ErrorBox error={error} title="Download failed." />
    </div>
  );
}

const tone: Record<PayoutStatus, string> = { pending: 'warn', in_transit: 'info', paid: 'good', failed: 'bad' };

export function PayoutBadge({ status }: { status: PayoutStatus }) {
  return <span className={'badge badge-' + (tone[status] ?? 'muted')}>{payoutStatusLabel[status] ?? status}</span>;
}

/** Signed shows an amount with its sign, money in green and money out in red. */
export function Signed({ value }: { value: Money }) {
  const cls = value.amount > 0 ? 'amount-in' : value.amount < 0 ? 'amount-out' : '';
  return <span className={'price ' + cls}>{(value.amount > 0 ? '+' : '') + formatMoney(value)}</span>;
}
