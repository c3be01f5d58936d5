"""The listing operations on WooCommerce: import, publish, sync."""
