"""Talking to stores: HTTP, the one retry policy, the one rate limiter."""
