"""``python -m sklearn_embed``: the demo with no arguments, else the command-line tool."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["demo"]))
