"""``python -m rnnclf`` runs the command line interface."""

import sys

from rnnclf.cli import main

sys.exit(main())
