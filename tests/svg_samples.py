"""SVG files for the tests of SVG images: a hostile one that tries every way out of an image
(scripts, handlers, HTML, external references, XXE), benign ones, and an HTTP server on
127.0.0.1 that records every request the hostile file might make."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar

# Parts of the hostile file that must reach no output, in any form.
HOSTILE_TRACES = (b"SVGBAD", b"alert", b"onload", b"onclick", b"<script", b"foreignObject", b"iframe",
                  b"@import", b"@font-face", b"127.0.0.1", b"passwd", b"root:x:0:0", b"javascript:",
                  b"feImage", b"<image", b"<set", b"<animate")
HILL_STROKE = "#0b3d1a"          # the hostile file's drawing keeps this colour (found in the PDF)


def hostile_svg(port: int, *, doctype: bool = True) -> bytes:
    """An SVG whose drawing (sky, sun, hills, a word) is fine and whose every other part is an attack
    on the reader or the build machine; `port` is the recording server's."""
    origin = f"http://127.0.0.1:{port}"
    head = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg SYSTEM "{origin}/svg.dtd" [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY remote SYSTEM "{origin}/entity">
]>
""" if doctype else '<?xml version="1.0" encoding="UTF-8"?>\n'
    text = "&xxe;Hills&remote;" if doctype else "Hills"
    return (head + f"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="800" height="450" viewBox="0 0 800 450" onload="alert('SVGBAD-onload')">
  <style>
    @import url({origin}/import.css);
    @font-face {{ font-family: Evil; src: url({origin}/font.woff) }}
    .sky {{ fill: #3366cc; stroke: url({origin}/paint.svg#p) }}
    .sun {{ fill: u\\72l({origin}/escaped.svg#p) }}
  </style>
  <script type="text/javascript">alert('SVGBAD-script')</script>
  <defs>
    <linearGradient id="sun"><stop offset="0" stop-color="#ffcc00"/><stop offset="1" stop-color="#ff6600"/></linearGradient>
  </defs>
  <rect class="sky" width="800" height="450" onclick="alert('SVGBAD-click')"
        style="fill:#3366cc; background-image:url({origin}/style.png)"/>
  <circle class="sun" cx="400" cy="225" r="120" fill="url(#sun)"/>
  <path d="M0 400 L200 300 L400 380 L600 280 L800 360 L800 450 L0 450 Z" fill="#1a7f37"
        stroke="{HILL_STROKE}" stroke-width="8"/>
  <image href="{origin}/image.png" width="10" height="10"/>
  <image xlink:href="file:///etc/passwd" width="10" height="10"/>
  <image href="data:image/svg+xml;base64,PHN2Zy8+" width="10" height="10"/>
  <use xlink:href="{origin}/use.svg#x"/>
  <filter id="f"><feImage href="{origin}/feimage.png"/></filter>
  <a xlink:href="javascript:alert('SVGBAD-link')"><text x="40" y="80" font-size="48" fill="#ffffff">{text}</text></a>
  <foreignObject width="800" height="450"><div xmlns="http://www.w3.org/1999/xhtml"><iframe
    src="{origin}/iframe"></iframe><p>SVGBAD-foreign</p></div></foreignObject>
  <set attributeName="href" to="javascript:alert('SVGBAD-set')"/>
  <animate attributeName="fill" to="url({origin}/anim.svg#p)" begin="0s"/>
</svg>
""").encode()


# Only a viewBox: 3:1, drawn in a colour nothing else uses.
VIEWBOX_ONLY = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100">
<rect width="300" height="100" fill="#fde2e4"/><path d="M10 90 L100 20 L200 60 L290 10" stroke="#123456"
stroke-width="6" fill="none"/></svg>
"""
NO_SIZE = b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10" fill="#00aa00"/></svg>'


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml")
        self.end_headers()
        self.wfile.write(b'<svg xmlns="http://www.w3.org/2000/svg"><text>SVGBAD-fetched</text></svg>')

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def recording_server() -> Iterator[tuple[int, list[str]]]:
    """A real HTTP server on 127.0.0.1: (port, the paths requested so far)."""
    _Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_port, _Recorder.requests
    finally:
        server.shutdown()
        server.server_close()
