"""Server limits from ``w2v_lab.toml`` at the repository root (or the file named by ``W2V_LAB_CONFIG``).

Each limit is documented in that file. ``limits()`` re-reads the file only when its path or modification
time changed, so calling it on every rerun is cheap. A bad file raises ``LimitsError`` naming the problem.
No Streamlit here.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

CONFIG_ENV = "W2V_LAB_CONFIG"
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "w2v_lab.toml"


class LimitsError(ValueError):
    """An unreadable or invalid limits file, with the key at fault."""


@dataclass(frozen=True)
class Limits:
    """The server's limits; the defaults are those of the shipped ``w2v_lab.toml``."""

    max_concurrent_trainings: int = 0  # 0 = the number of CPU cores
    max_corpus_mb: float = 50.0
    max_upload_files: int = 20
    max_kept_runs: int = 5
    idle_timeout_minutes: float = 10.0  # 0 = never
    max_run_minutes: float = 60.0  # 0 = no limit
    max_softmax_vocab: int = 10_000
    training_nice: int = 0  # 0 = the server's own priority
    max_run_mb: float = 300.0  # unpacked arrays of a run file a session opens
    runs_dir: str = ""  # a folder of .w2vrun files every session may open read-only ("" = none)
    corpora_dir: str = ""  # a folder of text files every session may train on, read-only ("" = none)
    vectors_dir: str = ""  # a folder of vector files / Spark models every session may explore ("" = none)
    vectors_cache_dir: str = ""  # where large vector files get their memory-mapped cache ("" = beside them)
    max_concurrent_layouts: int = 0  # t-SNE and UMAP maps computed at once; 0 = the number of CPU cores
    warm_umap_at_start: bool = True  # compile UMAP in its own process when the server starts

    @property
    def training_slots(self) -> int:
        """Concurrent trainings allowed (the number of CPU cores for 0)."""
        return self.max_concurrent_trainings or os.cpu_count() or 1

    @property
    def layout_slots(self) -> int:
        """t-SNE/UMAP maps computed at once (the number of CPU cores for 0)."""
        return self.max_concurrent_layouts or os.cpu_count() or 1

    @property
    def max_corpus_bytes(self) -> int:
        return int(self.max_corpus_mb * 1_000_000)

    @property
    def max_run_bytes(self) -> int:
        return int(self.max_run_mb * 1_000_000)


_MINIMUM = {"max_corpus_mb": 0.001, "max_upload_files": 1, "max_kept_runs": 1, "max_softmax_vocab": 1,
            "max_run_mb": 0.001}
_MAXIMUM = {"training_nice": 19}


def read_limits(path: str | Path) -> Limits:
    """Limits from a TOML file with a ``[limits]`` table (missing keys keep their defaults)."""
    path = Path(path)
    try:
        with path.open("rb") as stream:
            document = tomllib.load(stream)
    except OSError as error:
        raise LimitsError(f"Cannot read the limits file {path}: {error.strerror or error}.") from error
    except tomllib.TOMLDecodeError as error:
        raise LimitsError(f"The limits file {path} is not valid TOML: {error}.") from error
    table = document.get("limits", {})
    if not isinstance(table, dict):
        raise LimitsError(f"{path}: 'limits' must be a table ([limits]).")
    fields = {field.name: field for field in dataclasses.fields(Limits)}
    unknown = sorted(set(table) - set(fields))
    if unknown:
        raise LimitsError(f"{path}: unknown key(s) {', '.join(unknown)}; the keys are {', '.join(fields)}.")
    values = {}
    for name, value in table.items():
        if fields[name].type == "bool":
            if not isinstance(value, bool):
                raise LimitsError(f"{path}: {name} must be true or false (got {value!r}).")
            values[name] = value
            continue
        if fields[name].type == "str":
            if not isinstance(value, str):
                raise LimitsError(f"{path}: {name} must be a text in quotes (got {value!r}).")
            values[name] = str((path.parent / value).resolve()) if value and not Path(value).is_absolute() else value
            continue
        whole = fields[name].type == "int"
        if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)):
            raise LimitsError(f"{path}: {name} must be a {'whole ' if whole else ''}number (got {value!r}).")
        if value < _MINIMUM.get(name, 0):
            raise LimitsError(f"{path}: {name} must be at least {_MINIMUM.get(name, 0)} (got {value}).")
        if name in _MAXIMUM and value > _MAXIMUM[name]:
            raise LimitsError(f"{path}: {name} must be at most {_MAXIMUM[name]} (got {value}).")
        values[name] = value
    return Limits(**values)


_cache: dict[tuple[str, int], Limits] = {}


def config_path() -> Path:
    """The limits file in use: ``$W2V_LAB_CONFIG`` if set, else ``w2v_lab.toml`` at the repository root."""
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_PATH)


def limits() -> Limits:
    """The current limits (defaults when the default file is missing; a named file must exist)."""
    path = config_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        if os.environ.get(CONFIG_ENV):
            raise LimitsError(f"{CONFIG_ENV} names {path}, which does not exist.") from None
        return Limits()
    key = (str(path), stamp)
    if key not in _cache:
        _cache.clear()
        _cache[key] = read_limits(path)
    return _cache[key]
