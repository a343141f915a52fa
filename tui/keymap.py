"""``authdesk keys``: every key binding's id, its keys and where it works, for ``[keys]`` in config.toml.

The ids are collected from the ``BINDINGS`` of every screen and widget in
``tui`` (imported here, never at start-up). Ids in ``[keys]`` that no binding
has are reported, so a typo in config.toml does not go unnoticed.
"""

from __future__ import annotations

import pkgutil
from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True, slots=True)
class KeyBinding:
    """One binding as an administrator remaps it."""

    id: str
    keys: str
    description: str
    where: str


def all_bindings() -> list[KeyBinding]:
    """Every binding with an id in the app's screens and widgets, sorted by where, then id."""
    import tui
    from textual.binding import Binding

    found: dict[tuple[str, str], KeyBinding] = {}
    for module_info in pkgutil.walk_packages(tui.__path__, prefix="tui."):
        if module_info.name in ("tui.__main__",):
            continue
        module = import_module(module_info.name)
        for value in vars(module).values():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue
            for binding in value.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id:
                    where = value.__name__
                    found[(where, binding.id)] = KeyBinding(binding.id, binding.key, binding.description, where)
    return sorted(found.values(), key=lambda b: (b.where, b.id))


def unknown_ids(keymap: dict[str, str], bindings: list[KeyBinding]) -> list[str]:
    """The ids in ``keymap`` that no binding has."""
    known = {b.id for b in bindings}
    return sorted(set(keymap) - known)


def run_keys(error) -> int:
    """Print the bindings (with any remapping in force) and report unknown ids in ``[keys]``."""
    from store.config import config_path, settings

    keymap = dict(settings().keys)
    bindings = all_bindings()
    width = max(len(b.id) for b in bindings)
    for binding in bindings:
        keys = keymap.get(binding.id)
        shown = f"{keys}  (default {binding.keys})" if keys else binding.keys
        print(f"{binding.id:<{width}}  {shown:<24}  {binding.description or '-'}  [{binding.where}]")
    unknown = unknown_ids(keymap, bindings)
    if unknown:
        raise error(f"{config_path()}: [keys] names no binding {', '.join(unknown)} (the ids are listed above)")
    return 0


__all__ = ["KeyBinding", "all_bindings", "run_keys", "unknown_ids"]
