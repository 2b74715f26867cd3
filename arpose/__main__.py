"""`python -m arpose` is the same as the `arpose` command."""

import sys

from .cli import main

sys.exit(main())
