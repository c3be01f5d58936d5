"""flxd hook implementations for BigCommerce. Hooks only register; the work lives elsewhere."""
