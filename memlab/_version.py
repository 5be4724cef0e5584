"""The package version, in a ground module every layer may read (the root package re-exports it)."""
__version__ = "0.1.0"
