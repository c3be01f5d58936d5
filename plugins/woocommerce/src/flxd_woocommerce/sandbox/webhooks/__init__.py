"""Webhooks: the records a store keeps (``/wc/v3/webhooks``) and their deliveries."""
