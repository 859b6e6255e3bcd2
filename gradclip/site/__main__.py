"""``python -m gradclip.site``: build the static site."""

import sys

from . import main

sys.exit(main())
