"""The order operations on WooCommerce: get orders (and acknowledge them), sync shipments."""
