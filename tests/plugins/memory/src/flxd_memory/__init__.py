"""An example channel, as a plugin author would write one: a real HTTP channel over a small
in-memory store that the plugin serves itself on loopback.

- `store`: the store's data and rules (and the faults tests turn on);
- `server`: the store over HTTP (aiohttp), started with the first connection that needs it;
- `api`: requests through core's HTTP client, and the HttpPolicy reading the answers;
- `listings`, `orders`: the five operations, each on one of core's flows;
- `channel`, `plugin`: the settings, the Channel, and the registration.

It imports nothing from flxd but `flxd.plugin`, and passes flxd's channel contract
(tests/testing/test_contract_memory.py).
"""
