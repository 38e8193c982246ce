"""Curated collections: loading, signing and the curator keys they are checked against."""
