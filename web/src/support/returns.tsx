// Pieces of a return shared by the customer's, the seller's and staff's
// screens: its lines, its pickup and its timeline.

import type { Pickup, Return } from '../api/support';
import { reasonLabel } from '../api/support';
import { Price, Timeline, formatDate } from '../ui/kit';
import { pickupStatusLabel, returnSteps } from './format';

/** ReturnTimeline is a return's history (return and pickup steps) and what is still ahead. */
export function ReturnTimeline({ ret }: { ret: Pick<Return, 'status' | 'timeline'> }) {
  return <Timeline steps={returnSteps(ret)} label="Return progress" />;
}

/** ReturnLines lists what is being returned: units, reason, price, and how they came back once received. */
export function ReturnLines({ ret }: { ret: Pick<Return, 'lines'> }) {
  return (
    <ul className="return-lines" aria-label="Items returned">
      {ret.lines.map((l) => (
        <li key={l.sku} data-testid="return-line">
          <div>
            <span className="strong">
              {l.quantity} × {l.title}
            </span>
            <span className="muted small"> · SKU {l.sku}</span>
            <div className="small">Reason: {reasonLabel[l.reason] ?? l.reason}</div>
            {l.sellable + l.damaged > 0 && (
              <div className="small muted">
                Received: {[l.sellable > 0 && `${l.sellable} in good condition`, l.damaged > 0 && `${l.damaged} damaged`].filter(Boolean).join(', ')}
              </div>
            )}
          </div>
          <span className="small">
            <Price value={l.unit_price} /> each
          </span>
        </li>
      ))}
    </ul>
  );
}

/** PickupInfo is the pickup's tracking ID and status, when one is scheduled. */
export function PickupInfo({ pickup }: { pickup: Pickup | undefined }) {
  if (!pickup) return null;
  return (
    <dl className="facts" data-testid="pickup">
      <dt>Status</dt>
      <dd>{pickupStatusLabel[pickup.status] ?? pickup.status}</dd>
      <dt>Tracking ID</dt>
      <dd>
        <code>{pickup.tracking_id}</code>
      </dd>
      <dt>Updated</dt>
      <dd>{formatDate(pickup.updated_at)}</dd>
    </dl>
  );
}
