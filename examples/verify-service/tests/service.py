"""Starts the verification service on a free loopback port, for the tests and the load bench.

The server's output goes to a temporary file (a pipe could fill up and stall it) and is
returned when it stops, so callers can check that no traceback was printed.
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

SERVICE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(os.path.dirname(SERVICE))


class ServiceError(Exception):
    pass


class Service:
    def __init__(self, proc: subprocess.Popen, log, base: str) -> None:
        self.proc, self.log, self.base = proc, log, base
        self.output = ""


@contextlib.contextmanager
def running_service(environ: dict, workers: int = 2, access_log: bool = True,
                    bind_by_environment: bool = False):
    """Yields a Service whose .base is http://127.0.0.1:PORT; after the block, .output
    holds everything the server printed. With `bind_by_environment` the address, port
    and workers are given as UVICORN_HOST, UVICORN_PORT and UVICORN_WORKERS."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "bindings", "python"), **environ)
    args = [sys.executable, "-m", "uvicorn", "--app-dir", SERVICE, "app:app"]
    bind = {"host": "127.0.0.1", "port": str(port), "workers": str(workers)}
    if bind_by_environment:
        env.update({f"UVICORN_{k.upper()}": v for k, v in bind.items()})
    else:
        args += [a for k, v in bind.items() for a in (f"--{k}", v)]
    if not access_log:
        args.append("--no-access-log")
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
    service = Service(proc, log, f"http://127.0.0.1:{port}")
    try:
        _wait_healthy(service)
        _wait_started(service, workers)
        yield service
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.seek(0)
        service.output = log.read().decode("utf-8", "replace")
        log.close()


def _wait_healthy(service: Service) -> None:
    for _ in range(300):
        try:
            with urllib.request.urlopen(service.base + "/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            if service.proc.poll() is not None:
                raise ServiceError("the service exited: " + _printed(service).decode())
            time.sleep(0.1)
    raise ServiceError("the service did not answer /healthz within 30 s")


def _wait_started(service: Service, workers: int) -> None:
    """Every worker has finished its start-up: stopping one still starting makes starlette
    print a CancelledError traceback from its lifespan task."""
    for _ in range(300):
        if _printed(service).count(b"Application startup complete") >= workers:
            return
        time.sleep(0.1)
    raise ServiceError(f"not all {workers} workers started within 30 s")


def _printed(service: Service) -> bytes:
    """What the server printed so far, read without moving the file offset it writes at."""
    fd = service.log.fileno()
    return os.pread(fd, os.fstat(fd).st_size, 0)
