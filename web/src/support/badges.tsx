// Status badges of tickets and returns, in the kit's badge colours.

import type { ReturnStatus, TicketStatus } from '../api/support';
import { returnLabel, returnTone, ticketLabelFor, ticketTone } from './format';

/** TicketBadge shows a ticket's status; viewer words whose turn it is ("Awaiting your reply"). */
export function TicketBadge({ status, viewer = 'staff' }: { status: TicketStatus; viewer?: 'customer' | 'seller' | 'staff' }) {
  return (
    <span className={'badge badge-' + ticketTone(status)} data-testid="ticket-status">
      {ticketLabelFor(status, viewer)}
    </span>
  );
}

export function ReturnBadge({ status }: { status: ReturnStatus }) {
  return (
    <span className={'badge badge-' + returnTone(status)} data-testid="return-status">
      {returnLabel(status)}
    </span>
  );
}

/** OverdueBadge marks a ticket past its first-response due time. */
export function OverdueBadge() {
  return <span className="badge badge-bad">Overdue</span>;
}
