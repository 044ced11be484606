// Cash on delivery: what each delivery partner collected and still holds,
// and recording the cash a partner hands over.
import { useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../app/api';
import { isApiError, newIdempotencyKey } from '../api/client';
import type { HandoverInput, PartnerCash } from '../api/ledger';
import { Empty, ErrorBox, Field, Loading, Price, fieldError, useToast } from '../ui/kit';
import { formatMoney, parseAmount, toMajor } from '../lib/money';
import { usePartners } from './stores';
import '../seller/money.css';

export function CashOnDelivery() {
  const held = useQuery({ queryKey: ['cod'], queryFn: ({ signal }) => api.get<{ partners: PartnerCash[] }>('/api/v1/admin/cod', { signal }).then((r) => r.partners) });
  const partners = usePartners();
  useEffect(() => {
    document.title = 'Cash on delivery · Bazaar';
  }, []);
  return (
    <section aria-labelledby="cod-title">
      <div className="title-row">
        <h1 id="cod-title">Cash on delivery</h1>
        <button type="button" className="btn ghost small" disabled={held.isFetching} onClick={() => void held.refetch()}>
          {held.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <p className="muted small">Cash delivery partners collected from customers and have not yet handed to the marketplace. Record each handover when you receive the cash.</p>
      {held.isPending ? (
        <Loading label="Loading cash held…" />
      ) : held.isError ? (
        <ErrorBox error={held.error} />
      ) : held.data.length === 0 ? (
        <Empty title="No cash held">
          <p className="muted">Delivery partners hold no cash-on-delivery money right now.</p>
        </Empty>
      ) : (
        <div className="table-wrap panel">
          <table className="data rules">
            <caption className="sr-only">Cash held per delivery partner and currency</caption>
            <thead>
              <tr>
                <th scope="col">Delivery partner</th>
                <th scope="col" className="num">
                  Holds
                </th>
                <th scope="col">Record a handover</th>
              </tr>
            </thead>
            <tbody>
              {held.data.map((c) => {
                const u = partners[c.partner_id];
                return (
                  <tr key={c.partner_id + c.held.currency} data-testid="cod-row">
                    <td>
                      {u ? u.name : <code>{c.partner_id}</code>}
                      {u && <div className="muted small">{u.email}</div>}
                    </td>
                    <td className="num">
                      <Price value={c.held} className="balance-amount" />
                    </td>
                    <td>
                      <Handover key={c.held.amount} cash={c} name={u?.name ?? c.partner_id} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Handover({ cash, name }: { cash: PartnerCash; name: string }) {
  const qc = useQueryClient();
  const toast = useToast();
  const cur = cash.held.currency;
  const [amount, setAmount] = useState(toMajor(cash.held.amount, cur));
  const [reference, setReference] = useState('');
  const [amountError, setAmountError] = useState('');
  // One key per handover typed: a retry after a lost answer records it once.
  const [key, setKey] = useState(newIdempotencyKey);
  const record = useMutation({
    mutationFn: (body: HandoverInput) => api.post(`/api/v1/admin/cod/${encodeURIComponent(cash.partner_id)}/handover`, body, { idempotencyKey: key }),
    onSuccess: (_, body) => {
      toast(`Recorded ${formatMoney(body.amount)} handed over by ${name}.`);
      setReference('');
      setKey(newIdempotencyKey());
      return qc.invalidateQueries({ queryKey: ['cod'] });
    },
  });
  // The server names the partner by ID; the form says it with the name.
  const exceeds = isApiError(record.error, 'exceeds_cash_held');
  return (
    <form
      className="inline-form"
      aria-label={`Handover by ${name} in ${cur}`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const n = parseAmount(amount, cur);
        if (n === null || n <= 0) {
          setAmountError(`Enter an amount in ${cur}, such as ${toMajor(cash.held.amount, cur)}.`);
          return;
        }
        setAmountError('');
        record.mutate({ amount: { amount: n, currency: cur }, ...(reference.trim() && { reference: reference.trim() }) });
      }}
    >
      <Field
        label={`Amount (${cur})`}
        inputMode="decimal"
        value={amount}
        onChange={(e) => {
          setAmount(e.target.value);
          setKey(newIdempotencyKey());
        }}
        error={amountError || (exceeds ? `${name} holds ${formatMoney(cash.held)}: record at most that.` : undefined) || fieldError(record.error, 'amount.amount') || fieldError(record.error, 'amount')}
        style={{ width: '8rem' }}
      />
      <Field
        label="Receipt number (optional)"
        value={reference}
        onChange={(e) => {
          setReference(e.target.value);
          setKey(newIdempotencyKey());
        }}
        error={fieldError(record.error, 'reference')}
        style={{ width: '11rem' }}
      />
      <button className="btn primary small" disabled={record.isPending}>
        {record.isPending ? 'Recording…' : 'Record handover'}
      </button>
      {!exceeds && <ErrorBox error={record.error} fields={['amount', 'amount.amount', 'reference']} />}
    </form>
  );
}
