"""flylint: a Flyway-compatible migration linter and blue/green compatibility checker."""

__version__ = "0.1.0"
