"""``python3 -m purenn``: see ``purenn.cli``."""

import sys

from purenn.cli import main

sys.exit(main())
