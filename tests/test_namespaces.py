"""namespaces.py: each namespace named once, and tags read the same in every tree."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from lxml import etree

from publish.namespaces import MATHML, XHTML, local, qualified

SRC = Path(__file__).parents[1] / "src" / "publish"


def test_names_of_tags() -> None:
    assert qualified(MATHML, "mi") == "{http://www.w3.org/1998/Math/MathML}mi"
    assert local(qualified(XHTML, "p")) == "p" and local("p") == "p"
    assert local(etree.Comment("x").tag) == "" and local(ET.Comment("x").tag) == ""


def test_every_namespace_uri_is_written_in_namespaces_py_only() -> None:
    uri = re.compile(r"http://www\.w3\.org/(1999/xhtml|1998/Math|2000/svg|1999/xlink|XML/1998)|idpf\.org/2007/ops")
    found = [p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py") if uri.search(p.read_text(encoding="utf-8"))]
    assert found == ["namespaces.py"]
