"""What every test shares: the shared test data helper (`shared_data.py`) and the session's note about it."""

from __future__ import annotations

from collections.abc import Generator

import pytest
import shared_data
from shared_data import ABSENT, SHARED_DATA, shared_data_present

HELPER = "tests/shared_data.py"


def pytest_report_header(config: pytest.Config) -> str:
    """One line at the top of the run: where the shared test data is, or that the tests reading it are skipped."""
    if shared_data_present():
        return f"shared test data: {SHARED_DATA}"
    return f"shared test data: {ABSENT}: the tests that read it are skipped"


def _one_place(report: pytest.TestReport | pytest.CollectReport) -> None:
    """A skip for the absent shared data is reported at the helper, so pytest's summary folds them into one line."""
    longrepr = report.longrepr
    if report.skipped and isinstance(longrepr, tuple) and str(longrepr[2]).endswith(ABSENT):
        report.longrepr = (HELPER, shared_data.ABSENT_LINE, longrepr[2])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport,
                                                                                          pytest.TestReport]:
    report = yield
    _one_place(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, pytest.CollectReport,
                                                                         pytest.CollectReport]:
    report = yield
    _one_place(report)
    return report
