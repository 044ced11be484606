// Payouts for the admin: every seller's, filtered by status and store;
// approve a pending one (a Stripe payout is sent at once, a bank payout
// goes into the bank file), mark a bank payout paid or failed, download
// the bank file.
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, useFeatures } from '../app/api';
import type { Page } from '../api/types';
import { payoutStatuses, type Payout, type PayoutRun, type PayoutStatus } from '../api/ledger';
import { Empty, ErrorBox, Field, Loading, LoadMore, Price, SelectField, fieldError, formatDate, useToast } from '../ui/kit';
import { DownloadButton, PayoutBadge } from '../seller/moneyParts';
import { payoutActions, payoutStatusLabel, runText } from '../seller/payments';
import { useStores } from './stores';
import '../seller/money.css';

export function Payouts() {
  const [params, setParams] = useSearchParams();
  const status = payoutStatuses.includes(params.get('status') as PayoutStatus) ? (params.get('status') as PayoutStatus) : '';
  const seller = params.get('seller') ?? '';
  const stores = useStores();
  const features = useFeatures();
  const canRun = features.has('POST /api/v1/admin/payout/run');
  const qc = useQueryClient();
  const toast = useToast();
  const run = useMutation({
    mutationFn: () => api.post<PayoutRun>('/api/v1/admin/payout/run'),
    onSuccess: (r) => {
      toast(runText(r));
      return qc.invalidateQueries({ queryKey: ['payouts'] });
    },
  });
  const list = useInfiniteQuery({
    queryKey: ['payouts', 'all', status, seller],
    initialPageParam: '',
    getNextPageParam: (p: Page<Payout>) => p.next_cursor || undefined,
    queryFn: ({ pageParam, signal }) => api.get<Page<Payout>>('/api/v1/payout', { query: { status, seller, cursor: pageParam || undefined, limit: 25 }, signal }),
  });
  useEffect(() => {
    document.title = 'Payouts · Bazaar';
  }, []);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const set = (k: string, v: string) => {
    const n = new URLSearchParams(params);
    if (v) n.set(k, v);
    else n.delete(k);
    setParams(n, { replace: true });
  };
  return (
    <section aria-labelledby="payouts-title">
      <div className="title-row">
        <h1 id="payouts-title">Payouts</h1>
        <div className="row">
          {canRun && (
            <button type="button" className="btn primary" disabled={run.isPending} onClick={() => run.mutate()}>
              {run.isPending ? 'Paying out…' : 'Pay out now'}
            </button>
          )}
          <DownloadButton path="/api/v1/payout/export.csv" name={'payouts-' + new Date().toISOString().slice(0, 10) + '.csv'} label="Download bank file" />
        </div>
      </div>
      <ErrorBox error={run.error} />
      <p className="muted small">
        The schedule creates a payout of each seller's available balance (at least the minimum, to sellers with a payout account, once per interval); "Pay out now" runs it at once. Approving one sends a Stripe payout at once; a bank payout goes into the bank file (approved payouts in transit), to be marked paid or failed when the bank
        answers. A failed payout's money returns to the seller's available balance.
      </p>
      <form className="toolbar money-filters" role="search" aria-label="Filter payouts" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Status" value={status} onChange={(e) => set('status', e.target.value)}>
          <option value="">Any</option>
          {payoutStatuses.map((s) => (
            <option key={s} value={s}>
              {payoutStatusLabel[s]}
            </option>
          ))}
        </SelectField>
        <SelectField label="Store" value={seller} onChange={(e) => set('seller', e.target.value)}>
          <option value="">Any</option>
          {seller && !stores.list.some((s) => s.id === seller) && <option value={seller}>{seller}</option>}
          {stores.list.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </SelectField>
        {(status || seller) && (
          <button type="button" className="btn ghost" onClick={() => setParams({}, { replace: true })}>
            Clear filters
          </button>
        )}
      </form>
      {list.isPending ? (
        <Loading label="Loading payouts…" />
      ) : list.isError && !list.data ? (
        <ErrorBox error={list.error} />
      ) : items.length === 0 ? (
        <Empty title={status || seller ? 'No payouts match' : 'No payouts yet'}>
          <p className="muted">Payouts appear here when the schedule pays out sellers' available balances.</p>
        </Empty>
      ) : (
        <div className="table-wrap panel">
          <table className="data">
            <caption className="sr-only">Payouts, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Payout</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">To</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <PayoutRow key={p.id} p={p} store={stores.names[p.seller_id]} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore list={list} />
    </section>
  );
}

type Step = 'approve' | 'paid' | 'failed';

function PayoutRow({ p, store }: { p: Payout; store?: string }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [open, setOpen] = useState<'' | 'paid' | 'failed'>('');
  const [text, setText] = useState('');
  const [reasonError, setReasonError] = useState('');
  const act = useMutation({
    mutationFn: ({ step, body }: { step: Step; body?: object }) => api.put<Payout>(`/api/v1/payout/${p.id}/${step}`, body),
    onSuccess: (x) => {
      setOpen('');
      setText('');
      toast(`Payout ${x.id}: ${payoutStatusLabel[x.status].toLowerCase()}.`);
      return qc.invalidateQueries({ queryKey: ['payouts'] });
    },
  });
  const can = payoutActions(p.status);
  const who = store ?? p.seller_id;
  return (
    <tr data-testid="admin-payout-row" data-payout-id={p.id}>
      <td>
        <strong>{who}</strong>
        <div className="muted small">
          <code>{p.id}</code>
        </div>
        <div className="muted small">Created {formatDate(p.created_at)}</div>
      </td>
      <td className="num">
        <Price value={p.amount} />
      </td>
      <td>
        {p.channel === 'stripe' ? 'Stripe' : 'Bank'} <code>{p.destination}</code>
        {p.transfer_id && (
          <div className="muted small">
            Reference <code>{p.transfer_id}</code>
          </div>
        )}
      </td>
      <td>
        <PayoutBadge status={p.status} />
        {p.failure && <div className="small">{p.failure}</div>}
        {p.paid_at && <div className="muted small">Paid {formatDate(p.paid_at)}</div>}
      </td>
      <td>
        <div className="row payout-actions">
          {can.approve && (
            <button type="button" className="btn primary small" disabled={act.isPending} onClick={() => act.mutate({ step: 'approve' })}>
              Approve<span className="sr-only"> {p.id}</span>
            </button>
          )}
          {can.paid && open !== 'paid' && (
            <button type="button" className="btn secondary small" disabled={act.isPending} onClick={() => setOpen('paid')}>
              Mark paid<span className="sr-only"> {p.id}</span>
            </button>
          )}
          {can.failed && open !== 'failed' && (
            <button type="button" className="btn ghost danger small" disabled={act.isPending} onClick={() => setOpen('failed')}>
              Mark failed<span className="sr-only"> {p.id}</span>
            </button>
          )}
        </div>
        {open && (
          <form
            className="inline-form"
            aria-label={(open === 'paid' ? 'Mark paid ' : 'Mark failed ') + p.id}
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              if (open === 'failed' && !text.trim()) {
                setReasonError('Say why the payout failed: the seller sees it.');
                return;
              }
              setReasonError('');
              act.mutate({ step: open, body: open === 'paid' ? (text.trim() ? { reference: text.trim() } : {}) : { reason: text.trim() } });
            }}
          >
            <Field
              label={open === 'paid' ? 'Bank reference (optional)' : 'Reason'}
              value={text}
              onChange={(e) => setText(e.target.value)}
              error={(open === 'failed' && reasonError) || fieldError(act.error, open === 'paid' ? 'reference' : 'reason')}
              required={open === 'failed'}
              autoFocus
            />
            <button className={'btn small ' + (open === 'paid' ? 'primary' : 'danger')} disabled={act.isPending}>
              {open === 'paid' ? 'Mark paid' : 'Mark failed'}
            </button>
            <button
              type="button"
              className="btn ghost small"
              onClick={() => {
                setOpen('');
                setText('');
                setReasonError('');
                act.reset();
              }}
            >
              Cancel
            </button>
          </form>
        )}
        <ErrorBox error={act.error} fields={['reference', 'reason']} />
      </td>
    </tr>
  );
}
