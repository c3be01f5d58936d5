-- Credentials obtained at run time (OAuth access tokens), encrypted with the daemon's secret key,
-- and OAuth approvals that were started and are waiting for the channel's callback.

CREATE TABLE credentials (
    connection TEXT PRIMARY KEY,
    ciphertext TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE pending_auth (
    state TEXT PRIMARY KEY,
    connection TEXT NOT NULL,
    channel TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX pending_auth_connection ON pending_auth (connection);
