"""flxd's configuration: the file format, its validation, and the bases plugins extend."""

from flxd.config.loader import (
    Config,
    ConnectionConfig,
    TypedTable,
    find_config,
    load_config,
    parse_config,
)
from flxd.config.models import (
    AdminSettings,
    ConnectionSettings,
    DaemonSettings,
    LoggingSettings,
    OperationSettings,
    TypedSettings,
)
from flxd.config.types import (
    Duration,
    EnvSecret,
    FileSecret,
    RelativePath,
    StrictModel,
    parse_duration,
    pick_secret,
)

__all__ = [
    "AdminSettings",
    "Config",
    "ConnectionConfig",
    "ConnectionSettings",
    "DaemonSettings",
    "Duration",
    "EnvSecret",
    "FileSecret",
    "LoggingSettings",
    "OperationSettings",
    "RelativePath",
    "StrictModel",
    "TypedSettings",
    "TypedTable",
    "find_config",
    "load_config",
    "parse_config",
    "parse_duration",
    "pick_secret",
]
