"""The emulated catalog: records, the rules that guard them, and their V3 JSON."""
