"""What every test shares: the shared test data helper (`shared_data.py`) and the session's note about it."""

from __future__ import annotations

import pytest
from shared_data import ABSENT, SHARED_DATA, shared_data_present


def pytest_report_header(config: pytest.Config) -> str:
    """One line at the top of the run: where the shared test data is, or that the tests reading it are skipped."""
    if shared_data_present():
        return f"shared test data: {SHARED_DATA}"
    return f"shared test data: {ABSENT}: the tests that read it are skipped"
