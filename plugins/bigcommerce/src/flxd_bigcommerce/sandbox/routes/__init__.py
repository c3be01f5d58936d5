"""The HTTP side: the per-store gateway and one module of endpoints per API area."""
