-- +goose Up
CREATE TABLE shipment_shipment (
    id               TEXT   PRIMARY KEY,
    order_id         TEXT   NOT NULL,
    seller_order_id  TEXT   NOT NULL,
    seller_id        TEXT   NOT NULL,
    customer_id      TEXT   NOT NULL,
    status           TEXT   NOT NULL CHECK (status IN ('pending', 'packed', 'handed_over', 'picked_up', 'in_transit',
                                'out_for_delivery', 'delivered', 'failed_attempt', 'returned_to_seller', 'cancelled')),
    carrier          TEXT   NOT NULL,
    tracking_id      TEXT   NOT NULL,
    partner_id       TEXT   NOT NULL DEFAULT '', -- '' until handed over
    ship_name        TEXT   NOT NULL,
    ship_line1       TEXT   NOT NULL,
    ship_line2       TEXT   NOT NULL,
    ship_city        TEXT   NOT NULL,
    ship_region      TEXT   NOT NULL,
    ship_postal_code TEXT   NOT NULL,
    ship_country     TEXT   NOT NULL,
    ship_phone       TEXT   NOT NULL,
    items            TEXT   NOT NULL, -- JSON snapshot of the seller order's lines
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
-- One shipment per seller order, whatever delivers the paid event again.
CREATE UNIQUE INDEX shipment_shipment_seller_order ON shipment_shipment (seller_order_id);
CREATE UNIQUE INDEX shipment_shipment_tracking ON shipment_shipment (tracking_id);
CREATE INDEX shipment_shipment_order ON shipment_shipment (order_id);
CREATE INDEX shipment_shipment_seller ON shipment_shipment (seller_id, id);
CREATE INDEX shipment_shipment_partner ON shipment_shipment (partner_id, id);
-- Delivery partners' loads: shipments under way.
CREATE INDEX shipment_shipment_load ON shipment_shipment (partner_id)
    WHERE status IN ('handed_over', 'picked_up', 'in_transit', 'out_for_delivery', 'failed_attempt');

-- The timeline: one row per tracking event.
CREATE TABLE shipment_event (
    id          TEXT   PRIMARY KEY,
    shipment_id TEXT   NOT NULL REFERENCES shipment_shipment (id),
    status      TEXT   NOT NULL,
    location    TEXT   NOT NULL,
    note        TEXT   NOT NULL,
    proof       TEXT   NOT NULL,
    actor_id    TEXT   NOT NULL, -- '' for the system
    at          BIGINT NOT NULL
);
CREATE INDEX shipment_event_shipment ON shipment_event (shipment_id, at, id);

-- +goose Down
DROP TABLE shipment_event;
DROP TABLE shipment_shipment;
