"""The verification service's HTTP API (issue 12), against the real server on loopback.

Starts `uvicorn app:app` with 2 worker processes on a free port, trusting the fixed test
root; checks /healthz, verification of PDF and XML as a raw body and as a multipart
upload (the JSON is the C report's, as `libsign verify --json` prints it), a tampered
file, junk, an empty body, a DTD, a document over the size limit (413), and 12
concurrent requests. Needs LIBSIGN_LIBRARY, LIBSIGN_CLI, LIBSIGN_TEST_DATA (ctest).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SERVICE = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(SERVICE))
MAX_BYTES = 300_000


def env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"${name} is not set (run through ctest)")
    return value


DATA = env("LIBSIGN_TEST_DATA")
ROOT = os.path.join(DATA, "signed-by-others", "pki", "root-ca.crt")


@pytest.fixture(scope="module")
def server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environ = dict(os.environ, LIBSIGN_TRUST=ROOT, LIBSIGN_MAX_BYTES=str(MAX_BYTES),
                   LIBSIGN_LANGUAGE="en",
                   PYTHONPATH=os.path.join(REPO, "bindings", "python"))
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--app-dir", SERVICE, "app:app",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                            env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("the service exited: " + proc.stdout.read().decode())
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the service did not answer /healthz within 20 s")
    yield base
    proc.terminate()
    out = proc.communicate(timeout=20)[0].decode("utf-8", "replace")
    assert "Traceback" not in out, out


def post(url, body, content_type="application/octet-stream"):
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def multipart(field_name, filename, data):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field_name}\"; "
            f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def cli_report(path, name):
    # The CLI carries its own sanitizer runtime when built with one: no preloaded copy.
    clean = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    out = subprocess.run([env("LIBSIGN_CLI"), "verify", "--json", "--lang", "en", "--trust",
                          ROOT, path], capture_output=True, text=True, env=clean).stdout
    report = json.loads(out)["files"][0]
    report["file"] = name
    return report


def read(*parts):
    with open(os.path.join(DATA, *parts), "rb") as f:
        return f.read()


def test_healthz(server):
    with urllib.request.urlopen(server + "/healthz") as r:
        body = json.loads(r.read())
    assert body["status"] == "ok" and body["libsign"]


def test_pdf_raw_body_is_the_cli_report(server):
    path = os.path.join(DATA, "signed-by-others", "lo-writer.pdfsig-rsa.pdf")
    status, report = post(server + "/api/v1/verify?name=khai-sinh.pdf", read(path))
    assert status == 200
    assert report["status"] == "TOTAL-PASSED"
    assert report == cli_report(path, "khai-sinh.pdf")


def test_xml_multipart_upload(server):
    body, kind = multipart("file", "hoa-don.xml", read("xml", "einvoice-signed.xml"))
    status, report = post(server + "/api/v1/verify", body, kind)
    assert status == 200, report
    assert report["format"] == "xml" and report["file"] == "hoa-don.xml"
    assert report["status"] == "TOTAL-PASSED"
    assert report["signatures"][0]["covered"][0]["path"] == "/HDon[1]/DLHDon[1]"


def test_tampered_file_is_a_verdict_not_an_error(server):
    status, report = post(server + "/api/v1/verify", read("attacks", "isa-add-page.pdf"))
    assert status == 200
    assert report["status"] == "TOTAL-FAILED"


@pytest.mark.parametrize("body,code", [
    (b"this is not a document at all", "unreadable"),
    (b"<?xml version='1.0'?><!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><a>&x;</a>",
     "unreadable"),
    (b"%PDF-1.7\n% truncated\n", "unreadable"),
])
def test_junk_is_a_clean_4xx(server, body, code):
    status, problem = post(server + "/api/v1/verify", body)
    assert status == 422, problem
    assert problem["error"] == code and problem["message"]
    assert "root:" not in json.dumps(problem)


def test_empty_body(server):
    status, problem = post(server + "/api/v1/verify", b"")
    assert status == 400 and problem["error"] == "empty"


def test_over_the_size_limit_is_413(server):
    big = read("signed-by-others", "lo-writer.pdfsig-rsa.pdf") + b"%" * MAX_BYTES
    status, problem = post(server + "/api/v1/verify", big)
    assert status == 413 and problem["error"] == "too_large"
    body, kind = multipart("file", "big.pdf", big)
    status, problem = post(server + "/api/v1/verify", body, kind)
    assert status == 413


def test_concurrent_requests(server):
    pdf = read("signed-by-others", "pdftex-classic.pdfsig-ec.pdf")
    xml = read("xml", "xades-signed.xml")
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda d: post(server + "/api/v1/verify", d), [pdf, xml] * 6))
    assert [s for s, _ in results] == [200] * 12
    assert all(r["status"] == "TOTAL-PASSED" for _, r in results)
