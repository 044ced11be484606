// The platform's books: every account's total per currency (what the
// platform holds at gateways and in cash, its commission and expenses, what
// it owes sellers) and the journal of ledger transactions, newest first,
// filtered by kind and account.
import { useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '../app/api';
import type { Page } from '../api/types';
import { txnKinds, type Books, type CurrencyBooks, type TxnKind, type Txn } from '../api/ledger';
import { Empty, ErrorBox, Field, LoadMore, Loading, Price, SelectField, fieldError, formatDate } from '../ui/kit';
import { kindText } from '../seller/payments';
import '../seller/money.css';

export function Ledger() {
  const books = useQuery({ queryKey: ['ledger-books'], queryFn: ({ signal }) => api.get<Books>('/api/v1/admin/ledger', { signal }) });
  const [params, setParams] = useSearchParams();
  const kind = params.get('kind') ?? '';
  const account = params.get('account') ?? '';
  useEffect(() => {
    document.title = 'Ledger · Bazaar';
  }, []);
  const filter = (k: string, a: string) => {
    const next = new URLSearchParams();
    if (k) next.set('kind', k);
    if (a) next.set('account', a);
    setParams(next);
  };
  return (
    <section className="money" aria-labelledby="ledger-title">
      <div className="title-row">
        <h1 id="ledger-title">Ledger</h1>
        <button type="button" className="btn ghost small" disabled={books.isFetching} onClick={() => void books.refetch()}>
          {books.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <p className="muted small">
        The marketplace’s double-entry books. Every amount is the sum of its account’s entries; what the platform holds equals its commission less its expenses plus what it owes sellers.
      </p>
      {books.isPending ? (
        <Loading label="Loading the books…" />
      ) : books.isError ? (
        <ErrorBox error={books.error} />
      ) : books.data.currencies.length === 0 ? (
        <Empty title="Nothing booked yet">
          <p className="muted">Sales, refunds and payouts appear here once orders are paid.</p>
        </Empty>
      ) : (
        <div className="balance-cards">
          {books.data.currencies.map((c) => (
            <CurrencyCard key={c.currency} books={c} show={(a) => filter('', a)} />
          ))}
        </div>
      )}
      <Journal kind={kind} account={account} onFilter={filter} />
    </section>
  );
}

/** CurrencyCard shows one currency's books; each figure opens its account's journal. */
function CurrencyCard({ books: b, show }: { books: CurrencyBooks; show: (account: string) => void }) {
  const fact = (label: string, value: CurrencyBooks['cash'], account: string, hint: string, testid: string) => (
    <div key={label}>
      <dt>{label}</dt>
      <dd className="balance-amount" data-testid={testid}>
        <Price value={value} className={value.amount < 0 ? 'amount-out' : ''} />
      </dd>
      <dd className="hint">
        {hint}{' '}
        {account && (
          <button type="button" className="btn ghost small" onClick={() => show(account)} aria-label={`Journal of ${label} in ${b.currency}`}>
            Journal
          </button>
        )}
      </dd>
    </div>
  );
  return (
    <article className="panel balance-card" aria-labelledby={'books-' + b.currency} data-testid="books-card">
      <h2 id={'books-' + b.currency}>Books in {b.currency}</h2>
      <h3 className="small muted">The platform earns and spends</h3>
      <dl className="balance-facts">
        {fact('Commission', b.commission, 'platform:commission', 'Revenue, net of commission given back on refunds.', 'books-commission')}
        {fact('Gateway fees', b.gateway_fees, 'platform:gateway_fees', 'What gateways charged (an expense).', 'books-fees')}
        {fact('Goodwill refunds', b.goodwill, 'platform:goodwill', 'Refunds the platform bore itself.', 'books-goodwill')}
      </dl>
      <h3 className="small muted">The platform holds</h3>
      <dl className="balance-facts">
        {b.gateways.map((g) =>
          fact(
            g.gateway === 'cod' ? 'Cash on delivery to collect' : `At ${g.gateway}`,
            g.balance,
            'gateway:' + g.gateway,
            g.gateway === 'cod' ? 'Owed by customers paying on delivery.' : 'Customers’ payments less refunds and fees.',
            'books-gateway-' + g.gateway,
          ),
        )}
        {fact('Held by delivery partners', b.partners_cash, '', 'Cash collected, not yet handed over.', 'books-partners')}
        {fact('Cash', b.cash, 'platform:cash', 'Handed over by delivery partners.', 'books-cash')}
        {fact('Paid out', b.paid_out, 'bank:payouts', 'Left the bank in paid payouts.', 'books-paid-out')}
      </dl>
      <h3 className="small muted">The platform owes sellers</h3>
      <dl className="balance-facts">
        {fact('Pending', b.sellers_pending, '', 'In return windows.', 'books-sellers-pending')}
        {fact('Available', b.sellers_available, '', 'To be paid out (net of what sellers owe).', 'books-sellers-available')}
        {fact('In transit', b.sellers_in_transit, '', 'In payouts not yet paid.', 'books-sellers-in-transit')}
      </dl>
    </article>
  );
}

function Journal({ kind, account, onFilter }: { kind: string; account: string; onFilter: (kind: string, account: string) => void }) {
  const [draft, setDraft] = useState(account);
  useEffect(() => setDraft(account), [account]);
  const query: Record<string, string> = {};
  if (kind) query.kind = kind;
  if (account) query.account = account;
  const list = useInfiniteQuery({
    queryKey: ['ledger-journal', query],
    initialPageParam: '',
    getNextPageParam: (p: Page<Txn>) => p.next_cursor || undefined,
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<Txn>>('/api/v1/admin/ledger/journal', { signal, query: { ...query, cursor: pageParam || undefined, limit: 25 } }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onFilter(kind, draft.trim());
  };
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="panel" aria-labelledby="journal-title">
      <h2 id="journal-title">Journal</h2>
      <form className="toolbar money-filters" onSubmit={submit} role="search" aria-label="Filter the journal">
        <SelectField label="Kind" value={kind} onChange={(e) => onFilter(e.target.value, account)}>
          <option value="">Every kind</option>
          {txnKinds.map((k) => (
            <option key={k} value={k}>
              {kindText(k as TxnKind)}
            </option>
          ))}
        </SelectField>
        <Field
          label="Account"
          value={draft}
          placeholder="platform:commission, gateway:stripe, seller:sel_…:available"
          onChange={(e) => setDraft(e.target.value)}
          error={fieldError(list.error, 'account')}
        />
        <button type="submit" className="btn secondary small">
          Filter
        </button>
        {(kind || account) && (
          <button type="button" className="btn ghost small" onClick={() => onFilter('', '')}>
            Clear
          </button>
        )}
      </form>
      {list.isPending ? (
        <Loading label="Loading the journal…" />
      ) : list.isError ? (
        <ErrorBox error={list.error} fields={['account', 'kind']} />
      ) : items.length === 0 ? (
        <Empty title="No transactions">
          <p className="muted">Nothing matches this filter.</p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="data rules">
            <caption className="sr-only">Ledger transactions, newest first, with their entries</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Transaction</th>
                <th scope="col">Entries (debit +, credit −)</th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => (
                <tr key={t.id} data-testid="journal-row">
                  <td className="journal-when">{formatDate(t.created_at)}</td>
                  <td className="journal-txn">
                    <strong>{kindText(t.kind)}</strong>
                    <div className="muted small">
                      <code>{t.reference}</code>
                    </div>
                    {t.order_id && <div className="muted small">Order {t.order_id}</div>}
                  </td>
                  <td>
                    <ul className="plain-list journal-entries">
                      {t.entries.map((en, i) => (
                        <li key={i}>
                          <button type="button" className="btn ghost small journal-account" title={`Journal of ${en.account}`} onClick={() => onFilter('', en.account)}>
                            {en.account}
                          </button>{' '}
                          <Price value={en.amount} className={en.amount.amount < 0 ? 'amount-out' : ''} />
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && <LoadMore list={list} />}
    </section>
  );
}
