"""The judge's data files (``src/jikenbo/data/judge/*.toml``), loaded once and checked.

Cue words are NFKC-normalised on load, because the judge searches normalised text.
"""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any

from jikenbo.config import ConfigError, data_path
from jikenbo.text.normalize import nfkc


def _check(node: Any, where: str) -> Any:
    if isinstance(node, dict):
        return {k: _check(v, f"{where}.{k}") for k, v in node.items()}
    if isinstance(node, list):
        if not node:
            raise ConfigError(f"judge data {where} is empty")
        return [nfkc(v) if isinstance(v, str) else _check(v, where) for v in node]
    return node


@cache
def load(name: str) -> dict[str, Any]:
    """``data/judge/<name>.toml`` with every cue list NFKC-normalised."""
    path = data_path("judge", f"{name}.toml")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"{path}: file not found") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e
    return _check(raw, name)


def rules() -> dict[str, Any]:
    return load("rules")


def items() -> dict[str, Any]:
    return load("items")


def simple_ep() -> dict[str, Any]:
    return load("simple_ep")


def bodies() -> dict[str, Any]:
    """Body kinds and the rule each follows (``data/judge/bodies.toml``)."""
    return load("bodies")


def taxonomy() -> dict[str, Any]:
    return load("taxonomy")
