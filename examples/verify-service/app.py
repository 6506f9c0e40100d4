"""libsign verification service: POST a signed PDF or XML e-result, get the verdict as JSON;
or open the web page at / and drop the file there.

    LIBSIGN_TRUST=/etc/libsign/roots uvicorn --app-dir examples/verify-service app:app \
        --host 127.0.0.1 --port 8080 --workers 4

Configuration (environment):
    LIBSIGN_TRUST          trust anchors: PEM files or directories, ':'-separated (required)
    LIBSIGN_INTERMEDIATES  untrusted CA certificates, PEM files, ':'-separated
    LIBSIGN_REVOCATION     offline (default), online or none
    LIBSIGN_MAX_BYTES      largest accepted document (default 20 MiB): 413 above it
    LIBSIGN_TIMEOUT        seconds allowed per request's verification (default 30): 503 after it
    LIBSIGN_LANGUAGE       vi (default) or en: the report's language when a request has no ?lang=
    LIBSIGN_CACHE_ENTRIES  answers kept per worker, by the document's SHA-256 (default 256; 0: none)
    LIBSIGN_CACHE_BYTES    their total size at most (default 64 MiB)
    LIBSIGN_CACHE_SECONDS  and their age at most (default 300: a revocation status may change)

Stateless: uploads are held in memory for the request only (multipart is parsed in
memory too), never written to disk; the only state is each worker's bounded cache of
answers, so the service scales out behind any load balancer.
A verification that outlives LIBSIGN_TIMEOUT is answered 503; its thread still runs to the
end (libsign calls are not interrupted) within the worker's thread pool.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
from email import policy
from email.parser import BytesParser
from typing import Callable, Optional

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

import libsign

from cache import AnswerCache
from preview import signature_pages

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_BYTES = int(os.environ.get("LIBSIGN_MAX_BYTES", str(20 << 20)))
TIMEOUT = float(os.environ.get("LIBSIGN_TIMEOUT", "30"))
LANGUAGE = os.environ.get("LIBSIGN_LANGUAGE", "vi")
LANGUAGES = ("vi", "en")
CACHE = AnswerCache(max_entries=int(os.environ.get("LIBSIGN_CACHE_ENTRIES", "256")),
                    max_bytes=int(os.environ.get("LIBSIGN_CACHE_BYTES", str(64 << 20))),
                    max_age=float(os.environ.get("LIBSIGN_CACHE_SECONDS", "300")))
# The page and its script may come only from here; report texts are hostile data and are
# only ever set as text by the script, never as markup.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
STATIC_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css",
                ".svg": "image/svg+xml"}  # text/* are sent as UTF-8


def _paths(var: str) -> list:
    return [p for p in os.environ.get(var, "").split(":") if p]


def _context(language: str) -> libsign.Context:
    trust = _paths("LIBSIGN_TRUST")
    if not trust:
        raise SystemExit("verify-service: set LIBSIGN_TRUST to the trust anchors")
    return libsign.Context(trust=trust, intermediates=_paths("LIBSIGN_INTERMEDIATES"),
                           revocation=os.environ.get("LIBSIGN_REVOCATION", "offline"),
                           language=language, max_bytes=MAX_BYTES)


def _static_files() -> dict:
    """The page's files, read once: requests never reach the file system."""
    files = {}
    folder = os.path.join(HERE, "static")
    for name in sorted(os.listdir(folder)):
        kind = STATIC_TYPES.get(os.path.splitext(name)[1])
        if kind:
            with open(os.path.join(folder, name), "rb") as f:
                files[name] = (f.read(), kind)
    return files


if LANGUAGE not in LANGUAGES:
    raise SystemExit(f"verify-service: LIBSIGN_LANGUAGE must be one of {', '.join(LANGUAGES)}")
app = FastAPI(title="libsign verification service", version="1")
# Per worker; thread-safe. The JSON report is the same in every language; the language
# is that of its text summary, which the page shows.
CONTEXTS = {lang: _context(lang) for lang in LANGUAGES}
STATIC = _static_files()


@app.middleware("http")
async def security_headers(request: Request, call_next):
    response = await call_next(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _problem(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": code, "message": message})


async def _body(request: Request) -> tuple:
    """The document and its name: a multipart field "file", or the raw body; (None, None)
    when it is too large. Everything stays in memory: nothing is written to disk."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BYTES + 65536:
        return None, None
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BYTES + 65536:
            return None, None
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        return _form_file(bytes(data), kind)
    if len(data) > MAX_BYTES:
        return None, None
    return bytes(data), request.query_params.get("name")


def _form_file(body: bytes, kind: str) -> tuple:
    """The "file" part of a multipart body, parsed in memory."""
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + kind.encode("latin-1") + b"\r\n\r\n" + body)
    for part in message.iter_parts() if message.is_multipart() else ():
        if part.get_param("name", header="content-disposition") == "file":
            return part.get_payload(decode=True) or b"", part.get_filename()
    return b"", None


@app.get("/healthz")
async def healthz() -> dict:
    return {"status": "ok", "libsign": libsign.library_version(),
            "cache": {"entries": len(CACHE), "bytes": CACHE.bytes}}


@app.get("/")
async def page() -> Response:
    return _static("index.html")


@app.get("/static/{name}")
async def static(name: str) -> Response:
    return _static(name)


def _static(name: str) -> Response:
    if name not in STATIC:
        return _problem(404, "not_found", "no such file")
    data, kind = STATIC[name]
    return Response(content=data, media_type=kind, headers={"Cache-Control": "no-cache"})


@app.post("/api/v1/verify")
async def verify(request: Request):
    """The report JSON, as `libsign verify --json` prints it for one file."""
    return await _answer(request, _verify, lambda answer, name: dict(answer, file=name),
                         language=False)


@app.post("/api/v1/preview")
async def preview(request: Request):
    """What the web page shows: {"report", "summary" (the report as text, in ?lang=),
    "pages": [{"page", "image" (a PNG data: URL), "boxes": [{"index", "field", "left",
    "top", "width", "height"} as fractions of the picture]}], "invisible": [signature
    index...], "preview_error"}."""
    return await _answer(request, _preview,
                         lambda answer, name: dict(answer, report=dict(answer["report"], file=name)))


async def _answer(request: Request, work: Callable, named: Callable, language: bool = True):
    """Reads the document, answers from the cache or runs `work` in a worker thread
    within the time limit; `named` puts the request's file name into the answer.
    With `language`, ?lang= chooses the language of the answer's texts."""
    data, name = await _body(request)
    if data is None or len(data) > MAX_BYTES:
        return _problem(413, "too_large", f"the document is larger than {MAX_BYTES} bytes")
    if not data:
        return _problem(400, "empty", "no document: send it as the body or as the form field 'file'")
    lang = (request.query_params.get("lang") if language else None) or LANGUAGE
    if lang not in CONTEXTS:
        return _problem(400, "language", f"lang must be one of {', '.join(LANGUAGES)}")
    key = (work.__name__, lang, hashlib.sha256(data).digest())
    answer = CACHE.get(key)
    if answer is None:
        try:
            answer = await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(
                None, work, CONTEXTS[lang], data), TIMEOUT)
        except asyncio.TimeoutError:
            return _problem(503, "timeout", f"verification took longer than {TIMEOUT:g} s")
        except (libsign.ParseError, libsign.UnsupportedError) as e:
            return _problem(422, "unreadable", e.message)
        except libsign.LimitError as e:
            return _problem(413, "limit", e.message)
        except libsign.LibsignError as e:
            return _problem(400, "refused", e.message)
        CACHE.put(key, answer, len(json.dumps(answer)))
    return JSONResponse(named(answer, name or ""))


def _verify(ctx: libsign.Context, data: bytes) -> dict:
    """Runs in a worker thread: the GIL is released inside libsign."""
    return ctx.verify(data, name="").to_dict()


def _preview(ctx: libsign.Context, data: bytes) -> dict:
    verified = ctx.verify(data, name="")
    report = verified.to_dict()
    answer = {"report": report, "summary": verified.text, "pages": [], "invisible": [],
              "preview_error": None}
    if report.get("format") != "pdf":
        return answer
    shown = signature_pages(data, report, ctx.inspect(data))
    answer.update(pages=shown["pages"], invisible=shown["invisible"],
                  preview_error=shown["error"])
    return answer
