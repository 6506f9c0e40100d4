"""Shared fixtures of the verification service tests (issue 12).

Run by ctest with LIBSIGN_LIBRARY, LIBSIGN_CLI and LIBSIGN_TEST_DATA set; a missing
variable fails the run (nothing is skipped). The service runs with 2 worker processes
on a free loopback port, trusting the fixed test root of testvectors/signed-by-others.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from service import REPO, ServiceError, running_service

sys.path.insert(0, os.path.join(REPO, "tests", "python"))
import strict_suite  # noqa: E402

MAX_BYTES = 300_000
# Each module and the least number of tests it must run: the suite cannot pass by
# collecting nothing, and a skipped test fails the run.
EXPECTED_TESTS = {"test_api.py": 19, "test_browser.py": 7}
strict_suite.install(globals(), here=os.path.dirname(os.path.abspath(__file__)),
                     expected=EXPECTED_TESTS, label="verification service tests")


def env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"${name} is not set (run through ctest)")
    return value


DATA = env("LIBSIGN_TEST_DATA")
PKI = os.path.join(DATA, "signed-by-others", "pki")
ROOT = os.path.join(PKI, "root-ca.crt")


@pytest.fixture(scope="session")
def server():
    try:
        with running_service({"LIBSIGN_TRUST": ROOT, "LIBSIGN_MAX_BYTES": str(MAX_BYTES),
                              "LIBSIGN_LANGUAGE": "en"}) as service:
            yield service.base
    except ServiceError as e:
        pytest.fail(str(e))
    assert "Traceback" not in service.output, service.output


def run_cli(*args):
    # The CLI carries its own sanitizer runtime when built with one: no preloaded copy.
    clean = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    done = subprocess.run([env("LIBSIGN_CLI"), *map(str, args)], capture_output=True,
                          text=True, env=clean, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def sign_visible(src, out, *extra):
    """Signs `src` with the fixed test signer and an agency-style visible box."""
    run_cli("sign", "--key", os.path.join(PKI, "signer-rsa2048.key"),
            "--cert", os.path.join(PKI, "signer-rsa2048.crt"),
            "--chain", os.path.join(PKI, "inter-ca.crt"), "--appearance", "agency",
            "--text", "organization=Ủy ban nhân dân xã Chí Minh", *extra, src, "-o", out)
    return out

