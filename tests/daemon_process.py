"""Kept for tests that import it from here; the helper lives in flxd.testing.process."""

from flxd.testing.process import TIMEOUT, DaemonProcess

__all__ = ["TIMEOUT", "DaemonProcess"]
