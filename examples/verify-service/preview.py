"""Pictures of a signed PDF's signature pages, for the web page.

poppler renders each page carrying a signature widget (pdftoppm, the document fed on
standard input: it never touches the disk); the widget's rectangle is given as
fractions of the picture, so the page can outline it at any display size. poppler runs
as a separate process under prlimit with a time limit: a hostile PDF can at worst waste
one bounded process, never the worker.
"""
from __future__ import annotations

import base64
import re
import subprocess
from typing import Optional

LONG_SIDE_PX = 1000       # the picture's longer side
MAX_PAGES = 4             # pages rendered per document
POPPLER_SECONDS = 15      # wall-clock limit per poppler run
POPPLER_LIMITS = ["prlimit", "--as=1073741824", "--cpu=15", "--"]  # 1 GiB, 15 s of CPU
# poppler gets a minimal environment: nothing of the service's (keys, preloads) leaks to it.
POPPLER_ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}


class RenderError(Exception):
    """poppler could not render a page (its stderr, shortened, is the message)."""


def _poppler(args: list, data: bytes) -> bytes:
    try:
        done = subprocess.run(POPPLER_LIMITS + args, input=data, capture_output=True,
                              timeout=POPPLER_SECONDS, check=False, env=POPPLER_ENV)
    except subprocess.TimeoutExpired:
        raise RenderError(f"{args[0]} took longer than {POPPLER_SECONDS} s") from None
    if done.returncode != 0 or not done.stdout:
        raise RenderError(f"{args[0]} failed: "
                          + done.stderr.decode("utf-8", "replace").strip()[:200])
    return done.stdout


def _page_geometry(data: bytes, page: int) -> tuple:
    """(crop box x0, y0, x1, y1, rotation in degrees clockwise) of `page`."""
    info = _poppler(["pdfinfo", "-box", "-f", str(page), "-l", str(page), "-"], data)
    text = info.decode("utf-8", "replace")
    crop = re.search(rf"^Page\s+{page} CropBox:\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", text, re.M)
    rot = re.search(rf"^Page\s+{page} rot:\s+(\d+)", text, re.M)
    if not crop:
        raise RenderError(f"pdfinfo gave no crop box for page {page}")
    x0, y0, x1, y1 = map(float, crop.groups())
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), int(rot.group(1)) % 360 if rot else 0


def _box_fractions(rect: list, geometry: tuple) -> Optional[dict]:
    """The rectangle (PDF user space) as left/top/width/height fractions of the rendered,
    rotated page; None when it has no area on the page."""
    x0, y0, x1, y1, rot = geometry
    width, height = x1 - x0, y1 - y0
    if width <= 0 or height <= 0:
        return None
    corners = []
    for x, y in ((rect[0], rect[1]), (rect[2], rect[3])):
        u = min(max((x - x0) / width, 0.0), 1.0)     # from the left, unrotated
        v = min(max((y1 - y) / height, 0.0), 1.0)    # from the top, unrotated
        corners.append({0: (u, v), 90: (1 - v, u), 180: (1 - u, 1 - v),
                        270: (v, 1 - u)}.get(rot, (u, v)))
    left, right = sorted(c[0] for c in corners)
    top, bottom = sorted(c[1] for c in corners)
    if right - left <= 0 or bottom - top <= 0:
        return None
    return {"left": left, "top": top, "width": right - left, "height": bottom - top}


def _render(data: bytes, page: int) -> str:
    png = _poppler(["pdftoppm", "-png", "-cropbox", "-singlefile", "-scale-to",
                    str(LONG_SIDE_PX), "-f", str(page), "-l", str(page), "-"], data)
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise RenderError("pdftoppm did not produce a PNG")
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def signature_pages(data: bytes, report: dict, inspection: dict) -> dict:
    """{"pages": [{"page", "image", "boxes": [{"index", "field", "left", "top", "width",
    "height"}]}], "invisible": [signature index...], "error": message or None}.

    Signatures are matched to their widgets by field name. Without any visible
    signature the first page is shown, so the reader still sees the document.
    """
    widgets = {f["name"]: f for f in inspection.get("fields", []) if f.get("type") == "Sig"}
    pages: dict = {}
    invisible = []
    for sig in report.get("signatures", []):
        widget = widgets.get(sig.get("field"))
        if widget and widget.get("page") and widget.get("rect"):
            pages.setdefault(widget["page"], []).append((sig["index"], sig["field"],
                                                         widget["rect"]))
        else:
            invisible.append(sig["index"])
    if not pages:
        pages = {1: []}
    shown = []
    try:
        for page in sorted(pages)[:MAX_PAGES]:
            geometry = _page_geometry(data, page)
            boxes = []
            for index, field, rect in pages[page]:
                box = _box_fractions(rect, geometry)
                if box is None:
                    invisible.append(index)
                else:
                    boxes.append(dict(box, index=index, field=field))
            shown.append({"page": page, "image": _render(data, page), "boxes": boxes})
    except RenderError as e:
        return {"pages": shown, "invisible": sorted(invisible), "error": str(e)}
    return {"pages": shown, "invisible": sorted(invisible), "error": None}
