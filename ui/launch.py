"""``w2v-lab``: start the app's Streamlit server from any folder, on the ``app.py`` installed with this package.

The options of ``make run``: ``--port`` and the server's limits file (``--config FILE`` or ``$W2V_LAB_CONFIG``);
arguments after ``--`` go to ``streamlit run`` as they are (e.g. ``-- --server.address 0.0.0.0``). Streamlit
reads the app's ``.streamlit/config.toml`` next to ``app.py``, so the current folder does not matter.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .limits import CONFIG_ENV, LimitsError, read_limits  # relative: this module also runs as w2v_lab.ui.launch

APP_PATH = Path(__file__).resolve().parent.parent / "app.py"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="w2v-lab", description="Start Word2Vec Lab in the browser.",
                                     epilog="Arguments after -- are passed to `streamlit run` unchanged.")
    parser.add_argument("--port", type=int, default=8501, help="port of the server (default 8501)")
    parser.add_argument("--config", metavar="FILE", help=f"server limits file, like the shipped w2v_lab.toml "
                                                         f"(default: ${CONFIG_ENV}, else the shipped file)")
    parser.add_argument("streamlit_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def streamlit_command(port: int, extra: Sequence[str] = ()) -> list[str]:
    """The ``streamlit`` arguments that serve this app on ``port``."""
    extra = list(extra[1:] if extra[:1] == ["--"] else extra)
    return ["run", str(APP_PATH), "--server.port", str(port), *extra]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not 1 <= args.port <= 65535:
        print(f"w2v-lab: error: --port must be between 1 and 65535 (got {args.port})", file=sys.stderr)
        return 2
    config = args.config or os.environ.get(CONFIG_ENV)
    if config:  # checked here, so that a bad file stops the start with one line rather than failing in the app
        path = Path(config).expanduser().resolve()
        try:
            read_limits(path)
        except LimitsError as error:
            print(f"w2v-lab: error: {error}", file=sys.stderr)
            return 2
        os.environ[CONFIG_ENV] = str(path)  # absolute: the server's working folder may differ
    from streamlit.web import cli

    return cli.main(args=streamlit_command(args.port, args.streamlit_args), prog_name="streamlit")


if __name__ == "__main__":
    sys.exit(main())
