"""The hub: flxd's own catalog, links, order book, shipments, outbox and credentials."""
