-- flxd hub schema, version 1.
-- Portable SQL for SQLite and PostgreSQL. {pk} is a generated integer primary key, {int} a
-- 64-bit integer.
-- Money is TEXT holding a decimal string (exact in both databases); times are TEXT in ISO-8601 UTC
-- with microseconds, so they sort chronologically as strings.

CREATE TABLE listings (
    id {pk},
    key TEXT NOT NULL UNIQUE,
    name TEXT,
    description TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    presence TEXT NOT NULL DEFAULT 'listed' CHECK (presence IN ('listed', 'hidden', 'delisted')),
    seq {int} NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE variants (
    id {pk},
    listing_id {int} NOT NULL REFERENCES listings (id),
    sku TEXT NOT NULL,
    sku_key TEXT NOT NULL UNIQUE,
    upc TEXT,
    mpn TEXT,
    gtin TEXT,
    price TEXT,
    quantity {int},
    options TEXT NOT NULL DEFAULT '[]',
    attributes TEXT NOT NULL DEFAULT '[]',
    seq {int} NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX variants_listing ON variants (listing_id);
CREATE INDEX variants_seq ON variants (seq);

-- Monotonic counters (the change sequence). Taking the next value locks the row until commit,
-- so sequences become visible in the order they were taken, on either backend.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value {int} NOT NULL
);
INSERT INTO counters (name, value) VALUES ('change_seq', 0);
INSERT INTO counters (name, value) VALUES ('outbox_seq', 0);

-- Every hub change appends here; sync_listings' cursor is the last seq it pushed.
-- variant_id NULL means a listing-level change (status, presence, name).
CREATE TABLE change_log (
    seq {int} PRIMARY KEY,
    listing_id {int} NOT NULL,
    variant_id {int},
    fields TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE links (
    connection TEXT NOT NULL,
    variant_id {int} NOT NULL REFERENCES variants (id),
    listing_id {int} NOT NULL REFERENCES listings (id),
    product_ref TEXT NOT NULL,
    variant_ref TEXT,
    state TEXT NOT NULL DEFAULT 'listed'
        CHECK (state IN ('listed', 'hidden', 'delisted', 'missing', 'failed')),
    pushed_price TEXT,
    pushed_quantity {int},
    error TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (connection, variant_id)
);
CREATE INDEX links_product ON links (connection, product_ref);
CREATE INDEX links_listing ON links (connection, listing_id);

CREATE TABLE orders (
    id {pk},
    connection TEXT NOT NULL,
    channel_order_id TEXT NOT NULL,
    status_code TEXT NOT NULL,
    status_name TEXT,
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL,
    currency TEXT,
    subtotal TEXT,
    shipping_total TEXT,
    tax_total TEXT,
    discount_total TEXT,
    grand_total TEXT NOT NULL,
    customer_name TEXT,
    customer_email TEXT,
    customer_phone TEXT,
    billing_address TEXT,
    imported_at TEXT NOT NULL,
    acknowledged_at TEXT,
    ack_note TEXT,
    pii_erased_at TEXT,
    UNIQUE (connection, channel_order_id)
);
CREATE INDEX orders_imported ON orders (imported_at);

CREATE TABLE order_lines (
    id {pk},
    order_id {int} NOT NULL REFERENCES orders (id),
    channel_line_id TEXT NOT NULL,
    channel_address_id TEXT,
    sku TEXT,
    variant_id {int},
    name TEXT,
    quantity {int} NOT NULL,
    unit_price TEXT,
    total TEXT,
    UNIQUE (order_id, channel_line_id)
);

CREATE TABLE order_addresses (
    id {pk},
    order_id {int} NOT NULL REFERENCES orders (id),
    channel_address_id TEXT NOT NULL,
    name TEXT,
    company TEXT,
    street_1 TEXT,
    street_2 TEXT,
    city TEXT,
    state TEXT,
    zip TEXT,
    country TEXT,
    country_code TEXT,
    phone TEXT,
    email TEXT,
    shipping_method TEXT,
    UNIQUE (order_id, channel_address_id)
);

CREATE TABLE shipments (
    id {pk},
    order_id {int} NOT NULL REFERENCES orders (id),
    carrier TEXT,
    tracking_number TEXT,
    method TEXT,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'pushed', 'failed')),
    channel_shipment_id TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    pushed_at TEXT
);
CREATE INDEX shipments_state ON shipments (state, order_id);

CREATE TABLE shipment_lines (
    shipment_id {int} NOT NULL REFERENCES shipments (id),
    order_line_id {int} NOT NULL REFERENCES order_lines (id),
    quantity {int} NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (shipment_id, order_line_id)
);

CREATE TABLE cursors (
    connection TEXT NOT NULL,
    operation TEXT NOT NULL,
    part TEXT NOT NULL DEFAULT '',
    value TEXT NOT NULL,
    run_id {int},
    updated_at TEXT NOT NULL,
    PRIMARY KEY (connection, operation, part)
);

CREATE TABLE runs (
    id {pk},
    connection TEXT NOT NULL,
    operation TEXT NOT NULL,
    trigger TEXT NOT NULL,
    node TEXT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    outcome TEXT NOT NULL,
    counts TEXT NOT NULL DEFAULT '{}',
    error TEXT
);
CREATE INDEX runs_by_key ON runs (connection, operation, id);

-- Events for sinks, delivered at least once in id order (ids come from counters.outbox_seq).
CREATE TABLE outbox (
    id {int} PRIMARY KEY,
    topic TEXT NOT NULL,
    key TEXT,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE sink_offsets (
    sink TEXT PRIMARY KEY,
    last_id {int} NOT NULL,
    failures {int} NOT NULL DEFAULT 0,
    last_error TEXT,
    updated_at TEXT NOT NULL
);

CREATE TABLE connection_state (
    connection TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('active', 'needs_reauth', 'pending_auth')),
    reason TEXT,
    fingerprint TEXT,
    updated_at TEXT NOT NULL
);
