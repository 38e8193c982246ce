"""The HTML booklet: every story in one self-contained page, no scripts, nothing fetched.

Kept apart from :mod:`storycircle.transfer.exporting` so each stays short; the
parts around the stories (what the booklet is, its contents) are in
:mod:`storycircle.transfer.booklet`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from storycircle.sanitize import sanitize_text
from storycircle.transfer.booklet import BookletAbout, about_html, contents_html, story_anchor
from storycircle.transfer.export_entries import ExportEntry

__all__ = ["render_html"]

_CSS = """
body{font:1.05rem/1.6 Georgia,serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}
h1,h2{font-family:system-ui,sans-serif;line-height:1.25}
article{border-top:1px solid #bbb;margin-top:2.5rem;padding-top:1rem}
.meta{color:#555;font-size:.9rem}
.notes{background:#f4f0e6;border-left:4px solid #b58900;padding:.5rem .75rem}
.image{font-style:italic;color:#555}
.about,.contents{margin-bottom:2rem}.contents ol{padding-left:1.5rem}
@media print{body{margin:0;max-width:none}article{break-before:page;border:0}
a{color:inherit;text-decoration:none}}
"""
# Nothing in the booklet may run or load anything, even if a renderer bug let
# markup through: the policy forbids every source except the inline style.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'"


def _markdown_renderer() -> Any:
    # Imported here: markdown-it loads only when a booklet is written (start-up cost).
    from storycircle.text.safe_markdown import safe_parser

    # What Markdown decodes (entities) is sanitized again, and a link a reader
    # would not open (ssh:, smb:, hidden characters ...) is plain text.
    md = safe_parser("commonmark", plain_links=True, html=False, linkify=False, typographer=False)

    def image_as_text(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        # An image would be fetched when the booklet opens: show its alt text.
        alt = self.renderInlineAsText(tokens[idx].children or [], options, env)
        return f'<span class="image">[image: {html.escape(alt)}]</span>'

    md.add_render_rule("image", image_as_text)
    return md


def _escape(text: str) -> str:
    # Stored fields were sanitized on save; a damaged or foreign row may not be.
    return html.escape(sanitize_text(text))


def render_html(
    entries: Iterable[ExportEntry], title: str, about: BookletAbout | None = None
) -> str:
    """One self-contained HTML booklet: no scripts, no external resources.

    Bodies are rendered from Markdown with raw HTML disabled; every other
    string is escaped; content notes come before each story. The booklet opens
    with ``about`` (a collection's curator, description, licence and consent)
    and a table of contents linked to each story.
    """
    entries = list(entries)
    md = _markdown_renderer()
    esc = _escape
    parts = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n',
        '<meta name="referrer" content="no-referrer">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n",
        f"<header><h1>{esc(title)}</h1></header>\n",
        about_html(about) if about is not None else "",
        contents_html([(entry.title, entry.content_notes) for entry in entries]),
    ]
    for number, entry in enumerate(entries, start=1):
        meta = [entry.created[:10], entry.author, " ".join("#" + tag for tag in entry.tags)]
        parts.append(f'<article id="{story_anchor(number)}">\n<h2>{esc(entry.title)}</h2>\n')
        parts.append(f'<p class="meta">{esc(" · ".join(m for m in meta if m))}</p>\n')
        if entry.content_notes:
            notes = esc(", ".join(entry.content_notes))
            parts.append(f'<p class="notes"><strong>Content notes:</strong> {notes}</p>\n')
        parts.append(md.render(entry.body))
        parts.append("</article>\n")
    parts.append("</body>\n</html>\n")
    return "".join(parts)
