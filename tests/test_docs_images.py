"""The pictures the documentation shows are the ones the tests make: every image README.md and docs/*.md
reference is a file in the repository, and every rehearsal screenshot in docs/img (tour_*.png, written by
tests/test_rehearsal.py with PROMISE_GAP_REFRESH_TOUR=1) is shown by docs/tour.md, so none is left stale."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
"""A Markdown image: ![alt](path)."""


def images_of(page: Path) -> list[Path]:
    return [(page.parent / target).resolve() for target in IMAGE.findall(page.read_text(encoding="utf-8"))
            if "://" not in target]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_image_a_page_shows_is_in_the_repository(page: Path) -> None:
    missing = [str(image.relative_to(REPO)) for image in images_of(page) if not image.is_file()]
    assert missing == [], f"{page.relative_to(REPO)} shows images that are not there"


def test_the_tour_shows_every_rehearsal_screenshot_and_only_those() -> None:
    shown = {image.name for image in images_of(REPO / "docs" / "tour.md")}
    made = {image.name for image in (REPO / "docs" / "img").glob("tour_*.png")}
    assert made, "no rehearsal screenshot in docs/img: run PROMISE_GAP_REFRESH_TOUR=1 pytest tests/test_rehearsal.py"
    assert sorted(made - shown) == [], "screenshots in docs/img that docs/tour.md does not show (stale?)"
    assert sorted(shown - made) == [], "docs/tour.md shows images the rehearsal does not make"


def test_images_of_finds_relative_images_and_skips_links_and_urls(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("![a](img/a.png) [not an image](b.png) ![remote](https://example.com/c.png)\n"
                    "text ![d](../d.png)\n", encoding="utf-8")
    assert images_of(page) == [(tmp_path / "img" / "a.png").resolve(), (tmp_path.parent / "d.png").resolve()]
