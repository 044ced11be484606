import type { Shipment } from '../api/types';
import { Timeline, humanize, type TimelineStep } from './kit';

/** The happy path of a parcel, for showing what is still to come. */
const path = ['pending', 'packed', 'handed_over', 'picked_up', 'in_transit', 'out_for_delivery', 'delivered'];

const labels: Record<string, string> = {
  pending: 'Label created',
  packed: 'Packed by the seller',
  handed_over: 'Handed to the carrier',
  picked_up: 'Picked up',
  in_transit: 'In transit',
  out_for_delivery: 'Out for delivery',
  delivered: 'Delivered',
  failed_attempt: 'Delivery attempt failed',
  returned_to_seller: 'Returned to the seller',
  cancelled: 'Cancelled',
};

export const shipmentLabel = (s: string) => labels[s] ?? humanize(s);

/** ShipmentTimeline shows a shipment's tracking events, then the steps still ahead. */
export function ShipmentTimeline({ shipment }: { shipment: Shipment }) {
  const last = shipment.timeline.length - 1;
  const steps: TimelineStep[] = shipment.timeline.map((e, i) => {
    const label = shipmentLabel(e.status);
    // System notes often just repeat the step; show only what adds to it.
    const note = e.note && !label.toLowerCase().includes(e.note.toLowerCase()) ? e.note : '';
    return {
      label,
      at: e.at,
      state: e.status === 'failed_attempt' || e.status === 'cancelled' || e.status === 'returned_to_seller' ? 'bad' : i === last && e.status !== 'delivered' ? 'current' : 'done',
      detail: [e.location, note, e.proof && 'Proof: ' + e.proof].filter(Boolean).join(' · ') || undefined,
    };
  });
  const at = path.indexOf(shipment.status === 'failed_attempt' ? 'in_transit' : shipment.status);
  if (at >= 0 && shipment.status !== 'delivered') {
    for (const s of path.slice(at + 1)) steps.push({ label: shipmentLabel(s), state: 'todo' });
  }
  return <Timeline steps={steps} label={'Tracking of shipment ' + shipment.tracking_id} />;
}
