"""Training on Spark for real (local mode) and opening Spark-saved models, safely, also from a zip.

The training tests need pyspark and Java: they are skipped without them, unless ``W2V_REQUIRE_SPARK=1`` (CI sets
it), where they fail and say what is missing. Everything else runs everywhere (the reader needs only pyarrow;
``tests/data/spark_model`` was saved by Spark 4.3 from the teaching corpus).
"""

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from skip_support import skip_or_fail

from w2v_core.formats import VectorFormatError, load_vectors, vectors_from_bytes
from w2v_core.formats._safe_zip import UnsafeZipError, read_zip
from w2v_core.spark_engine import spark_missing
from w2v_core.teaching import TEACHING_GROUPS, generate_teaching_corpus

REPO = Path(__file__).resolve().parent.parent
SPARK_MODEL = REPO / "tests" / "data" / "spark_model"
CAPITALS = set(TEACHING_GROUPS["capitals"])


def cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "w2v_core", *args], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=timeout)


def require_spark() -> None:
    skip_or_fail(spark_missing(), "W2V_REQUIRE_SPARK", "Spark")


@pytest.fixture(scope="module")
def teaching_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "teaching.txt"
    path.write_text("\n".join(generate_teaching_corpus(6_000, seed=0)) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def spark_run(teaching_file, tmp_path_factory) -> tuple[dict, Path, Path]:
    """One real Spark training (local mode, ~30-60 s): JSON summary, the .npz written and Spark's own model."""
    require_spark()
    out = tmp_path_factory.mktemp("spark")
    run = cli("train", str(teaching_file), "-o", str(out / "vectors.npz"), "--engine", "spark", "--master",
              "local[2]", "--dim", "40", "--epochs", "3", "--spark-model", str(out / "model"), "--quiet")
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1]), out / "vectors.npz", out / "model"


def test_spark_trains_vectors_with_sensible_neighbours(spark_run):
    summary, vectors, _ = spark_run
    assert summary["engine"] == "spark" and summary["loss"] == "hierarchical" and summary["partitions"] == 1
    emb = load_vectors(vectors)
    assert summary["vocab"] == len(emb) > 300 and emb.dim == 40
    assert emb.counts is not None and (np.diff(emb.counts) <= 0).all(), "most frequent words first"
    assert emb.words[0] == "the" and emb.config["engine"] == "spark" and emb.config["epochs"] == 3
    assert len(CAPITALS & {word for word, _ in emb.most_similar("paris", k=5)}) >= 3
    assert "queen" in [word for word, _ in emb.most_similar("king", k=5)]


def test_the_saved_spark_model_opens_with_the_same_vectors(spark_run):
    _, vectors, model = spark_run
    ours, theirs = load_vectors(vectors), load_vectors(model)
    assert theirs.counts is None and sorted(theirs.words) == sorted(ours.words)
    rows = [theirs.index(word) for word in ours.words]
    np.testing.assert_array_equal(theirs.vectors[rows], ours.vectors)
    run = cli("neighbours", str(model), "king", "-k", "5")
    assert run.returncode == 0 and "queen" in run.stdout


@pytest.mark.parametrize(("options", "says"), [
    (["--model", "cbow"], "skip-gram only"),
    (["--loss", "negative"], "hierarchical softmax only"),
    (["--negative", "10"], "no --negative"),
    (["--sample", "1e-4", "--workers", "4"], "no --sample, --workers"),
])
def test_options_spark_lacks_are_refused_in_one_line(options, says, teaching_file, tmp_path):
    run = cli("train", str(teaching_file), "-o", str(tmp_path / "v.bin"), "--engine", "spark", *options)
    assert run.returncode == 2 and says in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "v.bin").exists()


def test_spark_options_need_the_spark_engine(teaching_file, tmp_path):
    run = cli("train", str(teaching_file), "-o", str(tmp_path / "v.bin"), "--partitions", "4")
    assert run.returncode == 2 and "--partitions is an option of --engine spark" in run.stderr


def test_without_java_or_pyspark_the_spark_engine_says_what_to_install(teaching_file, tmp_path):
    no_java = {**os.environ, "JAVA_HOME": str(tmp_path / "no-java"), "PATH": str(Path(sys.executable).parent)}
    run = cli("train", str(teaching_file), "-o", str(tmp_path / "v.bin"), "--engine", "spark", env=no_java)
    assert run.returncode == 2 and "default-jre-headless" in run.stderr and "Traceback" not in run.stderr
    no_pyspark = ("import sys; sys.modules['pyspark'] = None; from w2v_core.cli import main; "
                  f"sys.exit(main(['train', {str(teaching_file)!r}, '-o', 'v.bin', '--engine', 'spark']))")
    run = subprocess.run([sys.executable, "-c", no_pyspark], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert run.returncode == 2 and "requirements-spark.txt" in run.stderr and "Traceback" not in run.stderr


# ------------------------------------------------------------------------------------- reading Spark models


def zip_of(folder: Path, prefix: str = "model/") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, prefix + path.relative_to(folder).as_posix())
    return out.getvalue()


def test_a_saved_spark_model_opens_from_its_folder_and_from_a_zip():
    emb = load_vectors(SPARK_MODEL)
    assert len(emb) == 425 and emb.dim == 50 and emb.counts is None
    assert emb.config["engine"] == "spark" and emb.config["epochs"] == 3
    assert emb.most_similar("king", k=1)[0][0] == "queen"
    for prefix in ("", "exported/model/"):
        zipped = vectors_from_bytes(zip_of(SPARK_MODEL, prefix), "model.zip", limit=100)
        assert zipped.words == emb.words[:100]
        np.testing.assert_array_equal(zipped.vectors, emb.vectors[:100])


def test_cli_neighbours_eval_and_convert_open_a_spark_folder(tmp_path):
    run = cli("neighbours", str(SPARK_MODEL), "paris", "-k", "5")
    assert run.returncode == 0 and len(CAPITALS & set(run.stdout.split())) >= 3
    run = cli("convert", str(SPARK_MODEL), str(tmp_path / "v.txt"))
    assert run.returncode == 0 and load_vectors(tmp_path / "v.txt").words == load_vectors(SPARK_MODEL).words
    pairs = tmp_path / "pairs.txt"
    pairs.write_text("king queen 9\nparis rome 8\nking banana 1\n")
    run = cli("eval", str(SPARK_MODEL), "--pairs", str(pairs))
    assert run.returncode == 0 and "pairs 3/3" in run.stdout


def test_legacy_spark_models_with_one_row_of_all_vectors_open(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    shutil.copytree(SPARK_MODEL / "metadata", tmp_path / "metadata")
    (tmp_path / "data").mkdir()
    index = pa.array([[("b", 1), ("a", 0)]], type=pa.map_(pa.string(), pa.int32()))
    pq.write_table(pa.table({"wordIndex": index, "wordVectors": [[1.0, 0.0, 0.0, 1.0]]}),
                   tmp_path / "data" / "part-00000.parquet")
    with pytest.raises(VectorFormatError, match="vectorSize 50"):
        load_vectors(tmp_path)
    meta = next((tmp_path / "metadata").glob("part-*"))
    meta.write_text(meta.read_text().replace('"vectorSize":50', '"vectorSize":2'))
    emb = load_vectors(tmp_path)
    assert emb.words == ["a", "b"] and emb.vector("b").tolist() == [0.0, 1.0]


def damaged(tmp_path: Path, change) -> Path:  # noqa: ANN001 - a function of the copied folder
    model = tmp_path / "model"
    shutil.copytree(SPARK_MODEL, model)
    change(model)
    return model


def corrupt_parquet(model: Path) -> None:
    part = next((model / "data").glob("*.parquet"))
    part.write_bytes(part.read_bytes()[:5000])


def other_class(model: Path) -> None:
    meta = next((model / "metadata").glob("part-*"))
    meta.write_text(meta.read_text().replace("feature.Word2VecModel", "feature.CountVectorizerModel"))


@pytest.mark.parametrize(("change", "says"), [
    (corrupt_parquet, "is not a readable Parquet file"),
    (lambda model: shutil.rmtree(model / "data"), "is not a Spark Word2VecModel"),
    (other_class, "CountVectorizerModel, not a Word2VecModel"),
    (lambda model: next((model / "metadata").glob("part-*")).write_bytes(b"\x00\xff"), "not Spark's JSON"),
])
def test_damaged_spark_models_get_one_clear_message(change, says, tmp_path):
    model = damaged(tmp_path, change)
    with pytest.raises(VectorFormatError, match=says):
        load_vectors(model)
    run = cli("neighbours", str(model), "king")
    assert run.returncode == 2 and says.split(",")[0] in run.stderr and len(run.stderr.splitlines()) == 1
    with pytest.raises(VectorFormatError, match=says):
        vectors_from_bytes(zip_of(model), "model.zip")


def zip_with(*members: tuple[str, bytes], link: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if link:
                info.external_attr = 0o120777 << 16
            bundle.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize(("data", "says"), [
    (zip_with(("../../etc/metadata/part-0", b"{}"), ("data/part-0.parquet", b"x")), "outside its folder"),
    (zip_with(("/tmp/metadata/part-0", b"{}")), "outside its folder"),
    (zip_with(("C:/model/metadata/part-0", b"{}")), "outside its folder"),
    (zip_with(("model/metadata/part-0", b"/etc/passwd"), link=True), "symbolic link"),
    (zip_with(("data/part-0.parquet", bytes(50_000_000))), "zip bomb"),
    (b"PK\x03\x04 not really a zip", "not a readable zip"),
])
def test_unsafe_zips_are_refused_and_nothing_is_written(data, says, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=says):
        vectors_from_bytes(data, "model.zip")
    assert list(tmp_path.iterdir()) == []


def test_a_zip_within_the_limits_is_read_into_memory():
    data = zip_with(("data/part-0.parquet", bytes(3_000_000)))
    with pytest.raises(UnsafeZipError, match="zip bomb"):
        read_zip(data, max_total_bytes=1_000_000)
    assert read_zip(data, max_total_bytes=4_000_000, max_ratio=1e6)["data/part-0.parquet"] == bytes(3_000_000)
