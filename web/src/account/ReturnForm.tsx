import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api } from '../app/api';
import { isApiError, newIdempotencyKey } from '../api/client';
import type { Order } from '../api/types';
import { reasonLabel, type Eligibility, type EligibilityLine, type Return, type ReturnInput, type ReturnReason } from '../api/support';
import { ErrorBox, Loading, Price, SelectField, TextArea, fieldError, formatDate, useToast } from '../ui/kit';
import { UploadField, useUploads } from '../support/attachments';
import { lineFieldErrors } from '../support/format';

export default function ReturnFormPage() {
  return (
    <RequireUser roles={['customer']}>
      <ReturnForm />
    </RequireUser>
  );
}

const reasons = Object.keys(reasonLabel) as ReturnReason[];

interface Choice {
  quantity: number;
  reason: ReturnReason | '';
}

function ReturnForm() {
  const { id = '', sellerOrderId = '' } = useParams();
  const order = useQuery({
    queryKey: ['order', id],
    queryFn: () => api.get<Order>('/api/v1/order/' + encodeURIComponent(id)),
  });
  const eligibility = useQuery({
    queryKey: ['return-eligibility', sellerOrderId],
    queryFn: () => api.get<Eligibility>('/api/v1/return/eligibility/' + encodeURIComponent(sellerOrderId)),
    staleTime: 0,
  });
  useEffect(() => {
    document.title = 'Return items · Bazaar';
  }, []);
  const parts = order.data?.seller_orders ?? [];
  const n = parts.findIndex((p) => p.id === sellerOrderId);
  return (
    <div className="page narrow return-form-page">
      <p className="crumbs">
        <Link to={'/orders/' + encodeURIComponent(id)}>Order {id}</Link>
      </p>
      <h1>Return items</h1>
      {n >= 0 && parts.length > 1 && (
        <p className="muted">
          From parcel {n + 1} of {parts.length}
        </p>
      )}
      {eligibility.isPending ? (
        <Loading label="Checking what can be returned…" />
      ) : eligibility.isError ? (
        isApiError(eligibility.error) && eligibility.error.status === 404 ? (
          <p>
            We cannot find this parcel among your orders. <Link to="/orders">Your orders</Link>
          </p>
        ) : (
          <ErrorBox error={eligibility.error} />
        )
      ) : (
        <EligibleForm orderId={id} el={eligibility.data} />
      )}
    </div>
  );
}

function Closed({ el, orderId }: { el: Eligibility; orderId: string }) {
  return (
    <div className="panel" data-testid="return-closed">
      {el.why === 'return_window_closed' ? (
        <p>
          <strong>The return window has closed.</strong> Items of this parcel could be returned until {formatDate(el.deadline, false)}.
        </p>
      ) : el.why === 'not_delivered' ? (
        <p>
          <strong>This parcel has not been delivered yet.</strong> You can ask for a return once it arrives.
        </p>
      ) : (
        <p>
          <strong>Nothing in this parcel can be returned.</strong> Each item is either not returnable or already part of a return.
        </p>
      )}
      <p>
        Something wrong with your order? <Link to={'/tickets/new?order_id=' + encodeURIComponent(orderId)}>Contact support</Link>
      </p>
    </div>
  );
}

function lineNote(l: EligibilityLine): string | undefined {
  if (!l.returnable) return 'This item cannot be returned: its category is not returnable.';
  if (l.available === 0) return 'Already returned or part of another return.';
  if (l.available < l.quantity) return `${l.quantity - l.available} of ${l.quantity} already returned or in another return.`;
  return undefined;
}

function EligibleForm({ orderId, el }: { orderId: string; el: Eligibility }) {
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [comment, setComment] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const [noneChosen, setNoneChosen] = useState(false);
  const uploads = useUploads();
  const key = useRef(newIdempotencyKey());
  const navigate = useNavigate();
  const toast = useToast();
  const qc = useQueryClient();
  const open = el.open && el.lines.some((l) => l.available > 0);
  const chosen = el.lines.filter((l) => (choices[l.sku]?.quantity ?? 0) > 0);
  const submit = useMutation({
    mutationFn: (input: ReturnInput) => api.post<Return>('/api/v1/return', input, { idempotencyKey: key.current }),
    onSuccess: (r) => {
      qc.setQueryData(['return', r.id], r);
      void qc.invalidateQueries({ queryKey: ['returns'] });
      void qc.invalidateQueries({ queryKey: ['order', orderId] });
      void qc.invalidateQueries({ queryKey: ['return-eligibility', el.seller_order_id] });
      toast(r.status === 'approved' ? 'Your return is approved: a pickup is scheduled.' : 'Your return is requested. The seller will answer soon.');
      navigate('/returns/' + r.id, { replace: true });
    },
    onError: (e) => {
      // A refusal is final for this attempt; only a lost answer is retried with the same key.
      if (isApiError(e)) key.current = newIdempotencyKey();
    },
  });
  if (!open) return <Closed el={el} orderId={orderId} />;

  const set = (sku: string, c: Partial<Choice>) => {
    setChoices((all) => ({ ...all, [sku]: { ...(all[sku] ?? { quantity: 0, reason: '' }), ...c } }));
    setLocal((l) => ({ ...l, [sku]: '' }));
    setNoneChosen(false);
  };
  const sent = chosen.map((l) => l.sku);
  const apiLines = isApiError(submit.error) ? lineFieldErrors(submit.error.fields, submit.variables?.lines.map((l) => l.sku) ?? sent) : {};
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (uploads.busy) return;
    if (chosen.length === 0) {
      setNoneChosen(true);
      return;
    }
    const missing: Record<string, string> = {};
    for (const l of chosen) if (!choices[l.sku].reason) missing[l.sku] = 'Choose why you are returning it.';
    setLocal(missing);
    if (Object.keys(missing).length) return;
    const input: ReturnInput = {
      seller_order_id: el.seller_order_id,
      lines: chosen.map((l) => ({ sku: l.sku, quantity: choices[l.sku].quantity, reason: choices[l.sku].reason as ReturnReason })),
    };
    if (comment.trim()) input.comment = comment.trim();
    if (uploads.ids.length) input.photos = uploads.ids;
    submit.mutate(input);
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Return items">
      {el.deadline && (
        <p className="notice" data-testid="return-deadline">
          You can return items of this parcel until {formatDate(el.deadline, false)}.
        </p>
      )}
      <section className="panel" aria-labelledby="return-items-title">
        <h2 id="return-items-title">What are you returning?</h2>
        {noneChosen && (
          <p className="field-error" role="alert">
            Choose at least one item to return.
          </p>
        )}
        <ul className="return-pick">
          {el.lines.map((l) => {
            const c = choices[l.sku] ?? { quantity: 0, reason: '' };
            const note = lineNote(l);
            const err = local[l.sku] || apiLines[l.sku];
            return (
              <li key={l.sku} data-testid="return-pick-line">
                <fieldset disabled={l.available === 0}>
                  <legend>
                    <span className="strong">{l.title}</span>{' '}
                    <span className="muted small">
                      {l.quantity} bought · <Price value={l.unit_price} /> each
                    </span>
                  </legend>
                  {note && <p className="hint">{note}</p>}
                  {l.available > 0 && (
                    <div className="return-pick-fields">
                      <SelectField label="Quantity to return" value={String(c.quantity)} onChange={(e) => set(l.sku, { quantity: Number(e.target.value) })}>
                        <option value="0">None</option>
                        {Array.from({ length: l.available }, (_, i) => (
                          <option key={i + 1} value={i + 1}>
                            {i + 1}
                          </option>
                        ))}
                      </SelectField>
                      <SelectField label="Reason" value={c.reason} disabled={c.quantity === 0} onChange={(e) => set(l.sku, { reason: e.target.value as ReturnReason })} error={err} required={c.quantity > 0}>
                        <option value="">Choose a reason</option>
                        {reasons.map((r) => (
                          <option key={r} value={r}>
                            {reasonLabel[r]}
                          </option>
                        ))}
                      </SelectField>
                    </div>
                  )}
                </fieldset>
              </li>
            );
          })}
        </ul>
      </section>
      <section className="panel" aria-labelledby="return-more-title">
        <h2 id="return-more-title">Tell the seller more</h2>
        <TextArea label="Comment (optional)" value={comment} onChange={(e) => setComment(e.target.value)} maxLength={2000} error={fieldError(submit.error, 'comment')} hint="What is wrong with the item, for instance." />
        <UploadField uploads={uploads} label="Photos (optional)" error={fieldError(submit.error, 'photos')} />
      </section>
      <ErrorBox error={submit.error} fields={['comment', 'photos', ...(submit.variables?.lines.map((_, i) => [`lines[${i}].sku`, `lines[${i}].quantity`, `lines[${i}].reason`]).flat() ?? [])]} />
      <div className="row">
        <button type="submit" className="btn primary" disabled={submit.isPending || uploads.busy}>
          {submit.isPending ? 'Sending…' : uploads.busy ? 'Uploading photos…' : 'Request return'}
        </button>
        <Link to={'/orders/' + encodeURIComponent(orderId)} className="btn ghost">
          Cancel
        </Link>
      </div>
      <p className="hint return-after">Once the seller approves, a courier picks the parcel up from your shipping address. You are refunded when the seller receives it.</p>
    </form>
  );
}
