"""The verification page, end to end in headless Chromium (issue 12).

Chromium (Debian package) is driven over the DevTools protocol (cdp.py). The page is
loaded from the service on loopback; a signed PDF with a visible signature is chosen in
the file input, a tampered copy next, an unsigned one is dropped on the drop zone, and
the language is switched; each time the test reads what the page shows (verdict and
its colour, signer, organisation, time, changes, the rendered page with the signature
box inside it, the downloadable JSON). Screenshots go to $LIBSIGN_TEST_OUTPUT (ctest:
build/tests/verify-service) or the test's temporary folder.
"""
from __future__ import annotations

import base64
import json
import os

import pytest

from cdp import Browser
from conftest import DATA, sign_visible

SIGNER = "Nguyễn Văn Ánh"
ORGANIZATION = "Ủy ban nhân dân xã Chí Minh"
GREEN, RED = "rgb(231, 246, 234)", "rgb(253, 236, 236)"


@pytest.fixture(scope="module")
def browser():
    b = Browser()
    yield b
    b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = os.environ.get("LIBSIGN_TEST_OUTPUT") or str(tmp_path_factory.mktemp("shots"))
    os.makedirs(folder, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docs")
    signed = sign_visible(os.path.join(DATA, "appearance", "decision.pdf"),
                          folder / "quyet-dinh-da-ky.pdf", "--visible", "1,110,20,80,40")
    data = signed.read_bytes()
    # A change inside the signed bytes, as a forger editing the document would make.
    assert data.count(b"cairo 1.16.0") == 1
    tampered = folder / "quyet-dinh-bi-sua.pdf"
    tampered.write_bytes(data.replace(b"cairo 1.16.0", b"cairo 1.16.1"))
    return {"signed": str(signed), "tampered": str(tampered)}


def shown(browser, file_name):
    """Waits until the page has judged `file_name`; returns what it shows."""
    browser.wait_for(f"""document.getElementById('file-name').textContent === {json.dumps(file_name)}
        && !['busy', undefined].includes(document.getElementById('verdict').dataset.state)""")
    return browser.evaluate("""(() => {
        const v = document.getElementById('verdict');
        const rows = {};
        for (const dd of document.querySelectorAll('.signature dd[data-row]'))
            rows[dd.dataset.row] = dd.textContent;
        return {state: v.dataset.state, colour: getComputedStyle(v).backgroundColor,
                title: document.getElementById('verdict-title').textContent,
                detail: document.getElementById('verdict-detail').textContent,
                heading: document.querySelector('h1').textContent,
                cards: document.querySelectorAll('.signature').length, rows,
                summary: document.getElementById('summary').textContent};
    })()""")


def page_geometry(browser):
    """The rendered page picture and the outlined boxes, in CSS pixels."""
    browser.wait_for("[...document.querySelectorAll('.page img')].length > 0 && "
                     "[...document.querySelectorAll('.page img')].every(i => i.complete && i.naturalWidth > 0)")
    return browser.evaluate("""(() => {
        const r = (e) => { const b = e.getBoundingClientRect();
                           return {left: b.left, top: b.top, right: b.right, bottom: b.bottom}; };
        const img = document.querySelector('.page img');
        return {image: r(img), natural: img.naturalWidth,
                boxes: [...document.querySelectorAll('.page .box')].map(r),
                border: [...document.querySelectorAll('.page .box')].map(
                    b => getComputedStyle(b).borderTopColor)};
    })()""")


def downloaded_report(browser, folder):
    """Clicks "download the report" as a user would and reads the file saved."""
    path = browser.download("#download", str(folder))
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def test_page_in_vietnamese(server, browser, shots):
    browser.navigate(server + "/")
    assert browser.evaluate("document.documentElement.lang") == "vi"
    assert browser.evaluate("document.querySelector('h1').textContent") == \
        "Kiểm tra văn bản điện tử có chữ ký số"
    assert browser.evaluate("document.getElementById('result').hidden") is True
    browser.screenshot(os.path.join(shots, "0-start-vi.png"))


def test_signed_pdf_is_green_with_signer_and_outlined_box(server, browser, shots, documents,
                                                          tmp_path):
    browser.set_file("#file", documents["signed"])
    page = shown(browser, "quyet-dinh-da-ky.pdf")
    assert page["state"] == "ok" and page["colour"] == GREEN, page
    assert page["title"] == "Hợp lệ"
    assert page["cards"] == 1
    rows = page["rows"]
    assert rows["signer"] == SIGNER
    assert ORGANIZATION in rows["organization"] and "Văn phòng" in rows["organization"]
    assert "(UTC+7)" in rows["time"] and "dấu thời gian" in rows["time"]
    assert rows["timestamp"] == "Không có"
    assert rows["revocation"].startswith("Không xác định"), "offline, no evidence embedded"
    assert rows["changes"].startswith("Không có")
    assert "Người ký" in page["summary"], "the full report is shown in Vietnamese"
    geometry = page_geometry(browser)
    image = geometry["image"]
    [box] = geometry["boxes"]
    assert geometry["border"] == ["rgb(221, 0, 0)"]
    assert image["left"] <= box["left"] < box["right"] <= image["right"] + 0.5
    assert image["top"] <= box["top"] < box["bottom"] <= image["bottom"] + 0.5
    width, height = image["right"] - image["left"], image["bottom"] - image["top"]
    # Placed 110 mm from the left and 20 mm from the bottom of an A4 page, 80 x 40 mm.
    assert (box["left"] - image["left"]) / width == pytest.approx(110 / 210.1, abs=0.01)
    assert (image["bottom"] - box["bottom"]) / height == pytest.approx(20 / 297.2, abs=0.01)
    assert (box["right"] - box["left"]) / width == pytest.approx(80 / 210.1, abs=0.01)
    report = downloaded_report(browser, tmp_path)
    assert report["status"] == "TOTAL-PASSED" and report["file"] == "quyet-dinh-da-ky.pdf"
    assert os.path.basename(browser.last_download) == "quyet-dinh-da-ky.pdf.json"
    browser.screenshot(os.path.join(shots, "1-signed-vi.png"))


def test_tampered_pdf_is_red_and_says_it_was_changed(server, browser, shots, documents,
                                                     tmp_path):
    browser.set_file("#file", documents["tampered"])
    page = shown(browser, "quyet-dinh-bi-sua.pdf")
    assert page["state"] == "bad" and page["colour"] == RED, page
    assert page["title"] == "Không hợp lệ"
    assert "Văn bản đã bị sửa sau khi ký." in page["detail"]
    assert page["rows"]["changes"] == "Có: nội dung đã ký đã bị sửa"
    assert page["rows"]["signer"] == SIGNER
    assert len(page_geometry(browser)["boxes"]) == 1, "the page is still shown, box outlined"
    report = downloaded_report(browser, tmp_path)
    assert report["signatures"][0]["subindication"] == "HASH_FAILURE"
    browser.screenshot(os.path.join(shots, "2-tampered-vi.png"))


def test_english_switch_judges_again_in_english(server, browser, shots):
    browser.evaluate("document.getElementById('lang-en').click()")
    assert browser.evaluate("document.documentElement.lang") == "en"
    browser.wait_for("document.getElementById('verdict-title').textContent === 'Not valid'")
    page = shown(browser, "quyet-dinh-bi-sua.pdf")
    assert page["heading"] == "Check a digitally signed e-document"
    assert "The document was modified after it was signed." in page["detail"]
    assert page["rows"]["changes"] == "Yes: the signed content was modified"
    browser.wait_for("document.getElementById('summary').textContent.includes('Signer')")
    browser.screenshot(os.path.join(shots, "3-tampered-en.png"))


def test_dropped_unsigned_file(server, browser, shots):
    with open(os.path.join(DATA, "pdf", "corpus", "lo-writer.pdf"), "rb") as f:
        data = base64.b64encode(f.read()).decode()
    browser.evaluate(f"""(() => {{
        const bytes = Uint8Array.from(atob({json.dumps(data)}), c => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'giay-khai-sinh.pdf', {{type: 'application/pdf'}}));
        document.getElementById('drop').dispatchEvent(
            new DragEvent('drop', {{dataTransfer: dt, bubbles: true, cancelable: true}}));
    }})()""")
    page = shown(browser, "giay-khai-sinh.pdf")
    assert page["state"] == "bad" and page["cards"] == 0
    assert page["detail"] == "The document has no digital signature."
    browser.screenshot(os.path.join(shots, "4-unsigned-dropped-en.png"))


def test_junk_file_gets_a_message(server, browser, tmp_path):
    junk = tmp_path / "khong-phai-van-ban.pdf"
    junk.write_bytes(b"this is not a PDF")
    browser.set_file("#file", str(junk))
    page = shown(browser, "khong-phai-van-ban.pdf")
    assert page["state"] == "error" and page["title"] == "The file could not be checked"
    assert page["detail"], "the service's message is shown"


def test_no_script_errors_or_blocked_resources(browser):
    """No exception, no console error, nothing refused by the Content-Security-Policy."""
    problems = [e for e in browser.events
                if e["method"] == "Runtime.exceptionThrown"
                or (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
                or (e["method"] == "Log.entryAdded"
                    and ("Content Security Policy" in e["params"]["entry"].get("text", "")
                         or e["params"]["entry"].get("source") == "security"))]
    assert problems == []
    assert any(e["method"] == "Log.entryAdded" for e in browser.events) or True
