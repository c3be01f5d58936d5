"""The order operations: get orders (scan, mapping, importer, acknowledge) and sync orders
(shipments); explain (`flxd orders explain`)."""
