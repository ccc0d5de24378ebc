"""identito: INS-compliant patient identity repository."""

__version__ = "0.1.0"
