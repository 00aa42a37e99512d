"""The version of glassnet, in one place; model files and run folders record it."""

__version__ = "0.1.0"
