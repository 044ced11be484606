import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { RequireUser } from '../app/routes';
import { api } from '../app/api';
import { isApiError } from '../api/client';
import type { Return } from '../api/support';
import { ErrorBox, Loading, Price, formatDate, useToast } from '../ui/kit';
import { AttachmentList } from '../support/attachments';
import { ReturnBadge } from '../support/badges';
import { canCancelReturn } from '../support/format';
import { PickupInfo, ReturnLines, ReturnTimeline } from '../support/returns';

export default function ReturnDetailPage() {
  return (
    <RequireUser roles={['customer']}>
      <ReturnDetail />
    </RequireUser>
  );
}

function ReturnDetail() {
  const { id = '' } = useParams();
  const ret = useQuery({
    queryKey: ['return', id],
    queryFn: () => api.get<Return>('/api/v1/return/' + encodeURIComponent(id)),
    staleTime: 0,
    // While the parcel is on its way, check now and then.
    refetchInterval: (q) => (q.state.data && ['approved', 'in_transit', 'received'].includes(q.state.data.status) ? 30_000 : false),
  });
  useEffect(() => {
    document.title = 'Return ' + id + ' · Bazaar';
  }, [id]);
  if (ret.isPending) return <Loading label="Loading your return…" />;
  if (ret.isError) {
    return (
      <div className="page narrow">
        <h1>Return</h1>
        {isApiError(ret.error) && ret.error.status === 404 ? (
          <p>
            We cannot find this return. <Link to="/returns">Your returns</Link>
          </p>
        ) : (
          <ErrorBox error={ret.error} />
        )}
      </div>
    );
  }
  const r = ret.data;
  const units = r.lines.reduce((n, l) => n + l.quantity, 0);
  return (
    <div className="page return-detail">
      <div className="order-head">
        <div>
          <p className="crumbs">
            <Link to="/returns">Your returns</Link> · <Link to={'/orders/' + r.order_id}>Order {r.order_id}</Link>
          </p>
          <h1>Return {r.id}</h1>
          <p className="muted">
            Requested {formatDate(r.created_at)} · {units} {units === 1 ? 'item' : 'items'}
          </p>
        </div>
        <p className="order-status">
          <ReturnBadge status={r.status} />
        </p>
      </div>
      {r.status === 'rejected' && (
        <div className="error-box" data-testid="reject-reason">
          <strong>The seller rejected this return.</strong> {r.reject_reason && <>Their reason: “{r.reject_reason}”</>}
        </div>
      )}
      <div className="order-layout">
        <div>
          <section className="panel" aria-labelledby="ret-items-title">
            <h2 id="ret-items-title">Items</h2>
            <ReturnLines ret={r} />
            {r.comment && (
              <div className="return-extra">
                <h3>Your comment</h3>
                <p className="msg-body">{r.comment}</p>
              </div>
            )}
            {r.photos.length > 0 && (
              <div className="return-extra">
                <h3>Your photos</h3>
                <AttachmentList attachments={r.photos} label="Photos" />
              </div>
            )}
          </section>
          <section className="panel" aria-labelledby="ret-progress-title">
            <h2 id="ret-progress-title">Progress</h2>
            <ReturnTimeline ret={r} />
          </section>
        </div>
        <aside>
          <section className="panel summary" aria-labelledby="ret-refund-title">
            <h2 id="ret-refund-title">Refund</h2>
            {r.status === 'refunded' ? (
              <dl className="totals">
                {r.restocking_fee.amount > 0 && (
                  <>
                    <dt>Restocking fee</dt>
                    <dd>
                      <Price value={r.restocking_fee} />
                    </dd>
                  </>
                )}
                <dt className="strong">Refunded</dt>
                <dd className="strong" data-testid="refund-amount">
                  <Price value={r.refund} />
                </dd>
              </dl>
            ) : r.status === 'cancelled' ? (
              <p className="small">You cancelled this return; nothing will be refunded.</p>
            ) : r.status === 'rejected' ? (
              <p className="small">No refund unless support overturns the decision.</p>
            ) : (
              <p className="small">Once the seller receives the items, the refund goes back to your original payment method, tax included.</p>
            )}
            {r.auto_approved && <p className="small muted">Approved automatically under the seller’s return policy.</p>}
          </section>
          {(r.pickup || r.timeline.some((e) => e.status === 'pickup_unassigned')) && (
            <section className="panel" aria-labelledby="ret-pickup-title">
              <h2 id="ret-pickup-title">Pickup</h2>
              {r.pickup ? (
                <>
                  <PickupInfo pickup={r.pickup} />
                  {r.pickup.status === 'scheduled' && <p className="small">A courier will collect the parcel from your shipping address. Keep the items packed.</p>}
                </>
              ) : (
                <p className="small">No courier is available for a pickup: please drop the parcel off with the seller’s carrier.</p>
              )}
            </section>
          )}
          <Help r={r} />
          {canCancelReturn(r) && <CancelReturn r={r} />}
        </aside>
      </div>
    </div>
  );
}

function Help({ r }: { r: Return }) {
  return (
    <section className="panel" aria-labelledby="ret-help-title">
      <h2 id="ret-help-title">Need help?</h2>
      {r.ticket_id ? (
        <p className="small">
          Support is looking into this return. <Link to={'/tickets/' + r.ticket_id}>View your ticket</Link>
        </p>
      ) : r.status === 'rejected' ? (
        <>
          <p className="small">Think the seller got it wrong? Support can review the decision and approve or refund the return.</p>
          <Link className="btn secondary" to={'/tickets/new?return_id=' + encodeURIComponent(r.id)}>
            Escalate to support
          </Link>
        </>
      ) : (
        <p className="small">
          <Link to={'/tickets/new?return_id=' + encodeURIComponent(r.id)}>Ask a question about this return</Link>
        </p>
      )}
    </section>
  );
}

function CancelReturn({ r }: { r: Return }) {
  const [asking, setAsking] = useState(false);
  const qc = useQueryClient();
  const toast = useToast();
  const cancel = useMutation({
    mutationFn: () => api.put<Return>('/api/v1/return/' + encodeURIComponent(r.id) + '/cancel'),
    onSuccess: (next) => {
      qc.setQueryData(['return', r.id], next);
      void qc.invalidateQueries({ queryKey: ['returns'] });
      void qc.invalidateQueries({ queryKey: ['return-eligibility', r.seller_order_id] });
      toast('Your return is cancelled.');
      setAsking(false);
    },
    onError: () => qc.invalidateQueries({ queryKey: ['return', r.id] }),
  });
  return (
    <section className="panel">
      {!asking ? (
        <button type="button" className="btn ghost danger" onClick={() => setAsking(true)}>
          Cancel return
        </button>
      ) : (
        <div role="group" aria-label="Cancel this return?">
          <p className="small">Cancel this return? {r.pickup ? 'The pickup is called off, and you' : 'You'} keep the items.</p>
          <ErrorBox error={cancel.error} />
          <div className="row">
            <button type="button" className="btn danger" disabled={cancel.isPending} onClick={() => cancel.mutate()}>
              {cancel.isPending ? 'Cancelling…' : 'Yes, cancel the return'}
            </button>
            <button type="button" className="btn ghost" onClick={() => setAsking(false)}>
              Keep it
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
