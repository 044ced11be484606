// The seller's return policy: how many days after delivery customers may
// ask to return, and the reasons approved without the seller looking.
import { useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../app/api';
import { reasonLabel, type ReturnPolicy as Policy, type ReturnReason } from '../api/support';
import { ErrorBox, Field, Loading, fieldError, formatDate, useToast } from '../ui/kit';
import { policyDays } from './returns';
import './desk.css';

const reasons = Object.keys(reasonLabel) as ReturnReason[];

export function ReturnPolicy() {
  const policy = useQuery({ queryKey: ['return-policy'], queryFn: ({ signal }) => api.get<Policy>('/api/v1/seller/return-policy', { signal }) });
  if (policy.isPending) return <Loading label="Loading your return policy…" />;
  if (policy.isError) return <ErrorBox error={policy.error} />;
  return <PolicyForm key={policy.data.updated_at} policy={policy.data} />;
}

function PolicyForm({ policy }: { policy: Policy }) {
  const qc = useQueryClient();
  const toast = useToast();
  const [days, setDays] = useState(String(policy.window_days));
  const [auto, setAuto] = useState<ReturnReason[]>(policy.auto_approve ?? []);
  const [dayError, setDayError] = useState('');
  useEffect(() => {
    document.title = 'Return policy · Bazaar';
  }, []);
  const save = useMutation({
    mutationFn: (window_days: number) => api.put<Policy>('/api/v1/seller/return-policy', { window_days, auto_approve: auto }),
    onSuccess: (p) => {
      qc.setQueryData(['return-policy'], p);
      toast('Return policy saved.');
    },
  });
  return (
    <form
      className="panel"
      aria-labelledby="policy-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const n = policyDays(days);
        if (n === null) {
          setDayError('Enter a whole number of days from 0 to 365.');
          return;
        }
        setDayError('');
        save.mutate(n);
      }}
    >
      <h1 id="policy-title">Return policy</h1>
      <p className="muted">Customers may ask to return what you sold them within this many days of delivery. Products of categories the marketplace marks non-returnable never can be.</p>
      <ErrorBox error={save.error} fields={['window_days', 'auto_approve']} />
      <Field
        label="Return window (days after delivery)"
        type="number"
        min={0}
        max={365}
        inputMode="numeric"
        value={days}
        onChange={(e) => setDays(e.target.value)}
        error={dayError || fieldError(save.error, 'window_days')}
        hint="0 to 365; 0 means no returns."
        style={{ maxWidth: '10rem' }}
        required
      />
      <fieldset className="facet">
        <legend className="strong">Approve automatically when every reason is</legend>
        <p className="hint">A return asked for these reasons only is approved at once and its pickup scheduled; others wait for you.</p>
        <div className="policy-reasons">
          {reasons.map((r) => (
            <label key={r} className="check">
              <input type="checkbox" checked={auto.includes(r)} onChange={(e) => setAuto(e.target.checked ? [...auto, r] : auto.filter((x) => x !== r))} />
              {reasonLabel[r]}
            </label>
          ))}
        </div>
        {fieldError(save.error, 'auto_approve') && <p className="field-error">{fieldError(save.error, 'auto_approve')}</p>}
      </fieldset>
      <div className="row">
        <button className="btn primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save policy'}
        </button>
        {policy.updated_at && !policy.updated_at.startsWith('0001') && <span className="muted small">Last changed {formatDate(policy.updated_at)}</span>}
      </div>
    </form>
  );
}
