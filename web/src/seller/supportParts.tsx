// The support pieces the seller and staff desks use: the shared components
// of web/src/support (status badges, a ticket's thread and reply box,
// token-fetched attachments, a return's timeline), and the desks' own
// pickup badge.
import type { PickupStatus } from '../api/support';
import { pickupLabel } from './returns';

export { ReturnBadge, TicketBadge } from '../support/badges';
export { AttachmentList } from '../support/attachments';
export { ReplyBox, TicketThread } from '../support/thread';
export { ReturnTimeline } from '../support/returns';

const pickupTone: Record<PickupStatus, string> = {
  scheduled: 'warn',
  picked_up: 'info',
  failed_attempt: 'bad',
  delivered: 'good',
  cancelled: 'muted',
};

/** PickupBadge shows a return pickup's status as the seller, staff and the delivery partner read it. */
export function PickupBadge({ status }: { status: PickupStatus }) {
  return <span className={'badge badge-' + pickupTone[status]}>{pickupLabel[status]}</span>;
}
