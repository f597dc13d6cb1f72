"""Settings and lexicons shipped as data files, overridable by the user.

``settings(section)`` reads ``data/settings/<section>.toml`` and lays the matching table of
the user's file (``$JIKENBO_CONFIG``, TOML) over it. ``lexicon(name)`` reads
``data/lexicon/<name>.toml``: named, ordered groups of cue words that an analyst can extend
without touching code, and adds what ``$JIKENBO_LEXICON_DIR/<name>.toml`` holds (its lists
are appended to the shipped groups of the same name, its new groups added). An empty group is
an error, not a silent no-match.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

DATA = resources.files("jikenbo") / "data"


class ConfigError(Exception):
    """A settings or lexicon file is missing or malformed."""


def _load_toml(path: Any) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"{path}: file not found") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e


@cache
def _user_config() -> dict[str, Any]:
    p = os.environ.get("JIKENBO_CONFIG")
    return _load_toml(Path(p)) if p else {}


@cache
def settings(section: str) -> dict[str, Any]:
    """The shipped defaults of ``section`` with the user's overrides on top."""
    base = _load_toml(DATA / "settings" / f"{section}.toml")
    for key, value in _user_config().get(section, {}).items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}  # one weight of a table overridden, the rest kept
        else:
            base[key] = value
    return base


@cache
def lexicon(name: str) -> dict[str, Any]:
    """A lexicon file with the user's additions; every list in it must be non-empty."""
    data = _load_toml(DATA / "lexicon" / f"{name}.toml")
    extra_dir = os.environ.get("JIKENBO_LEXICON_DIR")
    if extra_dir and (Path(extra_dir) / f"{name}.toml").is_file():
        _extend(data, _load_toml(Path(extra_dir) / f"{name}.toml"))
    _check_nonempty(data, name)
    return data


def _extend(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _extend(base[key], value)
        elif isinstance(value, list) and isinstance(base.get(key), list):
            base[key] = base[key] + [v for v in value if v not in base[key]]
        else:
            base[key] = value


def _check_nonempty(node: Any, where: str) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _check_nonempty(v, f"{where}.{k}")
    elif isinstance(node, list) and not node:
        raise ConfigError(f"lexicon group {where} is empty")


def options_from(cls: Any, section: str, **overrides: Any) -> Any:
    """An options dataclass ``cls`` from ``settings(section)``: its own fields only, lists as
    tuples, then ``overrides`` that are not None (a command-line flag not given)."""
    known = {k: tuple(v) if isinstance(v, list) else v for k, v in settings(section).items()
             if k in cls.__dataclass_fields__}
    known.update({k: v for k, v in overrides.items() if v is not None})
    return cls(**known)


def data_path(*parts: str) -> Any:
    """A shipped data file (a ``Traversable``)."""
    p = DATA
    for part in parts:
        p = p / part
    return p
