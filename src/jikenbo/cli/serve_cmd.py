"""Placeholder: filled in by the stage that owns this module (see docs/ARCHITECTURE.md)."""

import click


def register(group: click.Group) -> None:
    """No commands yet."""
