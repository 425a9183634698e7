"""The font families a PDF theme names that this machine does not have.

A missing family never stops a PDF: WeasyPrint (through fontconfig) sets the text in whatever
installed font has the glyphs. The exporter says once per run which families are missing and,
for the Noto families of the default theme, which Debian package provides them.
Imports WeasyPrint's fontconfig binding: import this module only where a PDF is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# Generic families and keywords that fontconfig always resolves to something.
GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "emoji", "math", "fangsong",
           "ui-serif", "ui-sans-serif", "ui-monospace", "ui-rounded", "inherit", "initial", "unset", "revert"}
# Debian packages of the Noto families, most specific first (PRODUCT.md: fonts come from these).
PACKAGES = (("Noto Color Emoji", "fonts-noto-color-emoji"), ("CJK", "fonts-noto-cjk"),
            ("Noto Sans Mono", "fonts-noto-mono"), ("Noto Mono", "fonts-noto-mono"), ("Noto ", "fonts-noto-core"))
SHOWN = 4                              # families named per package; the rest are counted
# WeasyPrint logs this once per character that no installed font has (draw/text.py).
_NOTDEF = re.compile(r'^\.notdef glyph rendered for Unicode string unsupported by fonts: "(.*)" \((U\+[0-9A-F]+)\)$')
GLYPHS_SHOWN = 8


def without_glyph_lines(messages: list[str], *, fonts_missing: bool) -> list[str]:
    """WeasyPrint's messages about one PDF, its line per character without a glyph made one
    (none when the whole run already warned that the theme's fonts are not installed)."""
    glyphs = [match for line in messages if (match := _NOTDEF.match(line))]
    lines = [line for line in messages if not _NOTDEF.match(line)]
    if glyphs and not fonts_missing:
        shown = ", ".join(f"{m[1]} ({m[2]})" for m in glyphs[:GLYPHS_SHOWN])
        more = f" and {len(glyphs) - GLYPHS_SHOWN} more" if len(glyphs) > GLYPHS_SHOWN else ""
        lines.append(f"{len(glyphs)} character(s) have no glyph in the installed fonts and print as empty "
                     f"boxes: {shown}{more} (install a font that covers them)")
    return lines


def missing_fonts_warning(css: str, installed: set[str] | None = None) -> str | None:
    """One sentence naming the theme's families that fontconfig does not have, or None."""
    installed = installed_families() if installed is None else installed
    if not installed:                  # unknown (no fontconfig binding): say nothing rather than guess
        return None
    missing = [family for family in theme_families(css) if key(family) not in installed]
    if not missing:
        return None
    by_package: dict[str, list[str]] = {}
    for family in missing:
        by_package.setdefault(package_of(family) or "", []).append(family)
    parts = []
    for package, families in by_package.items():
        names = ", ".join(families[:SHOWN]) + (f" and {len(families) - SHOWN} more" if len(families) > SHOWN else "")
        parts.append(f"{names} (Debian package {package})" if package else names)
    packages = " ".join(p for p in by_package if p)
    install = f"; to install them on Debian or Ubuntu: apt install {packages}" if packages else ""
    return (f"fonts not installed: {'; '.join(parts)}. PDFs are set in the fonts fontconfig has instead, "
            f"so some scripts or emoji may print as empty boxes{install}")


def key(family: str) -> str:
    """fontconfig compares family names ignoring case and blanks ("Noto Sans Symbols 2")."""
    return "".join(family.split()).casefold()


def package_of(family: str) -> str | None:
    return next((package for marker, package in PACKAGES if marker in family), None)


def theme_families(css: str) -> list[str]:
    """Every family the stylesheet asks fontconfig for: in font-family (directly or through a
    custom property) and in @font-face `src: local(…)`. Families the theme defines itself with
    @font-face are not system fonts and are left out; so are generic families."""
    import tinycss2

    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    declared: set[str] = set()           # @font-face font-family names
    asked: list[str] = []
    variables: dict[str, list[Any]] = {}
    used_variables: list[str] = []
    for at_rule, declaration in _declarations(rules):
        name = declaration.lower_name
        if at_rule == "font-face":
            if name == "font-family":
                declared.update(key(f) for f, _ in _families(declaration.value))
            elif name == "src":
                asked += _local_names(declaration.value)
        elif name.startswith("--"):
            variables[declaration.name] = declaration.value
        elif name in ("font-family", "font"):
            for family, variable in _families(declaration.value):
                if variable:
                    used_variables.append(variable)
                elif name == "font-family":
                    asked.append(family)
            if name == "font":         # in the shorthand only quoted names are surely families
                asked += [token.value for token in declaration.value if token.type == "string"]
    for variable in used_variables:
        asked += [family for family, _ in _families(variables.get(variable, [])) if family]
    seen: dict[str, str] = {}
    for family in asked:
        if key(family) not in declared and family.casefold() not in GENERIC:
            seen.setdefault(key(family), family)
    return sorted(seen.values(), key=lambda family: _first_use(css, family))


def _first_use(css: str, family: str) -> int:
    """Where the stylesheet first names `family` (so the main faces come first in a message)."""
    for written in (f'"{family}"', f"'{family}'", family):
        if (found := css.find(written)) >= 0:
            return found
    return len(css)


def _declarations(rules: list[Any], at_rule: str = "") -> Iterator[tuple[str, Any]]:
    """(enclosing at-rule name, declaration) for every declaration, nested rules included."""
    import tinycss2

    for rule in rules:
        if rule.type not in ("qualified-rule", "at-rule") or rule.content is None:
            continue
        inner = rule.lower_at_keyword if rule.type == "at-rule" else at_rule
        for item in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
            if item.type == "declaration":
                yield inner, item
            elif item.type in ("qualified-rule", "at-rule"):
                yield from _declarations([item], inner)


def _families(tokens: list[Any]) -> Iterator[tuple[str, str]]:
    """(family, "") for each family of a font-family list; ("", "--name") for each var(--name)."""
    words: list[str] = []
    for token in [*tokens, None]:
        if token is None or (token.type == "literal" and token.value == ","):
            if words:
                yield " ".join(words), ""
            words = []
        elif token.type == "string":
            yield token.value, ""
        elif token.type == "ident":
            words.append(token.value)
        elif token.type == "function" and token.lower_name == "var":
            names = [t.value for t in token.arguments if t.type == "ident" and t.value.startswith("--")]
            yield from (("", name) for name in names[:1])
            words = []
        elif token.type != "whitespace":
            words = []                   # sizes, slashes, numbers of the `font` shorthand


def _local_names(tokens: list[Any]) -> list[str]:
    names = []
    for token in tokens:
        if token.type == "function" and token.lower_name == "local":
            names += [family for family, _ in _families(token.arguments) if family]
    return names


def installed_families() -> set[str] | None:
    """The families fontconfig knows (as `key()` makes them), or None if they cannot be read."""
    try:
        from weasyprint.text.ffi import ffi, fontconfig

        config = ffi.gc(fontconfig.FcInitLoadConfigAndFonts(), fontconfig.FcConfigDestroy)
        fonts = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)
        found: set[str] = set()
        if fonts == ffi.NULL:
            return found
        value = ffi.new("FcChar8 **")
        for index in range(fonts.nfont):
            number = 0           # a font has one family name per language it is named in
            while fontconfig.FcPatternGetString(fonts.fonts[index], b"family", number, value) == \
                    fontconfig.FcResultMatch:
                found.add(key(ffi.string(value[0]).decode("utf-8", "replace")))
                number += 1
        return found
    except (ImportError, AttributeError, OSError, TypeError):   # another WeasyPrint: no warning
        return None
