"""The report in a real browser: headless Chromium (Debian's ``chromium``)
opens the HTML file from disk; over the DevTools protocol the test checks
that every image decoded with a non-zero size, that the page logged no
console error and ran no script, that it fetched nothing from the network,
that a screenshot is not blank and that it prints to PDF.

The DevTools websocket is spoken with the standard library only (a minimal
RFC 6455 client below): no Playwright, no browser download, no extra
package. Skipped, with the reason, when chromium is not installed (CI
installs it: ``apt-get install chromium``).
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import socket
import struct
import subprocess
import time
from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--disable-component-update", "--disable-sync", "--remote-debugging-port=0", "--window-size=1280,900"]
TIMEOUT = 60.0


# ----------------------------------------------------------- websocket client


class WebSocket:
    """Just enough of RFC 6455 for the DevTools protocol: text frames out (masked), frames in."""

    def __init__(self, url: str, timeout: float = TIMEOUT):
        assert url.startswith("ws://"), url
        hostport, _, path = url[len("ws://"):].partition("/")
        host, _, port = hostport.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("websocket handshake: connection closed")
            head += chunk
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status + b" ":
            raise ConnectionError(f"websocket handshake refused: {status!r}")

    def _exact(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("websocket closed")
            buf += chunk
        return bytes(buf)

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send(self, text: str) -> None:
        self._send_frame(0x1, text.encode("utf-8"))

    def recv(self) -> str:
        message = bytearray()
        while True:
            b0, b1 = self._exact(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._exact(8))[0]
            mask = self._exact(4) if b1 & 0x80 else None
            payload = self._exact(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x8:
                raise ConnectionError("websocket closed by the browser")
            if opcode == 0x9:  # ping
                self._send_frame(0xA, payload)
                continue
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if b0 & 0x80:
                    return message.decode("utf-8")

    def close(self) -> None:
        try:
            self._send_frame(0x8, b"")
        except OSError:
            pass
        self.sock.close()


class DevTools:
    """A browser-level DevTools connection with one attached page (flattened session)."""

    def __init__(self, ws: WebSocket):
        self.ws = ws
        self.next_id = 0
        self.events: list[dict] = []
        self.session: str | None = None

    def call(self, method: str, params: dict | None = None, *, page: bool = True, timeout: float = TIMEOUT) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if page and self.session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)
        raise TimeoutError(method)

    def wait_for(self, method: str, timeout: float = TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        for e in self.events:
            if e["method"] == method:
                return e
        while time.monotonic() < deadline:
            event = json.loads(self.ws.recv())
            if "method" in event:
                self.events.append(event)
                if event["method"] == method:
                    return event
        raise TimeoutError(method)


@pytest.fixture
def browser(tmp_path):
    if not CHROMIUM:
        pytest.skip("chromium is not installed (apt-get install chromium); the browser test needs it")
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    log = open(tmp_path / "chromium.log", "wb")
    proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"], stdout=log,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    ws = None
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if proc.poll() is not None:
                pytest.fail(f"chromium exited with {proc.returncode}: {(tmp_path / 'chromium.log').read_text()[-1000:]}")
            if time.monotonic() > deadline:
                pytest.fail("chromium did not open its DevTools port")
            time.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        ws = WebSocket(f"ws://127.0.0.1:{port}{path}")
        dt = DevTools(ws)
        target = dt.call("Target.createTarget", {"url": "about:blank"}, page=False)["targetId"]
        dt.session = dt.call("Target.attachToTarget", {"targetId": target, "flatten": True}, page=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            dt.call(f"{domain}.enable")
        yield dt
        try:
            dt.call("Browser.close", page=False, timeout=10)
        except (OSError, ConnectionError, TimeoutError, RuntimeError):
            pass
    finally:
        if ws is not None:
            ws.close()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


# ----------------------------------------------------------------- reports


def _example_report(tmp_path: Path, image_format: str) -> Path:
    from click.testing import CliRunner

    from tracker.cli import main
    from tracker.report.render import render_html
    from tracker.services.report import build_report
    from tracker.storage import open_store

    url = f"sqlite:///{tmp_path / 'example.db'}"
    open_store(url, upgrade=True).dispose()
    for name in ("trump-putin-2018.yaml", "resolutions-2018-Q3.yaml"):
        path = tmp_path / name
        path.write_bytes(resources.files("tracker.examples").joinpath(name).read_bytes())
        result = CliRunner().invoke(main, ["--db", url, "import", str(path)])
        assert result.exit_code == 0, result.stderr
    store = open_store(url)
    try:
        report = build_report(store, quarter="2018Q3", as_of=date(2018, 10, 15),
                              now=datetime(2018, 10, 15, tzinfo=timezone.utc))
    finally:
        store.dispose()
    out = tmp_path / f"report-{image_format}.html"
    out.write_text(render_html(report, image_format=image_format), encoding="utf-8")
    return out


def _xss_report(tmp_path: Path) -> Path:
    from click.testing import CliRunner

    from tracker.cli import main
    from tracker.report.render import render_html
    from tracker.services.report import build_report
    from tracker.storage import open_store

    url = f"sqlite:///{tmp_path / 'xss.db'}"
    open_store(url, upgrade=True).dispose()
    csv = tmp_path / "xss.csv"
    text = '<script>alert(1)</script><img src=x onerror="alert(2)"><svg onload=alert(3)>'
    rows = ["question,analyst,probability,made_at,deadline,text,outcome,known_at"]
    for i in range(12):
        rows.append(f'q{i},"<b onmouseover=alert(4)>eve</b>",{0.9 if i % 3 else 0.2},2018-07-01,2018-08-01,'
                    f'"{text.replace(chr(34), chr(34) * 2)} {i}",{"no" if i % 2 else "yes"},2018-08-01')
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", url, "import", str(csv)])
    assert result.exit_code == 0, result.stderr
    store = open_store(url)
    try:
        report = build_report(store, as_of=date(2018, 10, 15), now=datetime(2018, 10, 15, tzinfo=timezone.utc))
    finally:
        store.dispose()
    out = tmp_path / "xss.html"
    out.write_text(render_html(report), encoding="utf-8")
    return out


def _open(dt: DevTools, path: Path) -> None:
    dt.call("Page.navigate", {"url": path.resolve().as_uri()})
    dt.wait_for("Page.loadEventFired")


def _images(dt: DevTools) -> list:
    """Each image's decode result: [width, height] once decoded, or the decoding error."""
    expr = ("Promise.all(Array.from(document.images, i => i.decode().then("
            "() => [i.naturalWidth, i.naturalHeight, i.alt], e => 'failed: ' + e + ' ' + i.alt)))")
    result = dt.call("Runtime.evaluate", {"expression": expr, "awaitPromise": True, "returnByValue": True})
    assert "exceptionDetails" not in result, result
    return result["result"]["value"]


def _problems(dt: DevTools) -> list[str]:
    out = []
    for e in dt.events:
        m, p = e["method"], e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
            out.append(f"console {p['type']}: {p.get('args')}")
        elif m == "Runtime.exceptionThrown":
            out.append(f"exception: {p.get('exceptionDetails', {}).get('text')}")
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            out.append(f"log error: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        elif m == "Page.javascriptDialogOpening":
            out.append(f"a script ran: dialog {p.get('message')!r}")
        elif m == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            if not url.startswith(("file:", "data:", "about:")):
                out.append(f"network request: {url}")
    return out


def _not_blank(png: bytes) -> None:
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("L")
    assert img.width > 100 and img.height > 100
    hist = img.histogram()
    dark = sum(hist[:200]) / (img.width * img.height)
    assert dark > 0.005, f"screenshot is blank ({dark:.4%} non-white pixels)"
    assert sum(1 for h in hist if h) > 16, "screenshot has almost no tones: blank or a solid colour"


@pytest.mark.parametrize("image_format", ["svg", "png"])
def test_report_opens_cleanly_in_chromium(browser, tmp_path, image_format):
    report = _example_report(tmp_path, image_format)
    _open(browser, report)
    images = _images(browser)
    assert len(images) == 3, images  # calibration, analysts, phrases
    for item in images:
        assert isinstance(item, list), item  # a string is a decoding failure
        width, height, alt = item
        assert width > 100 and height > 100, item
        assert alt
    title = browser.call("Runtime.evaluate", {"expression": "document.title", "returnByValue": True})
    assert title["result"]["value"] == "Forecast report: 2018Q3"
    shot = browser.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    _not_blank(base64.b64decode(shot["data"]))
    pdf = base64.b64decode(browser.call("Page.printToPDF", {"printBackground": False})["data"])
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    assert _problems(browser) == []


def test_hostile_text_stays_inert_in_chromium(browser, tmp_path):
    report = _xss_report(tmp_path)
    _open(browser, report)
    scripts = browser.call("Runtime.evaluate", {"expression": "document.scripts.length", "returnByValue": True})
    assert scripts["result"]["value"] == 0
    handlers = browser.call("Runtime.evaluate", {
        "expression": "Array.from(document.querySelectorAll('*')).filter(e => Array.from(e.attributes)"
                      ".some(a => a.name.startsWith('on'))).length", "returnByValue": True})
    assert handlers["result"]["value"] == 0
    text = browser.call("Runtime.evaluate", {"expression": "document.body.innerText", "returnByValue": True})
    assert "<script>alert(1)</script>" in text["result"]["value"]  # shown as text
    for item in _images(browser):
        assert isinstance(item, list) and item[0] > 100, item
    time.sleep(0.3)  # give a would-be onerror/onload handler the time to fire
    browser.call("Runtime.evaluate", {"expression": "1"})
    assert _problems(browser) == []
