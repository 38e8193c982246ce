"""Untrusted text formats: Markdown with front matter, safe Markdown parsers, links."""
