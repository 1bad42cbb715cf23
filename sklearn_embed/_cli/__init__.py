"""The command-line tool ``sklearn-embed``: its parser and commands, its files and its messages."""

from ._main import main
from ._messages import Progress

__all__ = ["Progress", "main"]
