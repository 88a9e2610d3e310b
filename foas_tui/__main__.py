"""`python -m foas_tui` runs the command line."""

import sys

from foas_tui.cli import main

sys.exit(main())
