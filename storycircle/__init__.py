"""storycircle: write, encrypt and share recovery stories with a small circle of peers."""

__version__ = "0.1.0"
