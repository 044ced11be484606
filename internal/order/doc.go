// Package order turns a customer's cart (or explicit lines) into an order
// split into one seller order per seller, holds its stock while it awaits
// payment, follows its payment, shipments and cancellation, and derives the
// customer order's status from its parts.
//
// # Placing and paying
//
// No transaction spans two modules: each may live in its own database. The
// order module reaches inventory and carts through the Stock and Carts
// interfaces it declares (*inventory.Service and *cart.Service, or remote
// clients), whose every method is idempotent per order ID, and its own
// transactions hold only its tables and its outbox.
//
// Place prices every line from the catalog (never from the client), sums
// quantities per SKU and splits the lines per seller (each seller order with
// its shipping fee, Options.ShippingFee, and tax, Options.TaxBasisPoints on
// goods only). Then, in this order:
//
//  1. The placement is started in the order's store (order_placements):
//     a retry with the same Idempotency-Key whose earlier attempt never
//     wrote its order takes over that attempt's order ID.
//  2. Stock.Reserve holds the stock under the order's ID until the order's
//     expiry plus the payment grace (all or nothing; Conflict
//     "insufficient_stock" leaves nothing anywhere). Reserving the same
//     lines again is a no-op, so the retry above adopts the reservation.
//  3. The order and order.placed.v1 (with from_cart) are written, and the
//     placement ended, in one transaction. If that fails, the placement is
//     dropped and Stock.Release gives the stock back. An order awaiting
//     payment therefore always has its reservation.
//  4. For lines from the cart, Carts.RemoveOrdered takes exactly the ordered
//     quantities out of the cart (a line added or raised from another tab
//     meanwhile stays). A failure is logged; the "order.cart" consumer of
//     order.placed.v1 does it again, and the cart applies each order once.
//
// A crash between 2 and 3 leaves a reservation without an order: the
// client's retry adopts it, or the expirer ends the placement after
// PlacementTimeout and releases it (inventory's sweeper is the last
// backstop). A placement still running when the expirer ends it fails its
// write (Unavailable "placement_expired") rather than make an order without
// stock. A retry after 3 finds the order by its key. The order awaits
// payment until reservation_expires_at (Options.ReservationTTL,
// BAZAAR_RESERVATION_TTL, 15 minutes by default).
//
// Pay (POST /api/v1/payment) checks that the caller owns the order, that it
// awaits payment and that its reservation is live, notes the attempt on the
// order and calls payment.Service.Start for the order's total outside any
// transaction. The outcome arrives as events: on payment.succeeded.v1 the
// "order" consumer first calls Stock.Commit (a no-op when committed
// already), then, exactly once in the order's transaction
// (Store.ApplyOnce), makes the order paid and every seller order
// awaiting_fulfillment and publishes order.paid.v1. A failure between the two
// leaves the stock committed and the order awaiting payment; the redelivered
// event finishes it. If inventory answers "reservation_released" (its
// sweeper released the stock after even the grace period) the order is
// cancelled with refund_required instead. payment.failed.v1 records the
// failure (last_payment_error) and the order keeps awaiting payment, so the
// customer can retry.
//
// payment.authorized.v1 (cash on delivery, or a card authorised for
// capture later: BAZAAR_PAYMENT_CAPTURE=manual) confirms the order the same
// way with payment_status "authorized" (cash_on_delivery says which). A
// cancelled seller order then has nothing to refund (order.cancelled.v1
// authorized, not refund_required). The "order.settle" consumer of
// order.status_changed.v1 and order.cancelled.v1 settles the payment
// through payment.Service.SettleOnDelivery: cash once every seller order
// is delivered, returned or cancelled, for the delivered ones; a card once
// none awaits fulfilment, for the ones handed over (shipped or delivered);
// with nothing to take the authorisation is voided.
//
// ExpireReservations (RunExpirer) cancels orders whose reservation ran out
// (and ends stale placements, see above). An order whose payment attempt is
// still open gets Options.PaymentGrace more; inventory's own reservation is
// set to expire only after TTL + grace, so inventory's sweeper is a
// backstop. A payment that succeeds for
// an order already cancelled (a late webhook) never brings it back:
// order.cancelled.v1 is published again with refund_required, and the money
// is refunded.
//
// # Cancelling, stock and refunds
//
// The customer (or admin, support) cancels a whole order while no part has
// shipped; a seller cancels its own paid, unshipped seller order with a
// reason; the expirer cancels unpaid orders. Each changes the order and
// publishes order.cancelled.v1 in the order's transaction, then calls
// Stock.Return for the cancelled seller orders' SKUs: inventory releases a
// held reservation or restocks committed units (once per order, SKU and
// warehouse), deciding in its own transaction from the reservation's state.
// A failure is logged; the "order.stock" consumer of order.cancelled.v1
// calls Return again. A payment committing the stock while the order is
// being cancelled either commits first (Return then restocks it) or finds
// the reservation released (the payment is refunded): units are never lost
// nor counted twice. Refunds are never made inside the order's transaction:
// the "order.refund" consumer of order.cancelled.v1 with refund_required
// calls payment.Service.RefundOrder (whole order) or RefundOrderPart (one
// seller order's total), both idempotent, retried by the outbox until the
// gateway answers. payment.refunded.v1 with full=true makes a cancelled
// order refunded.
//
// # Shipping
//
// The shipment module creates one shipment per seller order on
// order.paid.v1 and, at handover, calls ShipSellerOrder: the gate that moves
// a seller order from awaiting_fulfillment to shipped, idempotent per
// shipment. A customer's cancel and a seller's handover both take the
// order's row first, so exactly one of them wins. The module then follows
// shipment.created.v1 and shipment.status_changed.v1 into its own
// projection of each seller order's shipment (id, status, tracking id):
// delivered makes the seller order delivered, returned_to_seller makes it
// returned, and order.delivered.v1 is published once every seller order that
// was not cancelled is delivered. It never reads the shipment module's
// tables.
//
// # Returns
//
// The support module (which builds on this one: order <- support) handles
// returns; OrderOfPart gives it the whole order holding a seller order,
// with no caller check (it acts for the system). When a return's refund went
// through it publishes return.refunded.v1 (internal/support/supportevent,
// the only part of it this module imports): the "order" consumer adds each
// returned quantity to the Returned of the seller order's line of that SKU
// (capped at the line's quantity; unknown orders, seller orders and SKUs are
// logged and ignored), adds the refund to the seller order's Refunded, and
// re-derives the order's status: partially_returned once a unit of a
// delivered seller order is returned, returned once every unit of every
// seller order that was not cancelled is. Seller orders keep their status
// (delivered).
//
// An exchange ships another variant instead of a refund: PlaceReplacement
// (once per key) prices nothing, reserves and commits the stock, and writes
// the order paid with order.placed.v1 and order.paid.v1 (replacement true),
// so the shipment module ships it like any other. The "order.stock"
// consumer of order.paid.v1 commits a replacement's stock again should the
// call after the write have failed.
//
// # State machines
//
// Customer order (Status). Before payment it moves by itself; after payment
// it is derived from its seller orders (Derive):
//
//	pending_payment ─┬─> paid ─┬─> partially_shipped ─┬─> shipped ─┬─> partially_delivered ─> delivered
//	                 │         ├───────────────────────┼─────^      └───────────────────────────^
//	                 │         │                       └─> partially_delivered
//	                 └─────────┴─> cancelled ─> refunded
//
//	partially_shipped ──────────────────────────> partially_returned ─> returned
//	shipped, partially_delivered, delivered ─┬──────────^                   ^
//	                                         └──────────────────────────────┘
//	partially_shipped, shipped ─> cancelled ─> refunded   (every parcel came back undelivered)
//
// Exactly: pending_payment -> paid | cancelled; paid -> partially_shipped |
// shipped | cancelled; partially_shipped -> shipped | partially_delivered |
// partially_returned | cancelled; shipped -> partially_delivered | delivered |
// partially_returned | returned | cancelled; partially_delivered -> delivered |
// partially_returned | returned; delivered -> partially_returned |
// returned; partially_returned -> returned; cancelled -> refunded.
// returned and refunded are final. Derive: every part cancelled or
// returned to its seller undelivered (refused at the door) -> cancelled
// (with the reason "returned to the seller undelivered", and refunded
// once a prepaid order's refund is done); a part returned to its seller
// is otherwise left out, as cancelled for the customer: every other live
// part delivered and wholly returned -> returned;
// some unit of a delivered part returned -> partially_returned (even while
// other parts are still on their way: a later delivery keeps it); every
// other live part delivered -> delivered; some delivered -> partially_delivered;
// none awaiting fulfilment (shipped, delivered or returned) -> shipped;
// some -> partially_shipped; else paid. Only delivered parts count for the
// returns; units refunded on a part not delivered (a lost parcel refunded
// without receipt) count once it is, which is how shipped and
// partially_shipped reach the returned statuses.
//
// Seller order (SellerStatus):
//
//	pending_payment -> awaiting_fulfillment | cancelled
//	awaiting_fulfillment -> shipped | cancelled
//	shipped -> delivered | returned
//
// delivered, returned and cancelled are final. Every other move is a
// Conflict "illegal_transition"; the store refuses one even if a bug asked
// for it.
//
// # Visibility
//
// An order is seen whole by its customer, admins and support (with its
// payments); a seller with a part in it sees only that part, with that
// part's totals; anyone else gets NotFound, exactly as for a missing order.
// GET /api/v1/order lists the caller's orders (a seller: the orders it has a
// part in; admins and support: all); GET /api/v1/seller/order is a seller's
// queue of seller orders.
//
// # Tables (ordersql)
//
//	order_orders         the customer order: status, totals, address (JSON), reservation
//	                     expiry, the latest payment attempt's ID, status and error
//	order_seller_orders  one per seller per order: status, totals, cancellation, and the
//	                     projection of its shipment (shipment_id, shipment_status, tracking_id),
//	                     what its returns refunded
//	order_lines          one per SKU per order: price and title as placed, units returned
//	order_placements     placements started and not yet written (order ID, customer,
//	                     Idempotency-Key, start): the saga log of Place
//	event_applied        (the event package's table) the events the "order" consumer applied
//
// # Events published (aggregate = the order ID; payloads in event.go)
//
//	order.placed.v1          Placed {order_id, customer_id, total, seller_order_ids, lines, from_cart}
//	order.paid.v1            PaidEvent {order_id, customer_id, paid_at, shipping_address, seller_orders, replacement}
//	order.cancelled.v1       CancelledEvent {order_id, customer_id, seller_order_ids, whole, reason, refund_required,
//	                         authorized, cash_on_delivery, sold}
//	order.delivered.v1       DeliveredEvent {order_id, customer_id}
//	order.status_changed.v1  StatusChanged {order_id, customer_id, status, previous_status, at},
//	                         with every change of the customer order's status
//
// # Events consumed (Subscribe takes an event.Subscriber)
//
//	payment.succeeded.v1        as "order", exactly once (Store.ApplyOnce records it in
//	                            event_applied with the order's change); commits stock first
//	payment.authorized.v1       as "order", exactly once; commits stock first
//	payment.failed.v1           as "order", exactly once
//	payment.refunded.v1         as "order", exactly once
//	shipment.created.v1         as "order", exactly once
//	shipment.status_changed.v1  as "order", exactly once
//	return.refunded.v1          as "order", exactly once
//	order.cancelled.v1          as "order.stock", at least once: Stock.Return (idempotent)
//	order.paid.v1               as "order.stock", at least once: a replacement's Stock.Commit (idempotent)
//	order.cancelled.v1          as "order.refund", at least once: refunds (idempotent)
//	order.status_changed.v1,
//	order.cancelled.v1          as "order.settle", at least once: captures or voids an authorised payment (idempotent)
//	order.placed.v1             as "order.cart", at least once: Carts.RemoveOrdered (once per order)
package order
