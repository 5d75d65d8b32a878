"""The package version (one place; ``jnn.__version__`` and saved files read it)."""

__version__ = "0.1.0"
