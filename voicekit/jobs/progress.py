"""Progress bars that render as widgets in notebooks and as text in terminals (tqdm.auto)."""

from __future__ import annotations

from typing import Any

from tqdm.auto import tqdm


def progress_bar(*, total: float | None, unit: str, desc: str, enabled: bool) -> tqdm[Any]:
    """A progress bar, or a silent one when `enabled` is False."""
    return tqdm(total=total, unit=unit, desc=desc, disable=not enabled, dynamic_ncols=True, leave=True,
                bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} {unit} [{elapsed}<{remaining}{postfix}]"
                if unit == "s" else None)
