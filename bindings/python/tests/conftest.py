"""Shared fixtures of the libsign Python binding tests (issue 11).

Run by ctest as `cd bindings/python && /usr/bin/python3 -m pytest -q tests` with:

  PYTHONPATH=<repo>/bindings/python
  LIBSIGN_LIBRARY=<build>/libsign.so.1     the library under test
  LIBSIGN_CLI=<build>/bin/libsign          the command line (parity, error texts)
  LIBSIGN_TEST_PKI                         the generated test PKI (fixture pki)
  LIBSIGN_TEST_DATA=<repo>/testvectors
  SOFTHSM2_CONF, LIBSIGN_TEST_SOFTHSM_MODULE   the SoftHSM test token (fixture softhsm)
  LIBSIGN_TEST_LTV (optional)              the loopback TSA/OCSP/CRL fixture (fixture ltv);
                                           without it a private instance is started

Nothing is ever skipped: a missing variable or file stops the run with a message
saying which, and a full run fails if any test was skipped or if fewer tests than
expected were collected (so the suite cannot pass vacuously).

The SoftHSM token is used through a private copy made at start-up (SOFTHSM2_CONF
is pointed at it for this process and its children), so wrong PINs and the
objects of this run never disturb other tests running in parallel.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
BINDING_DIR = HERE.parent                 # bindings/python
REPO = HERE.parents[2]                    # the source tree
EXAMPLES = REPO / "examples" / "python"
LTV_FIXTURE = REPO / "tests" / "net" / "ltv-fixture"

P12_PASSWORD = "test"
TOKEN_PIN = "1234"
TOKEN_LABEL = "libsign-test"
TOKEN_RSA_URI = f"pkcs11:token={TOKEN_LABEL};id=%01;type=private"
TOKEN_EC_URI = f"pkcs11:token={TOKEN_LABEL};id=%03;type=private"

# The subjects' common names (the test PKI of tests/pki/make-pki.sh).
CN_RSA2048 = "Nguyễn Văn Ánh"
CN_ECP256 = "Lê Đức Cường"

# Test modules of a full run and the least number of tests each must collect.
EXPECTED_TESTS = {
    "test_sign_verify.py": 112,
    "test_errors.py": 39,
    "test_memory.py": 2,
    "test_parity.py": 28,
    "test_threads.py": 3,
    "test_tokens.py": 6,
    "test_examples.py": 3,
    "test_ltv.py": 5,
}

REQUIRED_ENV = {
    "LIBSIGN_LIBRARY": "the libsign.so.1 under test (e.g. <build>/libsign.so.1)",
    "LIBSIGN_CLI": "the libsign command line (<build>/bin/libsign)",
    "LIBSIGN_TEST_PKI": "the generated test PKI (<build>/testdata/pki, ctest fixture pki)",
    "LIBSIGN_TEST_DATA": "the test vectors (<repo>/testvectors)",
    "SOFTHSM2_CONF": "the SoftHSM configuration of the test token (ctest fixture softhsm)",
    "LIBSIGN_TEST_SOFTHSM_MODULE": "the SoftHSM PKCS#11 module (/usr/lib/softhsm/libsofthsm2.so)",
}


class Env:
    """Paths of the test environment, checked once at start-up."""

    def __init__(self) -> None:
        missing = [f"  ${k}: {v}" for k, v in REQUIRED_ENV.items() if not os.environ.get(k)]
        if missing:
            raise pytest.UsageError(
                "libsign binding tests: required environment variables are not set "
                "(run through ctest, or set them by hand):\n" + "\n".join(missing))
        self.library = Path(os.environ["LIBSIGN_LIBRARY"])
        self.cli = Path(os.environ["LIBSIGN_CLI"])
        self.pki = Path(os.environ["LIBSIGN_TEST_PKI"])
        self.data = Path(os.environ["LIBSIGN_TEST_DATA"])
        self.softhsm_conf = Path(os.environ["SOFTHSM2_CONF"])
        self.module = os.environ["LIBSIGN_TEST_SOFTHSM_MODULE"]
        need = [self.library, self.cli, self.softhsm_conf, Path(self.module),
                self.pki / "root-ca.crt", self.pki / "inter-ca.crt",
                self.pki / "signer-rsa2048.p12", self.pki / "signer-rsa2048.key",
                self.pki / "signer-rsa2048.crt", self.pki / "signer-ecp256.p12",
                self.data / "pdf" / "corpus" / "gs-1.7.pdf",
                self.data / "xml" / "einvoice-input.xml",
                self.data / "signed-by-others" / "pki" / "root-ca.crt",
                LTV_FIXTURE]
        absent = [str(p) for p in need if not p.exists()]
        if absent:
            raise pytest.UsageError("libsign binding tests: missing files:\n  " + "\n  ".join(absent))
        if not os.access(self.cli, os.X_OK):
            raise pytest.UsageError(f"libsign binding tests: $LIBSIGN_CLI {self.cli} is not executable")
        self.tmp = Path(tempfile.mkdtemp(prefix="libsign-pytest-"))
        self.token_conf = self.private_token(self.tmp / "softhsm")
        # Every token use of this process (and of the subprocesses it starts) sees the copy.
        os.environ["SOFTHSM2_CONF"] = str(self.token_conf)

    def private_token(self, where: Path) -> Path:
        """A private copy of the SoftHSM test token in `where`; returns its configuration file."""
        text = self.softhsm_conf.read_text()
        m = re.search(r"^\s*directories\.tokendir\s*=\s*(\S+)\s*$", text, re.M)
        if not m:
            raise pytest.UsageError(f"libsign binding tests: no directories.tokendir in {self.softhsm_conf}")
        tokens = Path(m.group(1))
        if not tokens.is_dir():
            raise pytest.UsageError(f"libsign binding tests: the token folder {tokens} "
                                    f"(from {self.softhsm_conf}) does not exist")
        where.mkdir(parents=True, exist_ok=True)
        shutil.copytree(tokens, where / "tokens")
        conf = where / "softhsm2.conf"
        conf.write_text(f"directories.tokendir = {where / 'tokens'}\n"
                        "objectstore.backend = file\nlog.level = ERROR\n")
        return conf

    def cleanup(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


ENV: Env | None = None


def pytest_configure(config):
    global ENV
    ENV = Env()


def pytest_unconfigure(config):
    if ENV is not None:
        ENV.cleanup()


sys.path.insert(0, str(REPO / "tests" / "python"))
import strict_suite  # noqa: E402

strict_suite.install(globals(), here=HERE, expected=EXPECTED_TESTS,
                     label="libsign binding tests")


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def env() -> Env:
    assert ENV is not None
    return ENV


@pytest.fixture(scope="session")
def lib():
    """The binding under test (fails, never skips, when it cannot be imported)."""
    try:
        import libsign
    except Exception as e:  # pragma: no cover - reported as a failure
        pytest.fail(f"cannot import the libsign binding (PYTHONPATH={os.environ.get('PYTHONPATH')}): "
                    f"{type(e).__name__}: {e}")
    return libsign


@pytest.fixture(scope="session")
def pki(env) -> Path:
    return env.pki


@pytest.fixture(scope="session")
def data(env) -> Path:
    return env.data


@pytest.fixture(scope="session")
def module(env) -> str:
    return env.module


@pytest.fixture(scope="session")
def ctx(lib, pki):
    """A context trusting the test PKI's root, reports in English."""
    with lib.Context(trust=[pki / "root-ca.crt"], language="en") as c:
        yield c


@pytest.fixture(scope="session")
def signers(lib, pki, module):
    """Signers of the five kinds, opened lazily once per run and closed at its end."""
    made: dict = {}

    def get(kind: str):
        if kind not in made:
            if kind == "p12-rsa":
                made[kind] = lib.Signer.pkcs12(pki / "signer-rsa2048.p12", P12_PASSWORD)
            elif kind == "p12-ec":
                made[kind] = lib.Signer.pkcs12(str(pki / "signer-ecp256.p12"), P12_PASSWORD)
            elif kind == "pem-rsa":
                made[kind] = lib.Signer.pem(pki / "signer-rsa2048.key", pki / "signer-rsa2048.crt",
                                            pki / "inter-ca.crt")
            elif kind == "token-rsa":
                made[kind] = lib.Signer.pkcs11(TOKEN_RSA_URI, pin=TOKEN_PIN, module=module)
            elif kind == "token-ec":
                made[kind] = lib.Signer.pkcs11(TOKEN_EC_URI, pin=TOKEN_PIN, module=module)
            else:
                raise AssertionError(kind)
        return made[kind]

    yield get
    for s in made.values():
        s.close()


SIGNER_KINDS = ["p12-rsa", "p12-ec", "pem-rsa", "token-rsa", "token-ec"]
SIGNER_CN = {"p12-rsa": CN_RSA2048, "pem-rsa": CN_RSA2048, "token-rsa": CN_RSA2048,
             "p12-ec": CN_ECP256, "token-ec": CN_ECP256}


@pytest.fixture(scope="session")
def sample_pdf(data) -> Path:
    return data / "pdf" / "corpus" / "gs-1.7.pdf"


@pytest.fixture(scope="session")
def small_signed_pdf(signers, data) -> bytes:
    """A small PDF signed with the PKCS#12 RSA key, as bytes."""
    return signers("p12-rsa").sign_pdf(data / "pdf" / "corpus" / "handmade-lf.pdf")


@pytest.fixture(scope="session")
def run_cli(env):
    """Runs the libsign command line; returns the CompletedProcess (text, never raises)."""

    def run(*args, env_extra=None, input_bytes=None):
        e = dict(os.environ)
        # In sanitizer builds Python gets the shared ASan runtime by LD_PRELOAD; the CLI
        # links its own, and refuses to start with both.
        e.pop("LD_PRELOAD", None)
        e.update(env_extra or {})
        return subprocess.run([str(env.cli), *map(str, args)], env=e, capture_output=True,
                              input=input_bytes, timeout=120, check=False)

    return run


# ---------------------------------------------------------------- network fixtures


class LTV:
    """The loopback TSA/OCSP/CRL fixture (tests/net/ltv-fixture): its env file as attributes."""

    def __init__(self, folder: Path) -> None:
        self.dir = folder
        values = {}
        for line in (folder / "env").read_text().splitlines():
            m = re.match(r"^(?:export\s+)?(LTV_\w+)=['\"]?(.*?)['\"]?$", line.strip())
            if m:
                values[m.group(1)] = m.group(2)
        for key in ("LTV_TSA_URL", "LTV_TRUST"):
            if key not in values:
                raise pytest.UsageError(f"libsign binding tests: {folder}/env has no {key}")
        self.tsa_url = values["LTV_TSA_URL"]
        self.trust = Path(values["LTV_TRUST"])
        self.values = values


@pytest.fixture(scope="session")
def ltv(env):
    """The shared LTV fixture of $LIBSIGN_TEST_LTV, or a private one started (and stopped) here."""
    shared = os.environ.get("LIBSIGN_TEST_LTV")
    if shared:
        folder = Path(shared)
        if not (folder / ".ready").exists() or not (folder / "env").exists():
            pytest.fail(f"$LIBSIGN_TEST_LTV={shared} is set but the fixture is not running there "
                        f"(no .ready/env): start it with tests/net/ltv-fixture start {shared}")
        yield LTV(folder)
        return
    folder = env.tmp / "ltv"
    started = subprocess.run(["/usr/bin/python3", str(LTV_FIXTURE), "start", str(folder)],
                             capture_output=True, text=True, timeout=120, check=False)
    if started.returncode != 0:
        pytest.fail(f"cannot start a private LTV fixture: {started.stderr}")
    try:
        yield LTV(folder)
    finally:
        subprocess.run(["/usr/bin/python3", str(LTV_FIXTURE), "stop", str(folder)],
                       capture_output=True, timeout=60, check=False)


# A TimeStampResp whose PKIStatusInfo says rejection (2), with no token (RFC 3161).
TSA_REJECTION = bytes.fromhex("3005" "3003" "020102")


class _RejectingTSA(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(TSA_REJECTION)))
        self.end_headers()
        self.wfile.write(TSA_REJECTION)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def rejecting_tsa():
    """A loopback TSA answering every request with status rejection; yields its URL.

    It runs in a thread of this process: signing against it only works if the binding
    releases the GIL while libsign waits for the answer."""
    server = HTTPServer(("127.0.0.1", 0), _RejectingTSA)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


# ---------------------------------------------------------------- helpers used by several modules


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def binding_env(**extra) -> dict:
    """The environment for a child Python that imports the binding."""
    e = dict(os.environ)
    path = [str(BINDING_DIR)] + [p for p in e.get("PYTHONPATH", "").split(os.pathsep) if p]
    e["PYTHONPATH"] = os.pathsep.join(path)
    e.update(extra)
    return e


def sanitizer_env(e: dict, **asan) -> dict:
    """`e` with ASan options added when the ASan runtime is preloaded (sanitizer builds):
    quarantine off (freed memory is then reused, so RSS measures leaks, not the
    quarantine), plus `asan` (e.g. allocator_may_return_null=1)."""
    if "asan" not in e.get("LD_PRELOAD", ""):
        return e
    options = {"quarantine_size_mb": "0", "thread_local_quarantine_size_kb": "0"}
    options.update({k: str(v) for k, v in asan.items()})
    current = e.get("ASAN_OPTIONS", "")
    e = dict(e)
    e["ASAN_OPTIONS"] = ":".join([p for p in current.split(":") if p] +
                                 [f"{k}={v}" for k, v in options.items()])
    return e


def parse_utc(text):
    """The report's "YYYY-MM-DDTHH:MM:SSZ" as an aware datetime (None stays None)."""
    from datetime import datetime, timezone
    if text is None:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def assert_aware_utc(value, what):
    from datetime import datetime, timedelta
    assert isinstance(value, datetime), f"{what}: {value!r} is not a datetime"
    assert value.tzinfo is not None, f"{what}: {value!r} is a naive datetime"
    assert value.utcoffset() == timedelta(0), f"{what}: {value!r} is not in UTC"


def assert_report_matches_dict(report):
    """Every typed attribute of a Report equals the corresponding value of its to_dict()."""
    d = report.to_dict()
    assert isinstance(d, dict)
    assert report.file == d["file"]
    assert report.format == d["format"]
    assert report.status == d["status"]
    assert report.subindication == d["subindication"]
    assert report.passed is (d["status"] == "TOTAL-PASSED")
    assert isinstance(report.text, str) and report.text.strip(), "Report.text is empty"
    assert isinstance(report.signatures, list)
    assert len(report.signatures) == len(d["signatures"])
    for sig, sd in zip(report.signatures, d["signatures"]):
        where = f"{report.file} signature {sd['index']}"
        assert sig.index == sd["index"], where
        assert sig.field == sd.get("field"), where
        assert sig.status == sd["status"], where
        assert sig.subindication == sd["subindication"], where
        assert sig.level == sd["level"], where
        assert sig.digest_algorithm == sd["digest_algorithm"], where
        signer = sd["signer"]
        if signer is None:
            assert sig.signer is None, where
        else:
            for k in ("subject", "issuer", "serial", "sha256"):
                assert getattr(sig.signer, k) == signer[k], f"{where}: signer.{k}"
        if sd["signing_time"] is None:
            assert sig.signing_time is None, where
        else:
            assert_aware_utc(sig.signing_time, f"{where}: signing_time")
            assert sig.signing_time == parse_utc(sd["signing_time"]), where
        ts = sd["timestamp"]
        if ts is None:
            assert sig.timestamp is None, where
        else:
            assert sig.timestamp is not None, where
            if ts["time"] is None:
                assert sig.timestamp.time is None, where
            else:
                assert_aware_utc(sig.timestamp.time, f"{where}: timestamp.time")
                assert sig.timestamp.time == parse_utc(ts["time"]), where
            assert sig.timestamp.tsa == ts["tsa"], where
            assert sig.timestamp.status == ts["status"], where
        br = sd["byte_range"]
        if br is None:
            assert sig.byte_range is None, where
        else:
            assert isinstance(sig.byte_range, tuple) and len(sig.byte_range) == 4, where
            assert list(sig.byte_range) == br, where
        assert sig.covers_whole_document is sd["covers_whole_document"], where
        mods = sd["modifications"]
        if mods is None:
            assert sig.modifications is None, where
        else:
            assert sig.modifications.verdict == mods["verdict"], where
            assert list(sig.modifications.details) == mods["details"], where
        assert [tuple(c) for c in sig.chain] == [(c["subject"], c["sha256"]) for c in sd["chain"]], where
        assert len(sig.covered) == len(sd["covered"]), where
        for k, (c, cd) in enumerate(zip(sig.covered, sd["covered"])):
            assert (c.uri, c.kind, c.path, c.length) == (cd["uri"], cd["kind"], cd["path"], cd["length"]), where
            content = sig.covered_content(k)
            assert isinstance(content, bytes), where
            if cd["length"] is not None:
                assert len(content) == cd["length"], f"{where}: covered_content({k})"
        rev = sd["revocation"]
        if rev is None:
            assert sig.revocation is None, where
        else:
            assert (sig.revocation.status, sig.revocation.source) == (rev["status"], rev["source"]), where
        assert list(sig.errors) == sd["errors"], where
        assert list(sig.warnings) == sd["warnings"], where
        assert all(isinstance(x, str) for x in list(sig.errors) + list(sig.warnings)), where
    return d
