// Package support is the help desk and returns (RMA) of the marketplace.
//
// # Tickets
//
// A customer opens a ticket, in general or about an order, a seller order, a
// product, a payment or a return (OpenTicket); what it is about must be the
// customer's own. A ticket about a seller order, a return or a product is
// the business of that seller too: it sees the ticket and may reply. Staff
// (admins and support agents) see every ticket. Internal notes (staff only)
// never reach the customer or the seller.
//
// Statuses (TicketStatus):
//
//	open ─┬─> awaiting_customer ─┐   a public reply hands the ticket over: the
//	      ├─> awaiting_seller  ──┼─> customer's to the seller when the seller
//	      └─> awaiting_support ──┘   answered last, else to support; the
//	                │                seller's and staff's to the customer
//	                └─> resolved ─> closed (CloseResolved, 7 days later)
//	                       └─> awaiting_support (the customer reopens, or replies)
//
// Staff set priority, assignee and status (UpdateTicket). Each ticket has a
// first-response due time by priority (FirstResponse, the SLA); one with no
// public answer from the seller or staff by then is overdue, and the staff
// queue lists those awaiting a first answer first, the earliest due first.
//
// Attachments (JPEG, PNG, WebP, PDF; MaxAttachmentSize each; type read from
// the bytes) are uploaded first and then attached, to a message or as a
// return's photos, by their IDs; each once, by its uploader. They are
// stored in Options.FileDir, beside the product images, and served only to
// those who see what they are attached to. Uploads never attached are
// deleted after OrphanAfter.
//
// # Returns
//
// A customer asks to return lines of a delivered seller order
// (RequestReturn) within the seller's window (Policy.WindowDays,
// DefaultWindowDays from delivery), for products of categories not marked
// non-returnable (by an admin, for a category and its subcategories), and
// never for more units than were delivered less those in other live
// returns: the store serialises the requests of one seller order and
// counts them. The seller approves (a pickup is scheduled with the least
// loaded delivery partner, counting outbound shipments and pickups) or
// rejects with a reason; a seller's policy may approve chosen reasons
// automatically. A rejected return may be escalated: the customer opens a
// ticket about it, and staff approve it or refund it without receipt.
//
//	requested ─┬─> approved ─┬─> in_transit ─> received ─> refunded
//	           │      │      └─────────────────────^
//	           │      └─> refunded (staff, without receipt)
//	           ├─> rejected ─> approved | refunded (staff)
//	           └─> cancelled (the customer, before pickup; also from approved)
//
// The pickup (Pickup) has its own statuses, recorded by its delivery
// partner: scheduled -> picked_up | failed_attempt; failed_attempt ->
// picked_up | failed_attempt; picked_up -> delivered (to the seller);
// picked_up puts the return in transit. A return may be received from
// approved (the customer dropped it off) or in transit.
//
// On receipt (Receive) the seller says how many units came back sellable
// or damaged, with an optional restocking fee. The refund is the units'
// price plus their share of the seller order's tax, less the fee. Then,
// outside the return's transaction and each idempotent per return:
// Stock.ReturnUnits puts the sellable units back on hand (damaged ones are
// written off), Refunds.RefundOrderPart refunds the original payment with
// the part "return:<id>" (capped by the payment module at what is left to
// refund), and the return becomes refunded. A failure is logged and the
// ConsumerSettle consumer of return.received.v1 does it again (exchanged
// lines: see Exchanges). Two
// concurrent receipts cannot both apply: the second is a Conflict.
//
// # Tables (supportsql)
//
//	support_ticket          tickets, with their SLA and assignment
//	support_message         the threads (internal notes flagged)
//	support_attachment      uploaded files and what they are attached to
//	support_return          returns: lines (JSON), pickup (JSON), timeline (JSON), refund
//	support_return_lock     one row per seller order, serialising its return requests
//	support_policy          sellers' return policies
//	support_category_rule   categories marked non-returnable
//
// # Events published (payloads in supportevent; aggregate = the ticket or return ID)
//
//	ticket.opened.v1          Ticket
//	ticket.replied.v1         TicketReplied (internal notes too, flagged)
//	ticket.status_changed.v1  Ticket, with every change of status, priority or assignee by staff
//	return.requested.v1       Return
//	return.approved.v1        Return
//	return.rejected.v1        Return
//	return.cancelled.v1       Return
//	return.in_transit.v1      Return
//	return.received.v1        Return, lines per condition received
//	return.refunded.v1        Return, with the refund; the order module counts the units returned
//
// # Events consumed (Subscribe takes an event.Subscriber)
//
//	return.received.v1  as "support.settle", at least once: restock and refund (idempotent)
//
// # Exchanges
//
// A line may ask for another variant of the same product instead of money
// (ReturnLineInput.ExchangeSKU), when that variant is sold and in stock
// (Eligibility lists them). Its units are not refunded: on settling, the
// order module places a replacement order at no charge for the units
// received (Orders.PlaceReplacement, once per return), which the seller
// ships like any other (Return.ExchangeOrderID). If the variant is gone by
// then, those units are refunded instead, with a timeline note.
package support
