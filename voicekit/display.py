"""Where rich display code registers itself, so that result models never import it.

A model's `_repr_html_` asks `html(self)`; `voicekit.notebook` registers one renderer per model type when it is
imported (which `import voicekit` does). Without a registered renderer a model has no HTML form and notebooks fall
back to its plain repr. This module imports nothing from voicekit: models depend on it, and display code depends on
the models, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Renderer = Callable[[Any], str]

_renderers: dict[type, Renderer] = {}


def register_html(kind: type, renderer: Renderer) -> None:
    """Use `renderer` for the HTML form of `kind` (and of its subclasses)."""
    _renderers[kind] = renderer


def html(item: object) -> str | None:
    """The HTML form of `item`, or None when no renderer is registered for its type."""
    for kind in type(item).__mro__:
        renderer = _renderers.get(kind)
        if renderer is not None:
            return renderer(item)
    return None


def mimebundle(item: object, plain: str) -> dict[str, str]:
    """The representations a notebook picks from: HTML when a renderer is registered, and `plain` text."""
    rich = html(item)
    return {"text/plain": plain} if rich is None else {"text/html": rich, "text/plain": plain}
