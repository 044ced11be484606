// Package inventory keeps stock per SKU per warehouse and the reservations
// orders hold against it.
//
// Every seller has warehouses (a default one is created on first need); a
// stock row per (SKU, warehouse) holds on_hand and reserved, and the database
// itself refuses overselling with CHECK (reserved >= 0) and
// CHECK (on_hand >= reserved). Available is on_hand - reserved, summed over a
// SKU's warehouses.
//
// Orders reserve stock with Reserve (or inventorysql.ReserveTx inside the
// order's own transaction): quantities are summed per SKU, SKUs are taken in
// sorted order and each decrement is one conditional UPDATE, so concurrent
// checkouts never oversell and never deadlock on each other. A reservation is
// held until it is committed (payment succeeded: on_hand and reserved go
// down), released (reserved goes down), or it expires and the sweeper
// releases it.
//
// Tables: inventory_warehouse, inventory_stock, inventory_reservation,
// inventory_reservation_line.
//
// Events published: inventory.stock.changed.v1 (StockChanged), on every
// change of on_hand or reserved (set, reserve, commit, release, expiry),
// aggregate = the SKU.
// Events consumed: none.
package inventory
