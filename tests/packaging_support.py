"""Build this repository's wheel and install it into a throwaway virtualenv, as a user's ``pip install`` would.

The wheel is built from a copy of the files git knows (tracked or new, not ignored), without network access
(``--no-build-isolation`` uses this interpreter's setuptools). The virtualenv gets only the wheel
(``--no-deps``); the dependencies come from this interpreter's site-packages through a ``.pth`` line, which
does not run that folder's own ``.pth`` files, so an editable install of the repository there stays invisible.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from w2v_core.trainer import warm_up

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Installed:
    """A virtualenv holding the installed wheel, and a folder outside the repository to run things from."""

    venv: Path
    workdir: Path
    wheel: Path

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name

    @property
    def site_packages(self) -> Path:
        return next((self.venv / "lib").glob("python3*/site-packages"))


def _run(command: list[str | Path], cwd: Path | None = None) -> None:
    done = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def source_files() -> list[str]:
    """Files of the working tree that a commit could hold: tracked or new, without the git-ignored ones."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode()
    return [name for name in listed.split("\0") if name and (REPO / name).is_file()]


def build_and_install(root: Path) -> Installed:
    """Copy the sources under ``root``, build the wheel there, install it into ``root/venv``."""
    source, dist, workdir = root / "source", root / "dist", root / "elsewhere"
    for name in source_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((REPO / name).read_bytes())
    workdir.mkdir()
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
          "--wheel-dir", dist, f"{source}/"])  # a trailing slash: a path, never a package name on an index
    wheel = next(dist.glob("*.whl"))
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    _run([sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet", "--no-deps",
          "--no-index", wheel])
    installed = Installed(venv, workdir, wheel)
    (installed.site_packages / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    warm_up()  # compiles (once per checkout) or loads the kernels of the default training, so the cache is there
    copy_numba_cache(REPO / "w2v_core" / "__pycache__", installed.site_packages / "w2v_core" / "__pycache__")
    return installed


def copy_numba_cache(source: Path, target: Path) -> int:
    """Copy the kernels numba compiled for this checkout next to the installed modules; returns files copied.

    Numba keys its cache on a hash of the source file's contents, so the installed copy of an unchanged module
    loads them instead of compiling again (minutes on a busy 2-core machine); a changed module, or no cache
    yet, compiles as usual.
    """
    target.mkdir(parents=True, exist_ok=True)
    files = [path for pattern in ("*.nbi", "*.nbc") for path in source.glob(pattern)]
    for path in files:
        (target / path.name).write_bytes(path.read_bytes())
    return len(files)
