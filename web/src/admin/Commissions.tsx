// The commission rules: the default rate and fixed fees, rates per
// category, and rates and fees per seller. Saving replaces the whole set
// with the version read; someone else's change meanwhile is a conflict.
import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, useCategories } from '../app/api';
import { isApiError } from '../api/client';
import type { Rules } from '../api/ledger';
import { ErrorBox, Field, Loading, SelectField, formatDate, useToast } from '../ui/kit';
import { errorsAfterRemoval, fromDraft, replace, toDraft, without, type DraftErrors, type FeeDraft, type RulesDraft } from './commission';
import { useStores } from './stores';
import { formatBps } from '../seller/payments';
import '../seller/money.css';

export function Commissions() {
  const rules = useQuery({ queryKey: ['commission'], queryFn: ({ signal }) => api.get<Rules>('/api/v1/admin/commission', { signal }) });
  useEffect(() => {
    document.title = 'Commissions · Bazaar';
  }, []);
  if (rules.isPending) return <Loading label="Loading the commission rules…" />;
  if (rules.isError) return <ErrorBox error={rules.error} />;
  return <RulesForm key={rules.data.version} rules={rules.data} />;
}

function RulesForm({ rules }: { rules: Rules }) {
  const qc = useQueryClient();
  const toast = useToast();
  const cats = useCategories();
  const stores = useStores();
  const [d, setD] = useState<RulesDraft>(() => toDraft(rules));
  const [errors, setErrors] = useState<DraftErrors>({});
  const form = useRef<HTMLFormElement>(null);
  const save = useMutation({
    mutationFn: () => api.put<Rules>('/api/v1/admin/commission', fromDraft(d).body),
    onSuccess: (r) => {
      qc.setQueryData(['commission'], r);
      toast(`Commission rules saved (version ${r.version}).`);
    },
    onError: (e) => {
      setErrors(isApiError(e) ? e.fieldMap() : {});
      focusInvalid(form.current);
    },
  });
  const conflict = isApiError(save.error, 'version_conflict');
  const err = (k: string) => errors[k];
  const change = (next: RulesDraft) => {
    setD(next);
  };
  const remove = (list: 'categories' | 'sellers', i: number) => {
    setErrors(errorsAfterRemoval(errors, list, i));
    change({ ...d, [list]: without(d[list] as unknown[], i) } as RulesDraft);
  };
  return (
    <form
      ref={form}
      className="money"
      aria-labelledby="commission-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save.reset();
        const { errors: found } = fromDraft(d);
        setErrors(found);
        if (Object.keys(found).length === 0) save.mutate();
        else focusInvalid(e.currentTarget);
      }}
    >
      <div className="title-row">
        <h1 id="commission-title">Commissions</h1>
        <span className="muted small">
          <span data-testid="rules-version">Version {rules.version}</span>
          {rules.updated_at && <> · changed {formatDate(rules.updated_at)}</>}
        </span>
      </div>
      <p className="muted">
        Each order line pays its seller's rate if the seller has one, else its category's, else the default; the fixed fee is charged once per seller order (the seller's, else the default's). Shipping and tax are never
        commissioned. Orders already paid keep the commission they were charged.
      </p>
      {conflict ? (
        <div className="error-box" role="alert">
          Someone else changed the rules since you opened them, so yours were not saved.{' '}
          <button
            type="button"
            className="link"
            onClick={() => {
              save.reset();
              void qc.invalidateQueries({ queryKey: ['commission'] });
            }}
          >
            Reload the rules
          </button>{' '}
          (your changes here are lost) and make them again.
        </div>
      ) : (
        Object.keys(errors).length > 0 && !save.error ? (
          <div className="error-box" role="alert">
            Some rules need fixing: see the marked fields.
          </div>
        ) : (
          <ErrorBox error={save.error} fields={Object.keys(errors)} />
        )
      )}

      <section className="panel" aria-labelledby="default-rule">
        <h2 id="default-rule">Default</h2>
        <div className="row wrap-row">
          <Field
            className="percent-input"
            label="Rate (%)"
            inputMode="decimal"
            value={d.percent}
            onChange={(e) => change({ ...d, percent: e.target.value })}
            error={err('default.bps')}
            hint={errors['default.bps'] ? undefined : 'Such as 10.5 for 10.5 %.'}
          />
        </div>
        <Fees label="Default fixed fee" field="default" fees={d.fees} errors={errors} onChange={(fees) => change({ ...d, fees })} />
      </section>

      <section className="panel" aria-labelledby="category-rules">
        <h2 id="category-rules">Per category</h2>
        <p className="muted small">A percentage for every line of a category (its subcategories have their own). Categories have no fixed fee.</p>
        {d.categories.length > 0 && (
          <div className="table-wrap">
            <table className="data rules">
              <caption className="sr-only">Rates per category</caption>
              <thead>
                <tr>
                  <th scope="col">Category</th>
                  <th scope="col">Rate (%)</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.categories.map((c, i) => {
                  const name = cats.data?.find((x) => x.id === c.category_id)?.name ?? c.category_id;
                  return (
                    <tr key={i} data-testid="category-rule">
                      <td>
                        <SelectField
                          label={'Category of rule ' + (i + 1)}
                          className="label-hidden"
                          value={c.category_id}
                          onChange={(e) => change({ ...d, categories: replace(d.categories, i, { category_id: e.target.value }) })}
                          error={err(`categories[${i}].category_id`)}
                        >
                          <option value="">Choose…</option>
                          {c.category_id && !cats.data?.some((x) => x.id === c.category_id) && <option value={c.category_id}>{c.category_id}</option>}
                          {cats.data?.map((x) => (
                            <option key={x.id} value={x.id}>
                              {'\u00a0\u00a0'.repeat(x.depth) + x.name}
                            </option>
                          ))}
                        </SelectField>
                      </td>
                      <td>
                        <Field
                          className="percent-input label-hidden"
                          label={'Rate of ' + (name || 'rule ' + (i + 1)) + ' (%)'}
                          inputMode="decimal"
                          value={c.percent}
                          onChange={(e) => change({ ...d, categories: replace(d.categories, i, { percent: e.target.value }) })}
                          error={err(`categories[${i}].bps`)}
                        />
                      </td>
                      <td>
                        <button type="button" className="btn ghost danger small" onClick={() => remove('categories', i)}>
                          Remove<span className="sr-only"> the rate of {name || 'rule ' + (i + 1)}</span>
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <button type="button" className="btn secondary small" onClick={() => change({ ...d, categories: [...d.categories, { category_id: '', percent: d.percent }] })}>
          Add a category rate
        </button>
      </section>

      <section className="panel" aria-labelledby="seller-rules">
        <h2 id="seller-rules">Per seller</h2>
        <p className="muted small">A seller's rate applies to all its lines, whatever their category, and its fixed fees replace the default's.</p>
        {d.sellers.length > 0 && (
          <div className="table-wrap">
            <table className="data rules">
              <caption className="sr-only">Rates per seller</caption>
              <thead>
                <tr>
                  <th scope="col">Store</th>
                  <th scope="col">Rate (%)</th>
                  <th scope="col">Fixed fees</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.sellers.map((s, i) => {
                  const name = stores.names[s.seller_id] ?? s.seller_id;
                  return (
                    <tr key={i} data-testid="seller-rule">
                      <td>
                        <SelectField
                          label={'Store of rule ' + (i + 1)}
                          className="label-hidden"
                          value={s.seller_id}
                          onChange={(e) => change({ ...d, sellers: replace(d.sellers, i, { seller_id: e.target.value }) })}
                          error={err(`sellers[${i}].seller_id`)}
                        >
                          <option value="">Choose…</option>
                          {s.seller_id && !stores.list.some((x) => x.id === s.seller_id) && <option value={s.seller_id}>{s.seller_id}</option>}
                          {stores.list.map((x) => (
                            <option key={x.id} value={x.id}>
                              {x.name}
                            </option>
                          ))}
                        </SelectField>
                      </td>
                      <td>
                        <Field
                          className="percent-input label-hidden"
                          label={'Rate of ' + (name || 'rule ' + (i + 1)) + ' (%)'}
                          inputMode="decimal"
                          value={s.percent}
                          onChange={(e) => change({ ...d, sellers: replace(d.sellers, i, { percent: e.target.value }) })}
                          error={err(`sellers[${i}].bps`)}
                        />
                      </td>
                      <td>
                        <Fees label={'Fixed fee of ' + (name || 'rule ' + (i + 1))} field={`sellers[${i}]`} fees={s.fees} errors={errors} onChange={(fees) => change({ ...d, sellers: replace(d.sellers, i, { fees }) })} compact />
                      </td>
                      <td>
                        <button type="button" className="btn ghost danger small" onClick={() => remove('sellers', i)}>
                          Remove<span className="sr-only"> the rate of {name || 'rule ' + (i + 1)}</span>
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <button type="button" className="btn secondary small" onClick={() => change({ ...d, sellers: [...d.sellers, { seller_id: '', percent: d.percent, fees: [] }] })}>
          Add a seller rate
        </button>
      </section>

      <div className="row">
        <button className="btn primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save rules'}
        </button>
        <span className="muted small">Now: default {formatBps(rules.default.bps)}</span>
      </div>
    </form>
  );
}

/** focusInvalid moves the focus to the first field marked invalid once the form has rendered its errors. */
function focusInvalid(form: HTMLFormElement | null) {
  requestAnimationFrame(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
}

/** Fees edits fixed fees, one per currency. */
function Fees({ label, field, fees, errors, onChange, compact }: { label: string; field: string; fees: FeeDraft[]; errors: DraftErrors; onChange: (f: FeeDraft[]) => void; compact?: boolean }) {
  return (
    <div className="rule-fees" role="group" aria-label={label + 's'}>
      {!compact && <span className="strong small">{label}s</span>}
      {fees.length === 0 && <span className="muted small">None</span>}
      {fees.map((f, i) => (
        <div className="rule-fee" key={i}>
          <Field
            className={'currency' + (compact ? ' label-hidden' : '')}
            label={compact ? `${label} ${i + 1}: currency` : 'Currency'}
            value={f.currency}
            maxLength={3}
            onChange={(e) => onChange(replace(fees, i, { currency: e.target.value.toUpperCase() }))}
            error={errors[`${field}.fees[${i}].currency`]}
          />
          <Field
            className={compact ? 'label-hidden' : ''}
            label={compact ? `${label} ${i + 1}: amount` : 'Amount'}
            inputMode="decimal"
            value={f.amount}
            onChange={(e) => onChange(replace(fees, i, { amount: e.target.value }))}
            error={errors[`${field}.fees[${i}].amount`]}
          />
          <button type="button" className="btn ghost danger small" onClick={() => onChange(without(fees, i))}>
            Remove<span className="sr-only">
              {' '}
              {label} {i + 1}
            </span>
          </button>
        </div>
      ))}
      <button type="button" className="btn ghost small" onClick={() => onChange([...fees, { currency: fees.length === 0 ? 'USD' : '', amount: '' }])}>
        Add a fee
      </button>
    </div>
  );
}
