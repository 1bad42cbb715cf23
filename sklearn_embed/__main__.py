"""``python -m sklearn_embed``: the demo, or the command-line tool when given arguments."""

from ._demo import run_demo

if __name__ == "__main__":
    run_demo()
