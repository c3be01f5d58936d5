"""The emulated order book: orders, checkout, shipments and their V2 JSON."""
