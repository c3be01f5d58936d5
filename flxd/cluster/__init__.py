"""Several nodes on one PostgreSQL hub: connection leases and fencing."""
