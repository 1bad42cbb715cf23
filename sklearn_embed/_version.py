"""The package's version, in a module of its own: any module may import it, and the build reads it."""

__version__ = "0.3.0.dev0"
