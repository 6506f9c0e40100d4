"""libsign verification service: POST a signed PDF or XML e-result, get the verdict as JSON.

    LIBSIGN_TRUST=/etc/libsign/roots uvicorn --app-dir examples/verify-service app:app \
        --host 127.0.0.1 --port 8080 --workers 4

Configuration (environment):
    LIBSIGN_TRUST          trust anchors: PEM files or directories, ':'-separated (required)
    LIBSIGN_INTERMEDIATES  untrusted CA certificates, PEM files, ':'-separated
    LIBSIGN_REVOCATION     offline (default), online or none
    LIBSIGN_MAX_BYTES      largest accepted document (default 20 MiB): 413 above it
    LIBSIGN_TIMEOUT        seconds allowed per verification (default 30): 503 after it
    LIBSIGN_LANGUAGE       vi (default) or en, for the report's text

Stateless: uploads are held in memory for the request only (multipart is parsed in
memory too), never written to disk, so the service scales out behind any load balancer.
A verification that outlives LIBSIGN_TIMEOUT is answered 503; its thread still runs to the
end (libsign calls are not interrupted) within the worker's thread pool.
"""
from __future__ import annotations

import asyncio
import os
from email import policy
from email.parser import BytesParser
from typing import Optional

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

import libsign

MAX_BYTES = int(os.environ.get("LIBSIGN_MAX_BYTES", str(20 << 20)))
TIMEOUT = float(os.environ.get("LIBSIGN_TIMEOUT", "30"))


def _paths(var: str) -> list:
    return [p for p in os.environ.get(var, "").split(":") if p]


def _context() -> libsign.Context:
    trust = _paths("LIBSIGN_TRUST")
    if not trust:
        raise SystemExit("verify-service: set LIBSIGN_TRUST to the trust anchors")
    return libsign.Context(trust=trust, intermediates=_paths("LIBSIGN_INTERMEDIATES"),
                           revocation=os.environ.get("LIBSIGN_REVOCATION", "offline"),
                           language=os.environ.get("LIBSIGN_LANGUAGE", "vi"),
                           max_bytes=MAX_BYTES)


app = FastAPI(title="libsign verification service", version="1")
CTX = _context()  # one per worker process; libsign contexts are thread-safe


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
    return {"status": "ok", "libsign": libsign.library_version()}


@app.post("/api/v1/verify")
async def verify(request: Request):
    data, name = await _body(request)
    if data is None or len(data) > MAX_BYTES:
        return _problem(413, "too_large", f"the document is larger than {MAX_BYTES} bytes")
    if not data:
        return _problem(400, "empty", "no document: send it as the body or as the form field 'file'")
    try:
        report = await asyncio.wait_for(
            asyncio.get_running_loop().run_in_executor(None, _verify, data, name), TIMEOUT)
    except asyncio.TimeoutError:
        return _problem(503, "timeout", f"verification took longer than {TIMEOUT:g} s")
    except (libsign.ParseError, libsign.UnsupportedError) as e:
        return _problem(422, "unreadable", e.message)
    except libsign.LimitError as e:
        return _problem(413, "limit", e.message)
    except libsign.LibsignError as e:
        return _problem(400, "refused", e.message)
    return JSONResponse(report)


def _verify(data: bytes, name: Optional[str]) -> dict:
    """Runs in a worker thread: the GIL is released inside libsign."""
    return CTX.verify(data, name=name or "").to_dict()
