"""BigCommerce channel for flxd."""
