// Package notify tells people what happened to their orders, shipments,
// returns and tickets: an in-app inbox per user, e-mail through a mail
// outbox, and each user's preferences of channel per category.
//
// It only subscribes to events and answers queries (consumer "notify"):
// order.placed.v1, order.paid.v1, order.cancelled.v1,
// order.status_changed.v1 (refunded, delivered), shipment.status_changed.v1
// (handed_over, out_for_delivery, delivered, failed_attempt,
// returned_to_seller), the return.*.v1 and ticket.*.v1 events,
// review.hidden.v1 (the author is told why), inventory.stock.changed.v1
// (the seller is told when a SKU's available stock falls to or below
// Options.LowStock, once per fall) and ledger.payout.status_changed.v1
// (paid, failed: the store's owner, in the seller_order category). It
// publishes nothing.
//
// Tables (notifysql): notify_notification (unique per event and
// recipient), notify_preference, notify_mail (the outbox the sender job
// drains), notify_level (whether each SKU was low when last seen), and the
// event tables' record of applied events.
package notify
