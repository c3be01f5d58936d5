-- A listing's own history in the change log, newest first (how many runs in a row the store
-- failed an item: flxd.hub.changes.ChangeLog.repeats).
CREATE INDEX change_log_listing ON change_log (listing_id, seq);
