"""pytest hooks that keep a suite honest: a full run must collect at least the expected
number of tests of each module (so it cannot pass vacuously, e.g. when an import fails),
and a skipped or xfailed test fails the run.

A conftest.py installs them into its own namespace:

    sys.path.insert(0, "<repo>/tests/python")
    import strict_suite
    strict_suite.install(globals(), here=HERE, expected={"test_x.py": 12}, label="x tests")
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest


def install(namespace: dict, here: Path, expected: dict, label: str) -> None:
    here = Path(here).resolve()
    seen: dict = {}

    def pytest_collection_modifyitems(session, config, items):
        """A full run (the whole tests folder, no -k/-m) must collect every module's tests."""
        if config.getoption("keyword") or config.getoption("markexpr"):
            return
        if [Path(a.split("::")[0]).resolve() for a in config.args] != [here]:
            return
        counts: dict = {}
        for item in items:
            counts[item.path.name] = counts.get(item.path.name, 0) + 1
        short = [f"  {name}: {counts.get(name, 0)} collected, at least {least} expected"
                 for name, least in expected.items() if counts.get(name, 0) < least]
        if short:
            raise pytest.UsageError(f"{label}: too few tests collected "
                                    "(the suite must not pass vacuously):\n" + "\n".join(short))

    def pytest_runtest_logreport(report):
        if report.skipped:
            kind = "xfailed" if report.__dict__.get("wasxfail") is not None else "skipped"
            seen.setdefault(kind, []).append(report.nodeid)

    def pytest_sessionfinish(session, exitstatus):
        """Skips and xfails are failures here: every test must really run."""
        bad = seen.get("skipped", []) + seen.get("xfailed", [])
        if bad:
            sys.stderr.write(f"\n{label}: these tests were skipped or xfailed, which this "
                             "suite does not allow:\n  " + "\n  ".join(bad) + "\n")
            session.exitstatus = 1

    namespace.update(pytest_collection_modifyitems=pytest_collection_modifyitems,
                     pytest_runtest_logreport=pytest_runtest_logreport,
                     pytest_sessionfinish=pytest_sessionfinish)
