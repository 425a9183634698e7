from __future__ import annotations

import pytest

from publish.content.slugs import is_safe_segment, slug_from_filename, slugify


@pytest.mark.parametrize(("text", "slug"), [
    ("Generative AI", "generative-ai"),
    ("Café Culture", "cafe-culture"),
    ("  C++ & Rust!  ", "c-rust"),
    ("Łódź", "u141-odz"),
    ("日本語", "u65e5-u672c-u8a9e"),
    ("a/../b", "a-b"),
])
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug
    assert slug == "" or is_safe_segment(slug)


@pytest.mark.parametrize("slug", ["..", "../etc", "a/b", "/abs", ".hidden", "UPPER", "a..b", "", "a b", "-x",
                                  "x" * 300, "con\x00"])
def test_unsafe_segments(slug: str) -> None:
    assert not is_safe_segment(slug)


@pytest.mark.parametrize("slug", ["post", "my-first-post", "v1.2", "2024-recap", "a_b"])
def test_safe_segments(slug: str) -> None:
    assert is_safe_segment(slug)


def test_jekyll_file_names() -> None:
    assert slug_from_filename("2024-02-18-hello-world") == ("hello-world", "2024-02-18")
    assert slug_from_filename("hello-world") == ("hello-world", None)
