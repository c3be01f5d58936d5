"""flxd: a self-hosted daemon keeping a hub catalog and order book in sync with sales channels."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("flxd")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
