-- Acknowledging imported orders and pushing shipments exactly once (issue 6).
-- Portable SQL for SQLite and PostgreSQL.

-- Where an order's acknowledgement on its channel stands: NULL (none was asked for when it was
-- imported), 'pending', 'done', 'conflict' (changed by someone else first; not overwritten) or
-- 'failed' (the channel refused it). acknowledged_at and ack_note say when and what.
ALTER TABLE orders ADD COLUMN ack_state TEXT;
CREATE INDEX orders_ack ON orders (connection, ack_state);

-- Set just before a shipment is sent to its channel: a shipment that has it but is still
-- pending may have reached the channel, so the next push looks for it there before creating.
ALTER TABLE shipments ADD COLUMN attempted_at TEXT;
