"""Loading plugins, and the typed facade core uses instead of calling `pm.hook.*` directly."""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, entry_points
from importlib.metadata import version as dist_version
from typing import Any

import pluggy

from flxd.errors import PluginError
from flxd.plugin import hookspecs
from flxd.plugin.registry import ChannelType, Command, FeedType, Registrar, SinkType, WebRoute

__all__ = [
    "BUILTIN_PLUGINS",
    "DISABLE_ENV",
    "ENTRY_POINT_GROUP",
    "PluginHost",
    "PluginInfo",
    "disabled_plugins",
    "load_plugins",
]

ENTRY_POINT_GROUP = "flxd"
BUILTIN_PLUGINS = ("flxd.builtin.sinks", "flxd.builtin.feeds")
RESERVED_COMMANDS = frozenset(
    {
        "run",
        "check-config",
        "plugins",
        "listings",
        "orders",
        "runs",
        "status",
        "connections",
        "sandbox",
    }
)


DISABLE_ENV = "FLXD_DISABLE_PLUGINS"
"""Plugins not to load, by name, comma-separated (e.g. to run without a broken plugin while it
is fixed, without uninstalling it): FLXD_DISABLE_PLUGINS=bigcommerce,flxd.builtin.feeds."""


@dataclass(frozen=True, slots=True)
class PluginInfo:
    name: str
    distribution: str | None
    version: str | None
    disabled: bool = False
    """Installed but not loaded (FLXD_DISABLE_PLUGINS)."""


@dataclass(slots=True)
class PluginHost:
    """The loaded plugins and everything they registered; built once per process by load_plugins."""

    plugins: list[PluginInfo]
    channels: Registrar[ChannelType] = field(default_factory=lambda: Registrar(ChannelType))
    feeds: Registrar[FeedType] = field(default_factory=lambda: Registrar(FeedType))
    sinks: Registrar[SinkType] = field(default_factory=lambda: Registrar(SinkType))
    commands: Registrar[Command] = field(
        default_factory=lambda: Registrar(Command, reserved=RESERVED_COMMANDS)
    )
    web_routes: Registrar[WebRoute] = field(default_factory=lambda: Registrar(WebRoute))

    def registrations(self, plugin: str) -> list[tuple[str, str]]:
        """(kind, name) pairs that `plugin` registered, for `flxd plugins`."""
        registrars: list[tuple[str, Registrar[Any]]] = [
            ("channel", self.channels),
            ("feed", self.feeds),
            ("sink", self.sinks),
            ("command", self.commands),
            ("web route", self.web_routes),
        ]
        return [
            (kind, reg.item.name)
            for kind, registrar in registrars
            for reg in registrar
            if reg.plugin == plugin
        ]


def disabled_plugins(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The plugin names $FLXD_DISABLE_PLUGINS lists."""
    value = (os.environ if environ is None else environ).get(DISABLE_ENV, "")
    return frozenset(name.strip() for name in value.split(",") if name.strip())


def load_plugins(
    *,
    extra: Iterable[object] = (),
    entry_point_group: str = ENTRY_POINT_GROUP,
    disabled: Iterable[str] | None = None,
) -> PluginHost:
    """Load the built-in plugins, then every installed `flxd` entry point, then `extra` objects,
    leaving out those named in `disabled` (default: $FLXD_DISABLE_PLUGINS) without importing
    them.

    Fails with PluginError, naming the plugin, if one cannot be imported, implements a hook that
    does not exist (a misspelling), implements a hook with `async def`, or registers bad things.
    """
    skip = disabled_plugins() if disabled is None else frozenset(disabled)
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    infos: list[PluginInfo] = []
    for module_name in BUILTIN_PLUGINS:
        if module_name in skip:
            infos.append(PluginInfo(module_name, "flxd", _version("flxd"), disabled=True))
            continue
        module = __import__(module_name, fromlist=["_"])
        pm.register(module, name=module_name)
        infos.append(PluginInfo(module_name, "flxd", _version("flxd")))
    for ep in sorted(entry_points(group=entry_point_group), key=lambda e: e.name):
        if pm.has_plugin(ep.name):
            continue
        if ep.name in skip:
            dist = ep.dist.name if ep.dist is not None else None
            infos.append(PluginInfo(ep.name, dist, _version(dist) if dist else None, disabled=True))
            continue
        try:
            plugin = ep.load()
        except Exception as exc:
            raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to import: {exc!r}") from exc
        dist = ep.dist.name if ep.dist is not None else None
        _register(pm, plugin, ep.name)
        infos.append(PluginInfo(ep.name, dist, _version(dist) if dist else None))
    for plugin in extra:
        name = getattr(plugin, "__name__", type(plugin).__name__)
        _register(pm, plugin, name)
        infos.append(PluginInfo(name, None, None))
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or repr(exc.plugin)
        raise PluginError(
            f"plugin {name!r} implements a hook flxd does not define (misspelt?): {exc}"
        ) from exc
    _reject_async(pm)

    host = PluginHost(plugins=infos)
    _collect(pm, "flxd_register_channels", host.channels)
    _collect(pm, "flxd_register_feeds", host.feeds)
    _collect(pm, "flxd_register_sinks", host.sinks)
    _collect(pm, "flxd_register_commands", host.commands)
    _collect(pm, "flxd_register_web_routes", host.web_routes)
    return host


def _register(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    try:
        pm.register(plugin, name=name)
    except (ValueError, pluggy.PluginValidationError) as exc:
        raise PluginError(f"plugin {name!r} cannot be registered: {exc}") from exc


def _reject_async(pm: pluggy.PluginManager) -> None:
    for hook_name in dir(pm.hook):
        if not hook_name.startswith("flxd_"):
            continue
        for impl in getattr(pm.hook, hook_name).get_hookimpls():
            fn = impl.function
            if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
                raise PluginError(
                    f"plugin {impl.plugin_name!r}: hook {hook_name} is 'async def'; flxd hooks are "
                    "synchronous and only register things (put async work on what they register)"
                )


def _collect(pm: pluggy.PluginManager, hook_name: str, registrar: Registrar[Any]) -> None:
    # Each implementation is called on its own so every registration names its plugin.
    for impl in reversed(getattr(pm.hook, hook_name).get_hookimpls()):
        try:
            args = {"register": registrar.bind(impl.plugin_name)}
            impl.function(*(args[name] for name in impl.argnames))
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(
                f"plugin {impl.plugin_name!r} failed in {hook_name}: {exc!r}"
            ) from exc


def _version(dist: str) -> str | None:
    try:
        return dist_version(dist)
    except PackageNotFoundError:
        return None
