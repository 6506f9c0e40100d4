"""A small Chrome DevTools Protocol client for headless Chromium, over --remote-debugging-pipe.

Chromium reads commands from its fd 3 and writes replies and events to its fd 4, each a
JSON message ended by a NUL byte. A pipe needs no port and no websocket library: only
the standard library. One page (target) is attached in flat session mode.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time


class CDPError(Exception):
    pass


class Browser:
    def __init__(self, width: int = 1280, height: int = 1000) -> None:
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if exe is None:
            raise CDPError("chromium is not installed (Debian package chromium)")
        self._profile = tempfile.mkdtemp(prefix="libsign-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        args = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--remote-debugging-pipe",
                f"--user-data-dir={self._profile}", f"--window-size={width},{height}",
                "--lang=vi-VN", "about:blank"]
        # bash (dash takes no fd above 9) moves the pipe ends to the fds Chromium expects, then becomes Chromium.
        script = (f'exec 3<&{to_browser_r} 4>&{from_browser_w} {to_browser_r}<&- '
                  f'{from_browser_w}>&-; exec "$@"')
        self.log = tempfile.TemporaryFile()
        # Sanitizer builds preload their runtime into the tests' processes: not into Chromium.
        env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
        self.proc = subprocess.Popen(["bash", "-c", script, "bash", *args], env=env,
                                     pass_fds=(to_browser_r, from_browser_w),
                                     stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buf = b""
        self._next_id = 0
        self.events: list = []
        self.session = None
        self.last_download = None
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "DOM", "Log"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            if time.monotonic() > deadline:
                raise CDPError("Chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                self.log.seek(0)
                raise CDPError("Chromium exited: " + self.log.read()[-2000:].decode("utf-8",
                                                                                    "replace"))
            self._buf += chunk
        message, self._buf = self._buf.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, timeout: float = 30, **params) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if self.session is not None and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event["method"] == method:
                    return self.events.pop(i)
            self.events.append(self._read_message(deadline))

    def navigate(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str):
        """The value of a JavaScript expression (awaited when it is a promise)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise CDPError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60):
        """Polls a JavaScript expression until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise CDPError(f"timed out waiting for {expression}")

    def set_file(self, selector: str, path: str) -> None:
        """Chooses `path` in the file input `selector`, as a user would (fires change)."""
        root = self.call("DOM.getDocument")["root"]["nodeId"]
        node = self.call("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        if not node:
            raise CDPError(f"no element {selector}")
        self.call("DOM.setFileInputFiles", nodeId=node, files=[path])

    def download(self, selector: str, folder: str, timeout: float = 30) -> str:
        """Clicks the link `selector` and waits for the file it downloads into `folder`;
        returns its path."""
        self.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=folder,
                  eventsEnabled=True)
        self.events = [e for e in self.events if not e["method"].startswith("Browser.download")]
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
        name = self.wait_event("Browser.downloadWillBegin", timeout)["params"]["suggestedFilename"]
        while True:
            progress = self.wait_event("Browser.downloadProgress", timeout)["params"]
            if progress["state"] == "completed":
                self.last_download = os.path.join(folder, name)
                return self.last_download
            if progress["state"] == "canceled":
                raise CDPError(f"the download of {name} was canceled")

    def screenshot(self, path: str) -> None:
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data["data"]))

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except (CDPError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            os.close(fd)
        self.log.close()
        shutil.rmtree(self._profile, ignore_errors=True)
