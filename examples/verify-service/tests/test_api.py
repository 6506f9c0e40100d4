"""The verification service's HTTP API (issue 12), against the real server on loopback.

Starts `uvicorn app:app` with 2 worker processes on a free port (conftest.py), trusting
the fixed test root; checks /healthz, verification of PDF and XML as a raw body and as a
multipart upload (the JSON is the C report's, as `libsign verify --json` prints it), a
tampered file, junk, an empty body, a DTD, a document over the size limit (413), 12
concurrent requests, the report language, the page's preview (rendered pages with the
signature boxes, also on a rotated page), the bounded answer cache, and the page's files
with their security headers.
"""
from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import DATA, MAX_BYTES, ROOT, env, sign_visible

SERVICE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


def test_preview_summary_in_the_requested_language(server):
    data = read("attacks", "isa-add-page.pdf")
    _, vi = post(server + "/api/v1/preview?lang=vi", data)
    _, en = post(server + "/api/v1/preview?lang=en", data)
    assert vi["report"] == en["report"] and vi["report"]["status"] == "TOTAL-FAILED"
    assert "Invalid signature" in en["summary"] and vi["summary"] != en["summary"]
    assert "ký" in vi["summary"], vi["summary"]
    status, problem = post(server + "/api/v1/preview?lang=fr", data)
    assert status == 400 and problem["error"] == "language"
    status, report = post(server + "/api/v1/verify?lang=fr", data)
    assert status == 200, "the JSON report has no language: ?lang= is not read"


def test_preview_outlines_the_visible_signature(server, tmp_path):
    signed = sign_visible(os.path.join(DATA, "appearance", "decision.pdf"), tmp_path / "s.pdf",
                          "--visible", "1,20,30,80,40")
    body, kind = multipart("file", "quyet-dinh.pdf", signed.read_bytes())
    status, answer = post(server + "/api/v1/preview", body, kind)
    assert status == 200, answer
    assert answer["report"]["status"] == "TOTAL-PASSED"
    assert answer["report"]["file"] == "quyet-dinh.pdf"
    assert answer["preview_error"] is None and answer["invisible"] == []
    [page] = answer["pages"]
    assert page["page"] == 1
    assert page["image"].startswith("data:image/png;base64,iVBORw0KGgo")
    [box] = page["boxes"]
    # 20,30 mm from the lower left, 80x40 mm, on a 595.62 x 842.58 pt page.
    mm = 72 / 25.4
    assert box["left"] == pytest.approx(20 * mm / 595.62, abs=1e-3)
    assert box["width"] == pytest.approx(80 * mm / 595.62, abs=1e-3)
    assert box["top"] + box["height"] == pytest.approx(1 - 30 * mm / 842.58, abs=1e-3)
    assert box["height"] == pytest.approx(40 * mm / 842.58, abs=1e-3)
    assert box["field"] == answer["report"]["signatures"][0]["field"]


def test_preview_box_on_a_rotated_page(server, tmp_path):
    """/Rotate 90: the box is placed and outlined on the page as displayed."""
    signed = sign_visible(os.path.join(DATA, "appearance", "decision-rotated.pdf"),
                          tmp_path / "r.pdf", "--visible", "1,20,30,80,40")
    status, answer = post(server + "/api/v1/preview", signed.read_bytes())
    assert status == 200 and answer["report"]["status"] == "TOTAL-PASSED"
    [box] = answer["pages"][0]["boxes"]
    mm = 72 / 25.4
    # Displayed landscape: 842.58 wide, 595.62 high.
    assert box["left"] == pytest.approx(20 * mm / 842.58, abs=1e-3)
    assert box["width"] == pytest.approx(80 * mm / 842.58, abs=1e-3)
    assert box["top"] + box["height"] == pytest.approx(1 - 30 * mm / 595.62, abs=1e-3)


def test_preview_of_invisible_and_xml_signatures(server):
    status, answer = post(server + "/api/v1/preview",
                          read("signed-by-others", "lo-writer.pdfsig-rsa.pdf"))
    assert status == 200
    assert answer["invisible"] == [0]
    assert [p["page"] for p in answer["pages"]] == [1] and answer["pages"][0]["boxes"] == []
    status, answer = post(server + "/api/v1/preview", read("xml", "einvoice-signed.xml"))
    assert status == 200 and answer["report"]["format"] == "xml"
    assert answer["pages"] == [] and answer["preview_error"] is None


def test_preview_of_a_document_poppler_cannot_render(server):
    """A verdict is still given when the page cannot be drawn."""
    data = read("signed-by-others", "lo-writer.pdfsig-rsa.pdf")
    status, answer = post(server + "/api/v1/preview", data + b"\n%" + os.urandom(64).hex().encode())
    assert status == 200
    assert answer["report"]["status"] in ("TOTAL-PASSED", "INDETERMINATE", "TOTAL-FAILED")


def test_answers_are_cached_by_content(server):
    def entries():
        with urllib.request.urlopen(server + "/healthz") as r:
            return json.loads(r.read())["cache"]
    data = read("signed-by-others", "pdftex-classic.podofosign-rsa.pdf")
    first = [post(server + "/api/v1/verify?name=a.pdf", data)[1] for _ in range(4)]
    second = post(server + "/api/v1/verify?name=b.pdf", data)[1]
    assert all(r == first[0] for r in first)
    assert second["file"] == "b.pdf" and dict(second, file="a.pdf") == first[0]
    assert entries()["entries"] >= 1


def test_cache_is_bounded():
    import sys
    sys.path.insert(0, SERVICE)
    from cache import AnswerCache
    cache = AnswerCache(max_entries=3, max_bytes=100, max_age=60)
    for i in range(10):
        cache.put(("k", i), i, 10)
    assert len(cache) == 3 and cache.bytes == 30
    assert cache.get(("k", 0)) is None and cache.get(("k", 9)) == 9
    cache.put(("big",), "x", 101)
    assert cache.get(("big",)) is None, "a value over the byte bound is not kept"
    cache.put(("half",), "y", 80)
    assert cache.bytes <= 100 and cache.get(("half",)) == "y"
    old = AnswerCache(max_entries=3, max_bytes=100, max_age=0)
    old.put(("k",), 1, 1)
    assert old.get(("k",)) is None and len(old) == 0, "answers expire"
    off = AnswerCache(max_entries=0, max_bytes=100, max_age=60)
    off.put(("k",), 1, 1)
    assert len(off) == 0


def test_the_page_and_its_files(server):
    with urllib.request.urlopen(server + "/") as r:
        html = r.read().decode()
        assert r.headers["Content-Type"].startswith("text/html")
        assert "default-src 'self'" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert 'lang="vi"' in html and "Kiểm tra" in html
    for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
        with urllib.request.urlopen(f"{server}/static/{name}") as r:
            assert r.headers["Content-Type"].startswith(kind) and r.read()
    for path in ("/static/../app.py", "/static/app.py", "/static/%2e%2e%2fapp.py"):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(server + path)
        assert e.value.code == 404


def test_bind_address_and_workers_from_the_environment():
    """The one documented command, configured only by environment variables."""
    from service import running_service
    with running_service({"LIBSIGN_TRUST": ROOT}, workers=2, bind_by_environment=True) as svc:
        with urllib.request.urlopen(svc.base + "/healthz") as r:
            assert json.loads(r.read())["status"] == "ok"
    assert "Traceback" not in svc.output
    assert "Started parent process" in svc.output or "Started server process" in svc.output
