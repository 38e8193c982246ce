"""Command palette: new story, circles, open a story by title, jump to a tag, lock, help now."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from storycircle.errors import StorycircleError
from storycircle.screens.navigation import Navigator, navigator
from storycircle.widgets.safe import line


class StoryCommands(Provider):
    """Commands over the unlocked member's stories, plus lock and help."""

    @property
    def _app(self) -> Navigator:
        return navigator(self.app)

    def _fixed(self) -> list[tuple[str, str, object]]:
        app = self._app
        commands: list[tuple[str, str, object]] = [
            ("Help now", "Crisis resources, offline", app.action_help_now),
        ]
        if not app.KIOSK:
            commands.append(
                ("Settings", "Theme, autosave, filters, help lines", app.action_settings)
            )
            commands.append(
                (
                    "Export stories",
                    "Markdown, JSON, an HTML booklet or an encrypted bundle",
                    app.action_export_stories,
                )
            )
        commands.append(("Browse tags", "Themes, tags and how many stories", app.browse_tags))
        if app.session.unlocked:
            commands += [
                ("New story", "Start writing", app.action_new_story),
                ("Circles", "Your circles and invitations", app.open_circles),
                ("Start a circle round", "Prompt and talking piece", app.action_start_round),
                ("Lock", "Lock storycircle now", app.action_lock),
            ]
        return commands

    async def discover(self) -> Hits:
        """The fixed commands, shown before anything is typed."""
        for name, help_text, callback in self._fixed():
            yield DiscoveryHit(name, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        """Fixed commands, story titles and tags that match ``query``."""
        matcher = self.matcher(query)
        for name, help_text, callback in self._fixed():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)  # type: ignore[arg-type]
        session = self._app.session
        try:
            summaries = session.find_stories(section="collections")
            if session.unlocked:
                summaries = session.find_stories(section="journal") + summaries
            tags = session.known_tags()
        except StorycircleError:
            return
        # Match what is shown, so "tag sleep" finds "Tag: #sleep".
        for summary in summaries:
            shown = "Open: " + summary.title
            score = matcher.match(shown)
            if score > 0:
                yield Hit(
                    score,
                    line(shown),
                    partial(self._app.open_story, summary.id),
                    help=summary.created[:10],
                )
        for tag in tags:
            shown = "Tag: #" + tag
            score = matcher.match(shown)
            if score > 0:
                yield Hit(
                    score,
                    line(shown),
                    partial(self._app.jump_to_tag, tag),
                    help="stories carrying this tag",
                )
