"""The one sanitizer every format relies on."""

from __future__ import annotations

import pytest

from publish.html import sanitize, strip_controls, strip_forbidden, text_of

HOSTILE = [
    '<script>alert(1)</script>',
    '<img src="x.png" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<form action="https://evil.example"><input name="q"><button>go</button></form>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<style>body{display:none}</style>',
    '<link rel="stylesheet" href="https://evil.example/a.css">',
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<img src="file:///etc/passwd">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
]


@pytest.mark.parametrize("html", HOSTILE)
def test_nothing_active_survives(html: str) -> None:
    cleaned = sanitize(html).lower()
    for bad in ("<script", "onerror", "onload", "javascript:", "<iframe", "<form", "<input", "<object", "<embed",
                "<style", "<link", "<svg", "url(", "data:", "file:", "<meta", "<base", "alert"):
        assert bad not in cleaned


def test_pandoc_structure_and_mathml_survive() -> None:
    html = ('<h2 id="a">A</h2><table><thead><tr><th style="text-align: center;">x</th></tr></thead></table>'
            '<div class="sourceCode"><pre class="sourceCode python"><code class="sourceCode python">'
            '<span class="kw">def</span></code></pre></div>'
            '<math display="block" xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mi>x</mi>'
            '<annotation encoding="application/x-tex">x</annotation></semantics></math>'
            '<a href="#fn1" class="footnote-ref" id="fnref1" role="doc-noteref"><sup>1</sup></a>')
    assert sanitize(html) == html


def test_xml_forbidden_characters() -> None:
    assert strip_forbidden("a\x1bb\x0bc\x0cd\x00e\tf\ng\rh\ufffei") == "abcde\tf\ng\rhi"
    assert "\x1b" not in sanitize("<p>esc\x1b</p>")


def test_control_characters_and_noncharacters() -> None:
    text = "a\x1b[31mb\x9bc\x85d\x7fe\ufffef\uffffg\ufdd0h\ufdefi\U0001fffej\U0010ffffk\ud800l\tm\nn\r\no\rp"
    assert strip_controls(text) == ("a[31mbcdefghijkl\tm\nn\no\np", 11)
    assert strip_controls("plain, café, 排版, \U0001f600") == ("plain, café, 排版, \U0001f600", 0)


def test_text() -> None:
    assert text_of("<p>A &amp; <b>B</b></p>\n<p>C</p>") == "A & B C"
