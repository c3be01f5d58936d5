"""WooCommerce for flxd: the channel plugin (entry point `woocommerce` in group `flxd`,
:mod:`flxd_woocommerce.plugin`) and the emulated WooCommerce store it is proven on
(:mod:`flxd_woocommerce.sandbox`).

The plugin imports only `flxd.plugin`. Modules: `config` (what a connection takes), `auth`
(HTTP Basic, OAuth 1.0a), `client` (the REST API), `policy` and `errors` (what answers mean),
`keyset` (walking a collection by id), `listings/` and `orders/` (the five operations),
`reconcile` (the reconciliation pass's reader), `check`, `approval`, `webhooks`, `embedded`
(the sandbox inside flxd).
"""
