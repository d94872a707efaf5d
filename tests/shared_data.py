"""The shared test data (`../shared/data` beside the checkout: recordings, books, normalization cases).

Every test that reads it asks `shared_data(...)` for the path, so that without the folder each such test is skipped
with the same reason (pytest's summary folds them into one line) and the session header says so once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (ROOT.parent / "shared" / "data").resolve()
ABSENT = "the shared test data (../shared/data beside the checkout) is absent"
ABSENT_LINE = 0
"""Where the summary reports those skips (set below to the line that raises them)."""


def shared_data_present() -> bool:
    """True when `../shared/data` exists beside the checkout."""
    return SHARED_DATA.is_dir()


def shared_data(*parts: str, module_level: bool = False) -> Path:
    """The path of `parts` under the shared data folder, which must exist; the calling test (or module, with
    `module_level`) is skipped with the one wording `ABSENT` when the folder is absent, and with a reason naming the
    file when the folder is there but the file is not.
    """
    if not shared_data_present():
        pytest.skip(ABSENT, allow_module_level=module_level)  # the line ABSENT_LINE names
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is missing from the shared test data", allow_module_level=module_level)
    return path


ABSENT_LINE = next(number for number, line in enumerate(Path(__file__).read_text().splitlines(), 1)
                   if "pytest.skip(ABSENT" in line)
