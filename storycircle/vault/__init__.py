"""The age v1 vault (being written)."""
