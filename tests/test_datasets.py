"""The files shipped in w2v_core/data: each is documented with its source and licence, and reads as expected."""

import gzip
import re

from w2v_core.datasets import DATA_DIR, KJV_PATH, STANDARD_SETS
from w2v_core.evaluation import read_analogies, read_word_pairs

README = (DATA_DIR / "README.md").read_text(encoding="utf-8")


def test_every_bundled_file_has_a_source_and_licence_row() -> None:
    rows = {match.group(1): match.group(0) for match in re.finditer(r"^\| `([^`]+)` \|.*$", README, re.MULTILINE)}
    shipped = {path.name for path in DATA_DIR.iterdir() if path.name != "README.md"}
    assert shipped == set(rows)
    for name, row in rows.items():
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 4 and all(cells), f"{name}: what, source and licence must all be stated"


def test_standard_sets_hold_what_the_papers_describe() -> None:
    sizes = {}
    for standard in STANDARD_SETS:
        if standard.kind == "pairs":
            sizes[standard.name] = len(read_word_pairs(standard.path))
        else:
            sections = read_analogies(standard.path)
            sizes[standard.name] = (len(sections), sum(len(questions) for questions in sections.values()))
    assert sizes == {"WordSim-353": 353, "SimLex-999": 999, "Google analogies": (14, 19_544)}


def test_kjv_is_one_verse_per_line() -> None:
    with gzip.open(KJV_PATH, "rt", encoding="utf-8") as text:
        lines = text.read().splitlines()
    assert len(lines) == 31_102 and lines[0] == "In the beginning God created the heaven and the earth."
