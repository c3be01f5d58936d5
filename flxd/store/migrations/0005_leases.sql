-- Several nodes on one PostgreSQL database (issue 8): which node holds which connection, and
-- which nodes are alive. Portable SQL; on SQLite (one node holds everything) they stay empty.
-- Times are milliseconds since the epoch on the database's own clock, so the nodes' clocks
-- never take part in deciding whether a lease has expired.

-- One row per leased thing: a connection, or a daemon-wide duty such as '~outbox'. `epoch`
-- grows by one at every claim; each write a run commits checks it (the fence), so a node
-- that lost a lease cannot commit under the old epoch. owner NULL: free.
CREATE TABLE leases (
    connection TEXT PRIMARY KEY,
    owner TEXT,
    epoch {int} NOT NULL DEFAULT 0,
    expires_ms {int} NOT NULL DEFAULT 0,
    claimed_ms {int} NOT NULL DEFAULT 0
);
CREATE INDEX leases_owner ON leases (owner);

-- Nodes taking part in balancing, with their last heartbeat: the fair share is the number of
-- connections over the nodes seen within one lease period. `instance` is a random id per
-- process, so two processes started with the same node id notice each other.
CREATE TABLE nodes (
    node TEXT PRIMARY KEY,
    seen_ms {int} NOT NULL,
    started_ms {int} NOT NULL,
    instance TEXT
);
