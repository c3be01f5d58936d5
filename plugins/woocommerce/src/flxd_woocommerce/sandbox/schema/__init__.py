"""Argument schemas of the emulated routes and WordPress's way of checking values against them."""
