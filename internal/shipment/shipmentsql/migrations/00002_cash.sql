-- +goose Up
-- Cash on delivery: what the delivery partner collects (cash_due, minor
-- units of cash_currency; 0 for a prepaid parcel) and what was collected
-- with the delivered event (NULL until then).
ALTER TABLE shipment_shipment ADD COLUMN cash_due BIGINT NOT NULL DEFAULT 0;
ALTER TABLE shipment_shipment ADD COLUMN cash_currency TEXT NOT NULL DEFAULT '';
ALTER TABLE shipment_shipment ADD COLUMN cash_collected BIGINT;

-- +goose Down
ALTER TABLE shipment_shipment DROP COLUMN cash_collected;
ALTER TABLE shipment_shipment DROP COLUMN cash_currency;
ALTER TABLE shipment_shipment DROP COLUMN cash_due;
