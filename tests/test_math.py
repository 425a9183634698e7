"""math.py: formulas, their TeX and their kind, in lxml's tree (no namespace) and WeasyPrint's."""

from __future__ import annotations

import tinyhtml5

from publish import bodytree, math
from publish.namespaces import MATHML, local, qualified

FORMULAS = ('<p>Inline <math display="inline" xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mi>x</mi>'
            '<annotation encoding="application/x-tex">x &lt; 1</annotation></semantics></math> and</p>'
            '<math display="block"><semantics><mrow><mi>E</mi><mo>=</mo><mi>m</mi></mrow>'
            '<annotation encoding="application/x-tex">\n  E = m\n</annotation></semantics></math>'
            '<math><mi>a</mi> <mo>+</mo> <mi>b</mi><math><mi>nested</mi></math></math>')


def test_formulas_tex_and_display_in_lxmls_tree() -> None:
    found = list(math.formulas(bodytree.parse(FORMULAS)))
    assert len(found) == 3                                    # the nested one belongs to its formula
    assert [math.tex_of(f) for f in found] == ["x < 1", "E = m", "a + bnested"]
    assert [math.is_display(f) for f in found] == [False, True, False]
    assert [math.code_class(f) for f in found] == ["math inline", "math display", "math inline"]


def test_the_same_in_weasyprints_tree_where_mathml_has_its_namespace() -> None:
    document = tinyhtml5.parse(f"<body>{FORMULAS}</body>", namespace_html_elements=False)
    found = list(math.formulas(document))
    assert found[0].tag == qualified(MATHML, "math") and local(found[0].tag) == "math"
    assert [math.tex_of(f) for f in found] == ["x < 1", "E = m", "a + bnested"]
    assert all(math.is_math(f) for f in found)
