// The seller's money: balances per currency, where payouts go, the payouts
// made, and the statement of each account with its running balance.
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, useFeatures } from '../app/api';
import type { Page } from '../api/types';
import type { CurrencyBalance, Line, Payout, PayoutSettings, SellerBalance } from '../api/ledger';
import { Empty, ErrorBox, Field, Loading, LoadMore, Price, SelectField, fieldError, formatDate, useToast } from '../ui/kit';
import { formatMoney } from '../lib/money';
import { DownloadButton, PayoutBadge, Signed } from './moneyParts';
import { accountLabel, csvName, filterParams, filterProblem, lineText, settingsBody, statementAccounts, statementFilter, statementQuery, type SettingsDraft, type StatementFilter } from './payments';

export function Payments() {
  const balance = useQuery({ queryKey: ['seller-balance'], queryFn: ({ signal }) => api.get<SellerBalance>('/api/v1/seller/balance', { signal }) });
  useEffect(() => {
    document.title = 'Payments · Bazaar';
  }, []);
  const currencies = balance.data?.balances.map((b) => b.currency) ?? [];
  return (
    <section aria-labelledby="payments-title" className="payments">
      <div className="title-row">
        <h1 id="payments-title">Payments</h1>
      </div>
      {balance.isPending ? (
        <Loading label="Loading your balance…" />
      ) : balance.isError ? (
        <ErrorBox error={balance.error} />
      ) : (
        <Balances balance={balance.data} />
      )}
      <PayoutSettingsPanel />
      <CashOnDeliveryPanel />
      <SellerPayouts />
      <Statement currencies={currencies} />
    </section>
  );
}

function Balances({ balance }: { balance: SellerBalance }) {
  if (balance.balances.length === 0) {
    return (
      <div className="panel">
        <h2>Balance</h2>
        <p className="muted">Nothing yet. When a customer pays for an order, what you earn from it appears here.</p>
      </div>
    );
  }
  return (
    <div className="balance-cards">
      {balance.balances.map((b) => (
        <BalanceCard key={b.currency} b={b} hasAccount={balance.payout_account} />
      ))}
    </div>
  );
}

function BalanceCard({ b, hasAccount }: { b: CurrencyBalance; hasAccount: boolean }) {
  const np = b.next_payout;
  return (
    <article className="panel balance-card" aria-labelledby={'bal-' + b.currency} data-testid="balance-card">
      <h2 id={'bal-' + b.currency}>Balance in {b.currency}</h2>
      <dl className="balance-facts">
        <div>
          <dt>Pending</dt>
          <dd className="balance-amount" data-testid="balance-pending">
            <Price value={b.pending} />
          </dd>
          <dd className="hint">From orders still in their return window: released when the return window closes.</dd>
        </div>
        <div>
          <dt>Available</dt>
          <dd className="balance-amount" data-testid="balance-available">
            <Price value={b.available} className={b.available.amount < 0 ? 'amount-out' : ''} />
          </dd>
          <dd className="hint">{b.available.amount < 0 ? 'You owe refunds: they are taken from your next sales.' : 'Paid out on the next payout.'}</dd>
        </div>
        <div>
          <dt>In transit</dt>
          <dd className="balance-amount" data-testid="balance-in-transit">
            <Price value={b.in_transit} />
          </dd>
          <dd className="hint">Payouts on their way to you.</dd>
        </div>
        <div>
          <dt>Next payout</dt>
          {np ? (
            <>
              <dd className="balance-amount">
                <Price value={np.amount} />
              </dd>
              <dd className="hint">
                on <time dateTime={np.date}>{formatDate(np.date, false)}</time>
              </dd>
            </>
          ) : (
            <>
              <dd className="balance-amount">—</dd>
              <dd className="hint">{hasAccount ? 'None due: payouts start once the available balance reaches the minimum.' : 'None: add a payout account below to be paid.'}</dd>
            </>
          )}
        </div>
      </dl>
    </article>
  );
}

// ---- payout settings -----------------------------------------------------------

function PayoutSettingsPanel() {
  const settings = useQuery({ queryKey: ['payout-settings'], queryFn: ({ signal }) => api.get<PayoutSettings>('/api/v1/seller/payout-settings', { signal }) });
  const [editing, setEditing] = useState(false);
  if (settings.isPending) return <Loading label="Loading your payout account…" />;
  if (settings.isError) return <ErrorBox error={settings.error} />;
  const s = settings.data;
  const set = !!s.channel;
  return (
    <section className="panel" aria-labelledby="payout-account-title">
      <div className="title-row">
        <h2 id="payout-account-title">Payout account</h2>
        {set && !editing && (
          <button type="button" className="btn secondary small" onClick={() => setEditing(true)}>
            Change
          </button>
        )}
      </div>
      {set && !editing && <CurrentSettings s={s} />}
      {!set && !editing && (
        <>
          <p className="notice" role="status">
            No payout account yet: nothing is paid out until you add one.
          </p>
          <button type="button" className="btn primary" onClick={() => setEditing(true)}>
            Add a payout account
          </button>
        </>
      )}
      {editing && <SettingsForm current={s} onDone={() => setEditing(false)} />}
    </section>
  );
}

function CurrentSettings({ s }: { s: PayoutSettings }) {
  return (
    <dl className="desk-facts" data-testid="payout-settings">
      {s.channel === 'stripe' ? (
        <>
          <dt>Paid by</dt>
          <dd>Stripe transfer</dd>
          <dt>Connected account</dt>
          <dd>
            <code>{s.stripe_account}</code>
          </dd>
        </>
      ) : (
        <>
          <dt>Paid by</dt>
          <dd>Bank transfer</dd>
          <dt>Account holder</dt>
          <dd>{s.holder}</dd>
          <dt>Account</dt>
          <dd>
            <code>{s.account}</code>
          </dd>
          {s.routing && (
            <>
              <dt>Bank code</dt>
              <dd>
                <code>{s.routing}</code>
              </dd>
            </>
          )}
        </>
      )}
      {s.updated_at && (
        <>
          <dt>Changed</dt>
          <dd>{formatDate(s.updated_at)}</dd>
        </>
      )}
    </dl>
  );
}

function SettingsForm({ current, onDone }: { current: PayoutSettings; onDone: () => void }) {
  const qc = useQueryClient();
  const toast = useToast();
  // Saved numbers come back masked: the seller types them again.
  const [d, setD] = useState<SettingsDraft>({ channel: current.channel === 'stripe' ? 'stripe' : 'bank', stripeAccount: '', holder: current.holder ?? '', account: '', routing: current.routing ?? '' });
  const save = useMutation({
    mutationFn: () => api.put<PayoutSettings>('/api/v1/seller/payout-settings', settingsBody(d)),
    onSuccess: (s) => {
      qc.setQueryData(['payout-settings'], s);
      toast('Payout account saved.');
      onDone();
      return qc.invalidateQueries({ queryKey: ['seller-balance'] });
    },
  });
  const fields = ['stripe_account', 'bank.holder', 'bank.account', 'bank.routing'];
  return (
    <form
      noValidate
      aria-label="Payout account"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <ErrorBox error={save.error} fields={fields} />
      <fieldset className="choices">
        <legend className="strong">How you are paid</legend>
        <label className="choice">
          <input type="radio" name="payout-channel" checked={d.channel === 'bank'} onChange={() => setD({ ...d, channel: 'bank' })} />
          <span>
            <strong>Bank account</strong> <span className="muted">— the marketplace sends a bank transfer</span>
          </span>
        </label>
        <label className="choice">
          <input type="radio" name="payout-channel" checked={d.channel === 'stripe'} onChange={() => setD({ ...d, channel: 'stripe' })} />
          <span>
            <strong>Stripe connected account</strong> <span className="muted">— paid by Stripe transfer</span>
          </span>
        </label>
      </fieldset>
      {d.channel === 'stripe' ? (
        <Field
          label="Stripe connected account ID"
          value={d.stripeAccount}
          onChange={(e) => setD({ ...d, stripeAccount: e.target.value })}
          error={fieldError(save.error, 'stripe_account')}
          hint="Starts with acct_, as shown in your Stripe dashboard."
          placeholder="acct_…"
          autoComplete="off"
          spellCheck={false}
          required
        />
      ) : (
        <div className="form-grid">
          <Field label="Account holder" value={d.holder} onChange={(e) => setD({ ...d, holder: e.target.value })} error={fieldError(save.error, 'bank.holder')} autoComplete="name" required />
          <Field
            label="Account number or IBAN"
            value={d.account}
            onChange={(e) => setD({ ...d, account: e.target.value })}
            error={fieldError(save.error, 'bank.account')}
            hint={current.channel === 'manual' ? `Now ${current.account}: type the whole number again to change it.` : undefined}
            autoComplete="off"
            spellCheck={false}
            required
          />
          <Field
            label="IFSC, sort code, routing number or BIC"
            value={d.routing}
            onChange={(e) => setD({ ...d, routing: e.target.value })}
            error={fieldError(save.error, 'bank.routing')}
            hint="Your bank's code, if your country uses one."
            autoComplete="off"
            spellCheck={false}
          />
        </div>
      )}
      <div className="row">
        <button className="btn primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save payout account'}
        </button>
        <button type="button" className="btn ghost" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

// ---- cash on delivery ------------------------------------------------------------

/** CashOnDeliveryPanel is the seller's switch for taking orders paid in cash at the door. */
function CashOnDeliveryPanel() {
  const features = useFeatures();
  const enabled = features.has('GET /api/v1/seller/cod');
  const qc = useQueryClient();
  const toast = useToast();
  const cod = useQuery({ queryKey: ['seller-cod'], enabled, queryFn: ({ signal }) => api.get<{ enabled: boolean }>('/api/v1/seller/cod', { signal }) });
  const save = useMutation({
    mutationFn: (on: boolean) => api.put<{ enabled: boolean }>('/api/v1/seller/cod', { enabled: on }),
    onSuccess: (r) => {
      qc.setQueryData(['seller-cod'], r);
      toast(r.enabled ? 'You now accept cash on delivery.' : 'You no longer accept cash on delivery.');
    },
  });
  if (!enabled) return null;
  const on = save.isPending ? save.variables : cod.data?.enabled;
  return (
    <section className="panel" aria-labelledby="cod-title">
      <h2 id="cod-title">Cash on delivery</h2>
      {cod.isPending ? (
        <Loading label="Loading your cash on delivery setting…" />
      ) : cod.isError ? (
        <ErrorBox error={cod.error} />
      ) : (
        <>
          <label className="switch-row">
            <input type="checkbox" role="switch" checked={!!on} disabled={save.isPending} aria-describedby="cod-hint" onChange={(e) => save.mutate(e.target.checked)} />
            <span className="strong">Accept cash on delivery</span>
          </label>
          <p className="hint" id="cod-hint">
            {on
              ? 'Customers may pay for your orders in cash when they arrive (up to the marketplace limit). The delivery partner collects it; your share is paid out as for any sale.'
              : 'Customers must pay for orders with your products before they ship. A cart with any of your products cannot be paid in cash.'}
          </p>
          <ErrorBox error={save.error} />
        </>
      )}
    </section>
  );
}

// ---- payouts -------------------------------------------------------------------

function SellerPayouts() {
  const list = useInfiniteQuery({
    queryKey: ['payouts', 'mine'],
    initialPageParam: '',
    getNextPageParam: (p: Page<Payout>) => p.next_cursor || undefined,
    queryFn: ({ pageParam, signal }) => api.get<Page<Payout>>('/api/v1/payout', { query: { cursor: pageParam || undefined, limit: 10 }, signal }),
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="panel" aria-labelledby="payouts-title">
      <h2 id="payouts-title">Payouts</h2>
      {list.isPending ? (
        <Loading label="Loading payouts…" />
      ) : list.isError ? (
        <ErrorBox error={list.error} />
      ) : items.length === 0 ? (
        <p className="muted">No payouts yet. Your available balance is paid out on a schedule once it reaches the minimum.</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <caption className="sr-only">Your payouts, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">To</th>
                <th scope="col">Status</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id} id={'payout-' + p.id} data-testid="payout-row">
                  <td>
                    {formatDate(p.created_at, false)}
                    <div className="muted small">
                      <code>{p.id}</code>
                    </div>
                  </td>
                  <td className="num">
                    <Price value={p.amount} />
                  </td>
                  <td>
                    {p.channel === 'stripe' ? 'Stripe' : 'Bank'} <code>{p.destination}</code>
                  </td>
                  <td>
                    <PayoutBadge status={p.status} />
                  </td>
                  <td className="small">
                    {p.status === 'paid' && p.paid_at && <>Paid {formatDate(p.paid_at, false)}</>}
                    {p.status === 'failed' && (
                      <>
                        {p.failure}
                        <div className="muted">The amount went back to your available balance.</div>
                      </>
                    )}
                    {p.transfer_id && (
                      <div className="muted">
                        Reference <code>{p.transfer_id}</code>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore list={list} />
    </section>
  );
}

// ---- statement -------------------------------------------------------------------

function Statement({ currencies }: { currencies: string[] }) {
  const [params, setParams] = useSearchParams();
  const filter = statementFilter((k) => params.get(k));
  const problem = filterProblem(filter);
  const apply = (f: StatementFilter) => setParams(filterParams(f), { replace: true });
  const list = useInfiniteQuery({
    queryKey: ['statement', filter],
    enabled: !problem,
    initialPageParam: '',
    getNextPageParam: (p: Page<Line>) => p.next_cursor || undefined,
    queryFn: ({ pageParam, signal }) => api.get<Page<Line>>('/api/v1/seller/statement', { query: { ...statementQuery(filter, pageParam), limit: 25 }, signal }),
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = !!(filter.currency || filter.from || filter.to || filter.account !== 'available');
  const choices = filter.currency && !currencies.includes(filter.currency) ? [...currencies, filter.currency] : currencies;
  return (
    <section className="panel" aria-labelledby="statement-title">
      <div className="title-row">
        <h2 id="statement-title">Statement</h2>
        <DownloadButton path="/api/v1/seller/statement.csv" query={statementQuery(filter)} name={csvName(filter)} label="Download CSV" />
      </div>
      <p className="muted small">Every movement of one account, oldest first, with the account's balance after it. Sales go to pending; they move to available when their return window closes.</p>
      <form className="toolbar money-filters" role="search" aria-label="Filter the statement" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Account" value={filter.account} onChange={(e) => apply({ ...filter, account: e.target.value as StatementFilter['account'] })}>
          {statementAccounts.map((a) => (
            <option key={a} value={a}>
              {accountLabel[a]}
            </option>
          ))}
        </SelectField>
        <SelectField label="Currency" value={filter.currency} onChange={(e) => apply({ ...filter, currency: e.target.value })}>
          <option value="">All</option>
          {choices.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </SelectField>
        <Field label="From" type="date" value={filter.from} max={filter.to || undefined} onChange={(e) => apply({ ...filter, from: e.target.value })} />
        <Field label="To" type="date" value={filter.to} min={filter.from || undefined} onChange={(e) => apply({ ...filter, to: e.target.value })} error={problem || undefined} />
        {filtered && (
          <button type="button" className="btn ghost" onClick={() => setParams({}, { replace: true })}>
            Clear filters
          </button>
        )}
      </form>
      {problem ? null : list.isPending ? (
        <Loading label="Loading the statement…" />
      ) : list.isError && !list.data ? (
        <ErrorBox error={list.error} />
      ) : items.length === 0 ? (
        <Empty title="No lines">
          <p className="muted">{filtered ? 'Nothing matches these filters.' : 'Nothing has moved through this account yet.'}</p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="data statement">
            <caption className="sr-only">
              Statement of the {accountLabel[filter.account].toLowerCase()} account{filter.currency ? ' in ' + filter.currency : ''}, oldest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Description</th>
                <th scope="col">Order</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col" className="num">
                  Balance
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((l, i) => (
                <tr key={l.txn_id + ':' + i} data-testid="statement-line">
                  <td className="nowrap">
                    <time dateTime={l.created_at}>{formatDate(l.created_at)}</time>
                  </td>
                  <td>{lineText(l, filter.account)}</td>
                  <td>
                    <LineLinks l={l} />
                  </td>
                  <td className="num">
                    <Signed value={l.amount} />
                  </td>
                  <td className="num">{formatMoney(l.balance)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.isError && list.data && <ErrorBox error={list.error} />}
      <LoadMore list={list} />
    </section>
  );
}

/** LineLinks names what a line is about: the order and seller order, the refund's returns, the payout. */
function LineLinks({ l }: { l: Line }) {
  return (
    <>
      {l.order_id && (
        <div>
          <code>{l.order_id}</code>
        </div>
      )}
      {l.seller_order_id && (
        <div className="muted small">
          {l.kind === 'refund' ? (
            <Link to={'/seller/returns?seller_order=' + encodeURIComponent(l.seller_order_id)}>
              Returns of <code>{l.seller_order_id}</code>
            </Link>
          ) : (
            <code>{l.seller_order_id}</code>
          )}
        </div>
      )}
      {l.payout_id && (
        <a href={'#payout-' + l.payout_id}>
          Payout <code>{l.payout_id}</code>
        </a>
      )}
    </>
  );
}
