"""The library: the reader's stories, newest first, with search and a tag filter.

Rows come from sealed summaries (no story file is decrypted to list) and sit
in a :class:`~storycircle.widgets.story_list.StoryList`, which draws only the
visible rows, so ten thousand stories open and scroll smoothly.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import Header, Input, Select, Static
from textual.worker import get_current_worker

from storycircle.curated.curators import signature_note
from storycircle.errors import StorycircleError
from storycircle.models import SEARCH_LIMIT, StorySummary
from storycircle.screens.export_stories import ExportScreen
from storycircle.screens.import_stories import ImportScreen
from storycircle.screens.navigation import navigator
from storycircle.screens.tag_browser import TagBrowserScreen
from storycircle.session.reading import ListedJournal
from storycircle.session.session import Session
from storycircle.widgets.footer import StoryFooter
from storycircle.widgets.safe import SafeInput, line
from storycircle.widgets.story_list import StoryList, summary_row
from storycircle.wording import plural

FIRST_SCREENFUL = 200
"""Rows drawn at once from a journal not yet listed; the rest follow from a worker."""


class LibraryScreen(Screen[None]):
    """The reader's stories by section: their journal, and the collections."""

    CSS_PATH = "library.tcss"
    AUTO_FOCUS = "#stories"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_story", "Write"),
        Binding("g", "circles", "Circles"),
        # The two filter fields name their keys on screen ("/ search", "t filter
        # by tag"), so the footer leaves them out and keeps room for the rest.
        Binding("slash", "focus_search", "Search", show=False),
        Binding("t", "focus_tag", "Tag filter", show=False),
        Binding("escape", "clear_filters", "Clear filters", show=False),
        Binding("b", "browse_tags", "Tags"),
        Binding("i", "import_stories", "Import"),
        # Shown in ? Keys and the palette: the footer is full at 100 columns.
        Binding("x", "export_stories", "Export", show=False),
        Binding("s", "settings", "Settings"),
        Binding("r", "start_round", "Round"),
    ]

    def __init__(self, session: Session, section: str = "") -> None:
        """Show ``section`` (default: the journal, or the collections for a guest)."""
        super().__init__()
        self.session = session
        self._rows: list[StorySummary] = []
        self._list_in_full = False
        self._shown_once = False
        # Circles read in the background may arrive before the widgets are up.
        self._listed = False
        self._sections_stale = False
        sections = [key for _, key in session.sections()]
        self._section = section if section in sections else (sections[0] if sections else "")

    def compose(self) -> ComposeResult:
        """Heading, filters, the list and the footer."""
        yield Header()
        with Horizontal(id="choosers"):
            yield Select[str](
                [(line(label), key) for label, key in self.session.sections()],
                value=self._section,
                allow_blank=False,
                id="section",
                compact=True,
            )
            yield Select[str](self.session.themes(), prompt="All themes", id="theme", compact=True)
        yield Static(id="library-heading")
        with Horizontal(id="filters"):
            yield SafeInput(placeholder=self._search_hint(), id="search", compact=True)
            yield SafeInput(placeholder="t filter by tag", id="tag", compact=True)
        yield StoryList(summary_row, id="stories")
        yield Static(id="library-status")
        yield StoryFooter()

    def on_mount(self) -> None:
        """Fill the list; once it is drawn, start indexing the journal's words."""
        self._listed = True
        if self._sections_stale:
            self._refresh_sections()
        self.reload()
        self.call_after_refresh(self._start_text_index)

    def _start_text_index(self) -> None:
        # The index opens from its sealed segments while the rows are listed;
        # searches use it once both are done.
        work = self.session.text_index_work()
        if work:
            self._open_text_index(merge_only=work == "merge")

    @work(thread=True, exclusive=True, group="text-index", exit_on_error=False)
    def _open_text_index(self, *, merge_only: bool) -> None:
        worker = get_current_worker()

        def cancelled() -> bool:
            return worker.is_cancelled

        def ready() -> None:
            # A search typed meanwhile now also looks inside stories.
            self.app.call_from_thread(self._text_index_ready)

        # Unreadable segments leave searching on titles and tags; `doctor` rebuilds.
        self.session.open_text_index(cancelled, ready, merge_only=merge_only)

    def _text_index_ready(self) -> None:
        if self.is_mounted and self.query_one("#search", Input).value.strip():
            self.reload()

    def on_screen_resume(self) -> None:
        """Come back to a fresh list (a story may have been saved or deleted)."""
        if self._shown_once:
            self._refresh_sections()
            self.reload()
            self._start_text_index()  # after an import, or to merge after a delete
        self._shown_once = True

    def _refresh_sections(self) -> None:
        # Circles come and go (joined, left, removed), so the sections do too.
        sections = self.session.sections()
        keys = [key for _, key in sections]
        if self._section not in keys:
            self._section = keys[0] if keys else ""
        chooser = self.query_one("#section", Select)
        with self.prevent(Select.Changed):
            chooser.set_options([(line(label), key) for label, key in sections])
            if self._section:
                chooser.value = self._section

    def circles_arrived(self) -> None:
        """Circle stories or members arrived from a folder: show the news."""
        if not self._listed:
            self._sections_stale = True
            return
        self._refresh_sections()
        self.reload()

    def show_section(self, section: str) -> None:
        """Show one section (a circle's stories, say) with its filters cleared."""
        self._section = section
        self._refresh_sections()
        for field in self.query(Input):
            field.value = ""
        self.reload()
        self.query_one("#stories", StoryList).focus()

    def _search_hint(self) -> str:
        # Say what the box searches, which depends on the section shown.
        if self.session.searches_text(self._section):
            return "/ search titles, tags and words of the text"
        return "/ search titles and tags"

    def reload(self) -> None:
        """Read the rows again with the current section and filters; redraw the list."""
        self.query_one("#search", Input).placeholder = self._search_hint()
        search = self.query_one("#search", Input).value
        tag = self.query_one("#tag", Input).value
        theme = self.query_one("#theme", Select).value
        status = self.query_one("#library-status", Static)
        filtered = search.strip() or tag.strip() or isinstance(theme, str)
        if not filtered and self._section == "journal" and self._draw_first_page():
            return
        try:
            self._rows = self.session.find_stories(
                search,
                tag,
                section=self._section,
                theme=theme if isinstance(theme, str) else "",
            )
        except StorycircleError as error:
            status.update(line(str(error)))
            return
        total = (
            len(self.session.find_stories(section=self._section)) if filtered else len(self._rows)
        )
        self.query_one("#library-heading", Static).update(self._heading(total))
        self.query_one("#stories", StoryList).set_rows(self._rows)
        status.update(line(self._status(total, search, tag, theme)))

    def _draw_first_page(self) -> bool:
        # A large journal not yet listed: draw its newest rows now and decrypt
        # the rest in a worker, so the list appears without waiting for all.
        if self._list_in_full:
            return False
        first = self.session.journal_first_page(FIRST_SCREENFUL)
        if first is None or first[1] <= FIRST_SCREENFUL:
            return False  # listed already, or small enough to list at once
        rows, total = first
        self._rows = rows
        self.query_one("#library-heading", Static).update(self._heading(total))
        self.query_one("#stories", StoryList).set_rows(rows)
        status = f"the newest {len(rows):,} shown · reading the other {total - len(rows):,}…"
        self.query_one("#library-status", Static).update(line(status))
        self._list_journal()
        return True

    @work(thread=True, exclusive=True, group="journal-rows", exit_on_error=False)
    def _list_journal(self) -> None:
        worker = get_current_worker()
        listed = self.session.list_journal(lambda: worker.is_cancelled)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._journal_listed, listed)

    def _journal_listed(self, listed: ListedJournal | None) -> None:
        if listed is None:
            # Whatever went wrong, listing in full on the app's thread still
            # works (or reports the problem the usual way).
            self._list_in_full = True
        elif not self.session.adopt_journal(listed):
            return  # locked, or another member, while the worker ran
        if self.is_mounted:
            self.reload()
            self._start_text_index()

    def _heading(self, total: int) -> Content:
        noun = plural(total, "story")
        member = self.session.member
        if self._section == "journal" and member is not None:
            return line(f"{member.pseudonym}'s journal · {total:,} {noun}")
        if self._section.startswith("circle:"):
            label = dict((k, v) for v, k in self.session.sections()).get(self._section, "Circle")
            return line(f"{label} · {total:,} {noun}")
        slug = self._section.removeprefix("collection:")
        collection = self.session.collection(slug)
        if collection is None:
            return line(f"All collections · {total:,} {noun}")
        head = f"{collection.title} · curated by {collection.curator}"
        note = signature_note(collection)
        changed = collection.signature is False or collection.trust == "changed"
        return Content.assemble(
            line(head).stylize("bold"),
            "\n",
            line(("⚠ " if changed else "") + note).stylize("bold" if changed else "dim"),
            "\n",
            line(collection.description).stylize("dim"),
        )

    def _status(self, total: int, search: str, tag: str, theme: object) -> str:
        if total == 0 and self._section == "journal":
            return "Nothing here yet. Press n to write your first story."
        if total == 0 and self._section.startswith("circle:"):
            return "Nothing shared here yet. Open one of your stories and press s to share it."
        shown = len(self._rows)
        parts = [f"{shown:,} shown"]
        matched = self.session.text_matches
        if search.strip() and shown >= SEARCH_LIMIT and matched > shown:
            parts = [f"the newest {shown:,} shown of {matched:,}"]
        if search.strip():
            parts.append(f'matching "{search.strip()}"')
        if tag.strip():
            parts.append(f"tagged #{tag.strip()}")
        if isinstance(theme, str):
            labels = {name: label for label, name in self.session.themes()}
            parts.append(f"theme: {labels.get(theme, theme)}")
        if self.session.preferences.hidden_notes:
            parts.append("content-note filters on")
        return " · ".join(parts) + " · Enter opens a story"

    @on(Select.Changed, "#section")
    def _on_section(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self._section:
            self._section = event.value
            self.reload()

    @on(Select.Changed, "#theme")
    def _on_theme(self) -> None:
        self.reload()

    @on(Input.Changed)
    def _on_filter_changed(self) -> None:
        self.reload()

    @on(events.DescendantFocus, "#tag")
    def _complete_tags(self) -> None:
        # Built when the field is first used: it reads every story's tags.
        field = self.query_one("#tag", Input)
        if field.suggester is None:
            field.suggester = SuggestFromList(self.session.known_tags(), case_sensitive=False)

    @on(Input.Submitted)
    def _on_filter_submitted(self) -> None:
        self.query_one("#stories", StoryList).focus()

    @on(StoryList.Selected, "#stories")
    def _on_open(self, event: StoryList.Selected) -> None:
        navigator(self.app).open_story(event.summary.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A guest reads the collections; writing needs an account."""
        if action in ("import_stories", "export_stories", "settings") and navigator(self.app).KIOSK:
            # On a shared kiosk these belong to the facilitator.
            return False
        if action in ("new_story", "import_stories", "circles", "start_round"):
            return self.session.unlocked
        return True

    def action_new_story(self) -> None:
        """Open the editor on a new story."""
        navigator(self.app).action_new_story()

    def action_focus_search(self) -> None:
        """Move to the search field."""
        self.query_one("#search", Input).focus()

    def action_focus_tag(self) -> None:
        """Move to the tag filter."""
        self.query_one("#tag", Input).focus()

    def filter_by_tag(self, tag: str) -> None:
        """Show only stories carrying ``tag``."""
        self.query_one("#search", Input).value = ""
        self.query_one("#tag", Input).value = tag
        self.query_one("#stories", StoryList).focus()

    def action_clear_filters(self) -> None:
        """Empty both filters and go back to the list."""
        for field in self.query(Input):
            field.value = ""
        self.query_one("#stories", StoryList).focus()

    def action_import_stories(self) -> None:
        """Import stories into the journal."""
        self.app.push_screen(ImportScreen(self.session))

    def action_export_stories(self) -> None:
        """Export the journal or the collection shown, as ``storycircle export`` does."""
        section = self._section
        what = section.removeprefix("collection:") if section.startswith("collection:") else ""
        self.app.push_screen(ExportScreen(self.session, what or "journal"))

    def action_browse_tags(self) -> None:
        """Open the tag browser."""
        self.app.push_screen(TagBrowserScreen(self.session))

    def action_settings(self) -> None:
        """Open the settings."""
        navigator(self.app).action_settings()

    def action_circles(self) -> None:
        """Open the circles screen."""
        navigator(self.app).open_circles()

    def action_start_round(self) -> None:
        """Set up a circle round."""
        navigator(self.app).action_start_round()
