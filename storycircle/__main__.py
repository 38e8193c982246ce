"""``python -m storycircle``: the same as the ``storycircle`` command."""

import sys

from storycircle.cli import main

sys.exit(main())
