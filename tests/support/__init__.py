"""Helpers shared by test folders (never imported from a ``test_*.py``)."""
