-- The process that started a run. A node's start-up fails only the 'running' runs whose
-- process is gone, so `flxd run --once` next to a running daemon on the same node (one host,
-- one SQLite file) leaves the daemon's runs alone.
ALTER TABLE runs ADD COLUMN pid {int};
