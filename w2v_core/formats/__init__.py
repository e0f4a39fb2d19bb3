"""Word-vector files, read and written from one place: ``load_vectors``, ``save_vectors``, ``VectorFormatError``.

``load_vectors``/``save_vectors`` pick the format from the extension (.txt .vec: word2vec text, .bin: word2vec
binary, .npz: native, .tsv: projector vectors with metadata beside them, .zip: projector bundle); text and
binary may be gzipped (.gz, unpacked on the fly); a run file (.w2vrun, see ``runfile``) is read as its input
vectors; a directory is a saved Spark ``Word2VecModel`` (read only). ``vectors_to_bytes``/``vectors_from_bytes``
do the same in memory for the app's downloads and uploads, where a .zip holds a projector bundle or a Spark model
directory (checked by ``_safe_zip``, never extracted). Nothing is unpickled: ``.npz`` loads with
``allow_pickle=False``. ``open_vectors`` is ``load_vectors`` for files larger than memory: big word2vec files
are converted once into a memory-mapped cache folder (``CACHE_SUFFIX``) and opened from it.

Behind this face, one private module per job:

| module | job |
|---|---|
| ``_common`` | ``VectorFormatError`` and the checks every reader shares (limit, storable words) |
| ``_text`` | what the two text formats share: bounded lines, UTF-8, numbers, repeated words |
| ``_word2vec`` | word2vec text and binary, streamed, written byte for byte as gensim writes them |
| ``_projector`` | TensorBoard projector ``vectors.tsv`` + ``metadata.tsv``, and their zip bundle |
| ``_npz`` | the native ``.npz`` (vectors, words, counts, config) |
| ``_spark`` | saved Spark ``Word2VecModel`` folders, read with pyarrow |
| ``_safe_zip`` | reading an uploaded zip into memory without trusting it |
| ``_files`` | which format a name is in, and the dispatch of the public functions |
| ``_cache`` | the memory-mapped cache behind ``open_vectors`` |
"""

from __future__ import annotations

from ._cache import CACHE_SUFFIX, VectorCacheError, cache_folder, open_vectors
from ._common import VectorFormatError
from ._files import format_of, load_vectors, save_vectors, vectors_from_bytes, vectors_to_bytes
from ._projector import projector_zip_bytes
from ._spark import looks_like_spark_model

__all__ = ["CACHE_SUFFIX", "VectorCacheError", "VectorFormatError", "cache_folder", "format_of", "load_vectors",
           "looks_like_spark_model", "open_vectors", "projector_zip_bytes", "save_vectors", "vectors_from_bytes",
           "vectors_to_bytes"]
