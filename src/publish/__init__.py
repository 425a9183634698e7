"""publish: one Markdown source, every format its readers use."""

__version__ = "0.1.0"
