"""``python -m w2v_core``: see ``w2v_core.cli``."""

import sys

from .cli import console

sys.exit(console())
