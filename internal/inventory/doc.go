// Package inventory keeps stock per SKU per warehouse and the reservations
// orders hold against it.
//
// Every seller has warehouses (a default one is created on first need); a
// stock row per (SKU, warehouse) holds on_hand and reserved, and the database
// itself refuses overselling with CHECK (reserved >= 0) and
// CHECK (on_hand >= reserved). Available is on_hand - reserved, summed over a
// SKU's warehouses.
//
// Orders reserve stock with Reserve, a call of its own (inventory's
// transaction, never the order's): quantities are summed per SKU, SKUs are
// taken in sorted order and each decrement is one conditional UPDATE, so
// concurrent checkouts never oversell and never deadlock on each other. The
// reservation is recorded under the order's ID, so reserving again with the
// same lines is a no-op (a retry). A reservation is held until it is
// committed (payment succeeded: on_hand and reserved go down; Commit again is
// a no-op), released (reserved goes down), or it expires and the sweeper
// releases it. Return gives a cancelled order's stock back whatever became of
// the reservation: a held one is released, committed units are restocked
// once (inventory_restock), a released one is left alone; it decides and acts
// in one transaction, so a Commit racing it is either restocked or refused.
// ReturnUnits puts the units of a customer's return (an RMA of the support
// module) back on hand in the warehouses the committed reservation took them
// from, once per (return, SKU) (inventory_return), and never more of a SKU
// over all the order's returns than was committed and not restocked. It
// and Restock lock the reservation's row, so an order's restocks and returns
// take turns and each sees what the others put back.
// Inventory cannot import order: the order and support modules call these
// methods, from their services and their own event consumers.
//
// Tables: inventory_warehouse, inventory_stock, inventory_reservation,
// inventory_reservation_line, inventory_restock, inventory_return.
//
// Events published: inventory.stock.changed.v1 (StockChanged), on every
// change of on_hand or reserved (set, reserve, commit, release, expiry,
// restock, return), aggregate = the SKU.
// Events consumed: none.
package inventory
