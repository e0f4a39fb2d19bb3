"""Files shipped inside the package (``w2v_core/data``): the King James Bible and the standard evaluation sets.

Their sources and licences are in ``w2v_core/data/README.md``. Paths are found next to this module, so they
work from a source checkout and from an installed wheel alike, whatever the current folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
KJV_PATH = DATA_DIR / "kjv.txt.gz"  # the King James Bible, one verse per line


@dataclass(frozen=True)
class StandardSet:
    """One bundled evaluation set: word pairs with human scores, or analogy questions."""

    name: str  # as papers name it, e.g. "SimLex-999"
    filename: str
    kind: str  # "pairs" or "analogies"
    about: str  # one line on what it measures

    @property
    def path(self) -> Path:
        return DATA_DIR / self.filename


STANDARD_SETS = (
    StandardSet("WordSim-353", "wordsim353.tsv", "pairs",
                "353 pairs rated for relatedness (cup and coffee score high)"),
    StandardSet("SimLex-999", "simlex999.txt", "pairs",
                "999 pairs rated for similarity only (cup and coffee score low)"),
    StandardSet("Google analogies", "questions-words.txt", "analogies",
                "19,544 questions a : b :: c : d in 14 sections (Mikolov et al., 2013)"),
)
