"""WooCommerce for flxd.

For now this distribution holds the emulated WooCommerce store (:mod:`flxd_woocommerce.sandbox`)
that the WooCommerce channel will be built and proven on; the channel plugin itself (client,
operations, hooks, the ``flxd`` entry point) comes later.
"""
