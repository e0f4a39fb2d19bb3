"""Training on Apache Spark: MLlib's ``Word2Vec`` (skip-gram, hierarchical softmax) on any Spark master.

The Lab never grows a distributed trainer of its own: for corpora too big for one machine it hands the training
to Spark and keeps exploring the result. pyspark is an optional extra (``requirements-spark.txt``) and needs a
Java runtime; ``spark_missing()`` says which of the two is absent. This module is imported only by
``train --engine spark``, so the rest of the Lab runs without either.

Spark tokenizes in the JVM with a regular expression close to ``corpus.TOKEN_PATTERN`` (unicode words with inner
apostrophes and hyphens; no emoji tokens), counts the words once more to order the vocabulary by frequency (its
model keeps no counts), and returns the vectors to the driver as Arrow.
"""

from __future__ import annotations

import os
import shutil
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from .embeddings import Embeddings

TOKEN_REGEX = r"(?U)\w+(?:['’\-]\w+)*"  # (?U): Java's \w is ASCII-only without it
INSTALL_PYSPARK = "pip install -r requirements-spark.txt (or pip install '.[spark]')"
INSTALL_JAVA = "a Java runtime 17 or newer (Debian: apt-get install default-jre-headless), or set JAVA_HOME"


class SparkEngineError(ValueError):
    """Spark cannot run, or refused the job; the message says what to install or change."""


@dataclass(frozen=True)
class SparkSettings:
    """Spark ``Word2Vec`` parameters under the Lab's names (Spark's own name in the comment)."""

    dim: int = 100  # vectorSize
    window: int = 5  # windowSize
    min_count: int = 5  # minCount
    epochs: int = 5  # maxIter
    alpha: float = 0.025  # stepSize
    seed: int = 1  # seed
    max_sentence_length: int = 1000  # maxSentenceLength: longer sentences are cut in pieces
    partitions: int = 1  # numPartitions: more train faster, each on its own copy of the vectors
    master: str = "local[*]"
    lowercase: bool = True
    whitespace: bool = False  # split on whitespace instead of TOKEN_REGEX

    def validate(self) -> None:
        for name, low in (("dim", 1), ("window", 1), ("min_count", 1), ("epochs", 1), ("max_sentence_length", 1),
                          ("partitions", 1), ("seed", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise SparkEngineError(f"{name} must be a whole number of at least {low} (got {value!r}).")
        if not 0.0 < self.alpha <= 10.0:
            raise SparkEngineError(f"alpha (Spark's stepSize) must be in (0, 10] (got {self.alpha}); try 0.025.")


@dataclass
class SparkResult:
    """What a Spark training produced: vectors most frequent first (with counts) and a few figures."""

    embeddings: Embeddings
    tokens: int  # tokens in the text, before min_count
    seconds: float  # from starting Spark to having the vectors on the driver
    spark_version: str


def spark_missing() -> str | None:
    """What to install before ``--engine spark`` can run, or None when pyspark and Java are both there."""
    missing = []
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing.append(f"pyspark ({INSTALL_PYSPARK})")
    java_home = os.environ.get("JAVA_HOME")
    java = Path(java_home, "bin", "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        missing.append(INSTALL_JAVA)
    if not missing:
        return None
    return "--engine spark needs " + " and ".join(missing) + "."


def _is_local(path: str) -> bool:
    scheme = urlparse(path).scheme
    return scheme in ("", "file") or len(scheme) == 1  # a Windows drive letter is no scheme


def _local(path: str) -> Path:
    return Path(urlparse(path).path if path.startswith("file:") else path)


def _first_line(error: BaseException) -> str:
    """The useful line of a Spark/py4j error (they carry Java stack traces)."""
    text = str(getattr(error, "getMessage", lambda: "")() or error).strip()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("at ", "JVM stacktrace", "Traceback")):
            return line[:300]
    return type(error).__name__


def _session(master: str):  # noqa: ANN202 - pyspark.sql.SparkSession, imported lazily
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.master(master).appName("word2vec-lab")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false"))
    if master.startswith("local"):  # one machine: a few shuffle partitions, not the cluster default of 200
        builder = builder.config("spark.sql.shuffle.partitions", "4")
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def train_on_spark(corpus: str, settings: SparkSettings, spark_model_dir: str | None = None) -> SparkResult:
    """Train Spark's ``Word2Vec`` on the text at ``corpus`` (any path Spark reads, one sentence per line).

    Returns the vectors ordered by descending count, with the counts; ``spark_model_dir`` also receives Spark's
    own model directory (``Word2VecModel.save``). Raises ``SparkEngineError`` with one line on any failure.
    """
    settings.validate()
    missing = spark_missing()
    if missing:
        raise SparkEngineError(missing)
    if _is_local(corpus) and not _local(corpus).exists():
        raise SparkEngineError(f"No such corpus file or folder: {corpus}")
    if spark_model_dir and _is_local(spark_model_dir) and _local(spark_model_dir).exists():
        raise SparkEngineError(f"--spark-model {spark_model_dir} already exists; name a new folder.")
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # pyspark's notice about the pandas version
        try:
            return _train(corpus, settings, spark_model_dir, started)
        except SparkEngineError:
            raise
        except Exception as error:  # noqa: BLE001 - py4j and Spark raise many types; the user gets one line
            message = _first_line(error)
            if "vocabulary size should be > 0" in message:
                message = (f"no word occurs at least min_count={settings.min_count} times; lower --min-count "
                           "or give a larger corpus.")
            raise SparkEngineError(f"Spark failed: {message}") from error


def _train(corpus: str, settings: SparkSettings, spark_model_dir: str | None, started: float) -> SparkResult:
    from pyspark.ml.feature import RegexTokenizer, Word2Vec
    from pyspark.ml.functions import vector_to_array
    from pyspark.sql import functions as sql

    spark = _session(settings.master)
    lines = spark.read.text(corpus)
    pattern, gaps = (r"\s+", True) if settings.whitespace else (TOKEN_REGEX, False)
    tokenizer = RegexTokenizer(inputCol="value", outputCol="tokens", pattern=pattern, gaps=gaps,
                               toLowercase=settings.lowercase, minTokenLength=1)
    sentences = tokenizer.transform(lines).select("tokens").where(sql.size("tokens") > 0).cache()
    word2vec = Word2Vec(inputCol="tokens", outputCol="sentence_vector", vectorSize=settings.dim,
                        windowSize=settings.window, minCount=settings.min_count, maxIter=settings.epochs,
                        stepSize=settings.alpha, seed=settings.seed, numPartitions=settings.partitions,
                        maxSentenceLength=settings.max_sentence_length)
    model = word2vec.fit(sentences)
    if spark_model_dir:
        model.save(spark_model_dir)
    counts = sentences.select(sql.explode("tokens").alias("word")).groupBy("word").count()
    tokens = int(counts.agg(sql.sum("count")).first()[0] or 0)
    table = (model.getVectors().select("word", vector_to_array("vector", "float32").alias("vector"))
             .join(counts, "word").orderBy(sql.desc("count"), "word").toArrow())
    sentences.unpersist()
    words = table.column("word").to_pylist()
    flat = table.column("vector").combine_chunks().flatten().to_numpy()
    vectors = np.asarray(flat, dtype=np.float32).reshape(len(words), settings.dim)
    config = {"engine": "spark", "model": "skipgram", "loss": "hierarchical", **asdict(settings),
              "spark_version": spark.version}
    emb = Embeddings(words, vectors, np.asarray(table.column("count").to_numpy(), dtype=np.int64), config)
    return SparkResult(emb, tokens, time.perf_counter() - started, spark.version)
