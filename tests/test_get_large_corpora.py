import gzip
import struct
import zlib
from pathlib import Path

from benchmarks import get_large_corpora as glc

GCIDE = """00-database-info
   This file was converted from the original database.

Abdicator \\Ab"di*ca`tor\\, n.
   One who abdicates.
   [1913 Webster]

   {Abdicating monarch}, a king who gives up his throne.

   2. A later sense, edited.
   [1913 Webster +PJC]

pacifism \\pacifism\\ n. the doctrine that all violence is unjustifiable.
   [WordNet 1.5]

Tryout \\Try"out\\, n. a test of the performance capability of a person.
   [Webster 1913 Suppl.]
"""


def test_webster_keeps_only_webster_blocks(tmp_path: Path):
    with gzip.open(tmp_path / "gcide.dict.dz", "wt", encoding="utf-8") as out:
        out.write(GCIDE)
    lines = list(glc._words(glc.webster_lines(tmp_path)))
    # The unmarked phrase block is not Webster's: the next marker in its entry is "[1913 Webster +PJC]".
    assert lines == ["abdicator n one who abdicates",
                     "tryout n a test of the performance capability of a person"]


def sword_module(path: Path, verses: list[bytes], size_format: str) -> Path:
    """A one-testament zText module: two zlib blocks, one index entry per verse (an empty one, a linked one)."""
    path.mkdir()
    halves = [b"".join(verses[:2]), b"".join(verses[2:])]
    packed = [zlib.compress(half) for half in halves]
    (path / "ot.bzz").write_bytes(b"".join(packed))
    (path / "ot.bzs").write_bytes(struct.pack("<III", 0, len(packed[0]), len(halves[0]))
                                  + struct.pack("<III", len(packed[0]), len(packed[1]), len(halves[1])))
    entries = [(0, 0, len(verses[0])), (0, 0, 0), (0, len(verses[0]), len(verses[1])),
               (1, 0, len(verses[2])), (1, 0, len(verses[2]))]
    (path / "ot.bzv").write_bytes(b"".join(struct.pack(size_format, *entry) for entry in entries))
    return path


def test_sword_entries_and_osis_lines(tmp_path: Path):
    verses = [b'<w lemma="strong:H1">In</w> the beginning.<note type="x-f">Or, at first</note>',
              b'<lb type="x-p"/>Light was<div type="x-p" sID="p1"/>good.', b"<title>Psalm 1</title>Blessed"]
    for size_format in ("<IIH", "<III"):
        module = sword_module(tmp_path / size_format[-1], verses, size_format)
        texts = list(glc.sword_entries(module))
        assert texts == [verse.decode() for verse in verses]  # empty and repeated entries skipped
        assert [line for line in glc.osis_lines(texts) if line] == [
            "In  the beginning.", "Light was", "good.", "Psalm 1", "Blessed"]


def test_sentences_split_at_capitals():
    text = 'Fellow-Citizens: We met. "The year" was good! Mr. Adams spoke 3.5 times? yes.'
    assert glc._SENTENCE_END.split(text) == [
        "Fellow-Citizens: We met.", '"The year" was good!', "Mr.", "Adams spoke 3.5 times? yes."]
