"""``python -m storycircle``: the same as the ``storycircle`` command."""

import sys

from storycircle.cli.main import main

sys.exit(main())
