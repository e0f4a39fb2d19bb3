"""The package as a user gets it: ``pip install`` of the wheel into a fresh virtualenv, then the ``w2v`` and
``w2v-lab`` commands and the README's library example, run from a folder outside the repository.

Also: requirements files that point at pyproject.toml, and every third-party import of the app and the library
declared there. (The installed app in a real browser: tests/browser/test_installed_app.py; the ``installed``
fixture is in tests/conftest.py.)
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from packaging_support import REPO, Installed

from ui.launch import APP_PATH, streamlit_command
from w2v_core import __version__
from w2v_core.cli import build_parser

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
LOCAL_MODULES = {"w2v_core", "ui", "pages", "app"}


def requirement_lines(name: str) -> list[str]:
    return [line.strip() for line in (REPO / name).read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(requirements: list[str]) -> set[str]:
    return {normalized(re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]) for requirement in requirements}


def test_requirements_files_install_the_package_itself() -> None:
    """One list of dependencies (pyproject.toml): the requirements files only point at it."""
    assert requirement_lines("requirements.txt") == ["-e ."]
    assert requirement_lines("requirements-dev.txt") == ["-e .[dev]"]
    assert requirement_lines("requirements-spark.txt") == ["-e .[spark]"]
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "w2v_core.__version__"}
    assert {"spark", "dev"} <= set(PYPROJECT["project"]["optional-dependencies"])


def third_party_imports(paths: list[Path]) -> dict[str, str]:
    """Top-level module -> a file importing it, for every import that is neither stdlib nor this project."""
    found: dict[str, str] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in LOCAL_MODULES:
                    found.setdefault(top, str(path.relative_to(REPO)))
    return found


def test_every_import_of_the_app_and_library_is_declared() -> None:
    sources = [*REPO.glob("w2v_core/**/*.py"), *REPO.glob("ui/*.py"), *REPO.glob("pages/*.py"), REPO / "app.py"]
    imports = third_party_imports(sources)
    distributions = importlib.metadata.packages_distributions()
    runtime = declared(PYPROJECT["project"]["dependencies"])
    extras = {name: declared(group) for name, group in PYPROJECT["project"]["optional-dependencies"].items()}
    allowed = runtime.union(*(group for name, group in extras.items() if name != "dev"))
    for module, where in imports.items():
        names = {normalized(name) for name in distributions.get(module, [module])}
        assert names & allowed, f"{where} imports {module}: declare it in pyproject.toml dependencies (or an extra)"
    assert "gensim" not in imports, "gensim is a benchmark peer only: the app and the library never import it"
    assert {"numpy", "scipy", "threadpoolctl", "streamlit"} <= set(imports)


def test_every_import_of_the_tests_and_benchmarks_is_declared() -> None:
    folders = [REPO / "tests", REPO / "tests" / "browser", REPO / "benchmarks"]
    sources = [path for folder in folders for path in folder.glob("*.py")]
    local = {path.stem for path in sources} | {"tests", "benchmarks"}
    imports = {module: where for module, where in third_party_imports(sources).items() if module not in local}
    distributions = importlib.metadata.packages_distributions()
    allowed = declared(PYPROJECT["project"]["dependencies"]) | declared(
        PYPROJECT["project"]["optional-dependencies"]["dev"])
    for module, where in imports.items():
        names = {normalized(name) for name in distributions.get(module, [module])}
        assert names & allowed, f"{where} imports {module}: declare it in pyproject.toml's [dev] extra"


def test_launcher_serves_the_app_next_to_the_ui_package() -> None:
    assert APP_PATH == REPO / "app.py"
    assert streamlit_command(8600, ["--", "--server.address", "0.0.0.0"]) == [
        "run", str(APP_PATH), "--server.port", "8600", "--server.address", "0.0.0.0"]


def run(installed: Installed, *command: str | Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``command`` (a program of the virtualenv, then its arguments) from the folder outside the repository."""
    program, *args = command
    return subprocess.run([str(installed.bin(str(program))), *map(str, args)], cwd=installed.workdir,
                          capture_output=True, text=True, timeout=timeout)


def test_wheel_holds_the_app_its_config_and_the_data(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    pages = {f"w2v_lab/pages/{path.name}" for path in (REPO / "pages").glob("*.py")}
    data = {f"w2v_core/data/{path.name}" for path in (REPO / "w2v_core" / "data").iterdir()}
    assert pages | data | {"w2v_lab/app.py", "w2v_lab/.streamlit/config.toml", "w2v_lab/w2v_lab.toml",
                           "w2v_lab/ui/launch.py"} <= names
    assert f"w2v_lab-{__version__}.dist-info/licenses/LICENSE" in names
    assert not any(name.startswith(("tests/", "benchmarks/", "ui/", "pages/")) for name in names)


def test_every_subcommand_runs_as_w2v(installed: Installed) -> None:
    subcommands = build_parser()._subparsers._group_actions[0].choices  # noqa: SLF001 - the parser's own list
    shown = run(installed, "w2v", "--help")
    assert shown.returncode == 0 and shown.stdout.startswith("usage: w2v ")
    for name in subcommands:
        assert name in shown.stdout
        helped = run(installed, "w2v", name, "--help")
        assert helped.returncode == 0 and helped.stdout.startswith(f"usage: w2v {name}"), helped.stderr
    module = run(installed, "python", "-m", "w2v_core", "--help")
    assert module.returncode == 0 and module.stdout == shown.stdout


def test_installed_cli_trains_queries_converts_and_checks(installed: Installed) -> None:
    corpus = installed.workdir / "corpus.txt"
    lines = ["the king rules the land", "the queen rules the land", "a man walks", "a woman walks"] * 200
    corpus.write_text("\n".join(lines) + "\n")
    trained = run(installed, "w2v", "train", corpus.name, "-o", "vectors.txt", "--min-count", "1", "--dim", "16",
                  "--epochs", "2", "--quiet")
    assert trained.returncode == 0, trained.stderr
    summary = json.loads(trained.stdout)
    assert summary["tokens"] == 200 * 16 and summary["vocab"] == 9
    neighbours = run(installed, "w2v", "neighbours", "vectors.txt", "king", "-k", "3")
    assert neighbours.returncode == 0 and len(neighbours.stdout.splitlines()) == 3
    evaluated = run(installed, "w2v", "eval", "vectors.txt", "--standard")
    assert evaluated.returncode == 0, evaluated.stderr
    assert [line.split("\t")[0] for line in evaluated.stdout.splitlines()[:3]] == [
        "WordSim-353", "SimLex-999", "Google analogies"]  # read from the installed package's data
    converted = run(installed, "w2v", "convert", "vectors.txt", "vectors.npz")
    assert converted.returncode == 0 and (installed.workdir / "vectors.npz").stat().st_size > 0
    checked = run(installed, "w2v", "gradcheck")
    assert checked.returncode == 0 and "6 passed, 0 failed" in checked.stdout
    missing = run(installed, "w2v", "neighbours", "nowhere.txt", "king")
    assert missing.returncode == 2 and missing.stderr.strip() == "error: no such file: nowhere.txt"


def test_readme_library_example_runs_outside_the_repository(installed: Installed) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = re.search(r"## The library\n\n```python\n(.*?)```", readme, re.DOTALL).group(1)
    done = run(installed, "python", "-c", example)
    assert done.returncode == 0, done.stderr
    neighbours = ast.literal_eval(done.stdout.strip())
    assert len(neighbours) == 5 and all(isinstance(word, str) and -1 <= score <= 1 for word, score in neighbours)


def test_w2v_lab_refuses_a_bad_config_in_one_line(installed: Installed) -> None:
    shown = run(installed, "w2v-lab", "--help")
    assert shown.returncode == 0 and "--port" in shown.stdout and "--config" in shown.stdout
    (installed.workdir / "bad.toml").write_text("[limits]\nmax_kept_runs = 0\n")
    bad = run(installed, "w2v-lab", "--config", "bad.toml", "--port", "8599")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "max_kept_runs must be at least 1" in bad.stderr
    missing = run(installed, "w2v-lab", "--config", "absent.toml")
    assert missing.returncode == 2 and "Cannot read the limits file" in missing.stderr
