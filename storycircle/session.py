"""The app's verbs in one place: who is here, create, unlock, read, write, lock.

Screens talk to a :class:`Session` and get models back; they never see SQL or
key bytes. The session keeps at most one unlocked member and drops every key
and decrypted object on :meth:`Session.lock`.
"""

from __future__ import annotations

from storycircle.config import Config, save_config
from storycircle.errors import StorycircleError
from storycircle.helplines import HelpLine, current_locale, default_lines, lines_for
from storycircle.installation import Installation
from storycircle.journal import Clock, Journal, SaveResult, utc_now
from storycircle.members import (
    UnlockedMember,
    clean_pseudonym,
    ensure_pseudonym_free,
    new_member,
    unlock,
)
from storycircle.models import Draft, MemberRecord, Story, StorySummary
from storycircle.passphrase import check_strength
from storycircle.preferences import Preferences, load_preferences, save_preferences
from storycircle.reactions import ReactionKind, Reactions, ReactionSummary
from storycircle.related import Related, by_shared_tags


class Locked(StorycircleError):
    """An action needs an unlocked member."""


class Session:
    """The state of one running app: an installation and, once unlocked, a journal."""

    def __init__(self, installation: Installation, *, clock: Clock = utc_now) -> None:
        """Wrap an open installation; ``clock`` is injected by tests."""
        self.installation = installation
        self.clock = clock
        self.journal: Journal | None = None
        self.preferences = Preferences()
        self._reactions: Reactions | None = None

    # -- members and unlocking ------------------------------------------------

    @property
    def config(self) -> Config:
        """The installation's settings."""
        return self.installation.config

    def members(self) -> list[MemberRecord]:
        """Everyone with an account on this installation."""
        return self.installation.store.members()

    def check_new_member(self, pseudonym: str, passphrase: str) -> None:
        """Refuse a taken or bad pseudonym, or a weak passphrase, before any slow work.

        Raises:
            StorycircleError: with the reason.
        """
        ensure_pseudonym_free(self.installation.store, pseudonym)
        check_strength(passphrase, pseudonym=clean_pseudonym(pseudonym))

    def prepare_member(self, pseudonym: str, passphrase: str) -> MemberRecord:
        """Make a new member's sealed keys: slow and database-free, run it in a worker.

        Raises:
            StorycircleError: bad pseudonym or weak passphrase.
        """
        return new_member(pseudonym, passphrase, work_factor=self.config.work_factor)

    def add_member(self, record: MemberRecord) -> None:
        """Store a member made by :meth:`prepare_member` (on the UI thread).

        Raises:
            StorycircleError: the pseudonym was taken meanwhile.
        """
        self.installation.store.add_member(record)

    @staticmethod
    def unlock_keys(record: MemberRecord, passphrase: str) -> UnlockedMember:
        """Open a member's keys: slow and database-free, so run it in a worker thread.

        Raises:
            WrongPassphrase: the passphrase is wrong.
        """
        return unlock(record, passphrase)

    def open_journal(self, member: UnlockedMember) -> Journal:
        """Make ``member`` the unlocked member and return their journal."""
        store = self.installation.store
        self.journal = Journal(store, member, clock=self.clock)
        self.preferences = load_preferences(store, member)
        self._reactions = Reactions(store, member.id)
        return self.journal

    def lock(self) -> None:
        """Forget the unlocked member, their keys and everything decrypted."""
        self.journal = None
        self._reactions = None
        self.preferences = Preferences()

    def require_journal(self) -> Journal:
        """The unlocked member's journal.

        Raises:
            Locked: nobody is unlocked.
        """
        if self.journal is None:
            raise Locked("unlock first")
        return self.journal

    # -- stories ----------------------------------------------------------------

    def visible(self, summaries: list[StorySummary]) -> list[StorySummary]:
        """Drop stories whose content notes the reader chose to hide."""
        return [s for s in summaries if not self.preferences.hides(s.content_notes)]

    def find_stories(self, text: str = "", tag: str = "") -> list[StorySummary]:
        """The reader's stories, newest first, narrowed by words and a tag.

        Args:
            text: Words to find in titles and tags (empty: all).
            tag: A tag every result carries (empty: any).

        Raises:
            StorycircleError: the tag is not a valid tag.
        """
        journal = self.require_journal()
        rows = journal.with_tag(tag) if tag.strip() else journal.summaries()
        needle = text.strip().casefold()
        if needle:
            rows = [
                s for s in rows if needle in s.title.casefold() or any(needle in t for t in s.tags)
            ]
        return self.visible(rows)

    def known_tags(self) -> list[str]:
        """Tags the reader's stories carry, most used first (for completion)."""
        return list(self.require_journal().tag_counts())

    def load_story(self, story_id: str) -> Story:
        """Decrypt and verify one story of the unlocked member.

        Raises:
            StorycircleError: not found, or damaged (the message says which).
        """
        return self.require_journal().load(story_id)

    def save_story(
        self,
        *,
        title: str,
        body: str,
        tags: list[str],
        content_notes: list[str],
        story_id: str | None = None,
        base_version: int = 0,
    ) -> SaveResult:
        """Save a story (new, or a new version); see :meth:`Journal.save`.

        Raises:
            StorycircleError: bad input; nothing was written.
        """
        return self.require_journal().save(
            title=title,
            body=body,
            tags=tags,
            content_notes=content_notes,
            story_id=story_id,
            base_version=base_version,
        )

    def related(self, story: Story, limit: int = 8) -> list[Related]:
        """Stories related to ``story`` that the reader may open, filters applied."""
        candidates = self.visible(self.require_journal().summaries())
        return by_shared_tags(story.id, story.tags, candidates, limit)

    def tag_count(self, tag: str) -> int:
        """How many stories the reader may open carry ``tag``."""
        return len(self.require_journal().with_tag(tag))

    # -- drafts -------------------------------------------------------------------

    def autosave_draft(self, draft: Draft) -> None:
        """Store a draft encrypted to the author (called every few seconds)."""
        self.require_journal().save_draft(draft)

    def drafts(self) -> list[Draft]:
        """Drafts left behind by an interrupted session."""
        return self.require_journal().drafts()

    def discard_draft(self, draft_id: str) -> None:
        """Forget a draft (saved or thrown away)."""
        self.require_journal().discard_draft(draft_id)

    # -- reactions and preferences -------------------------------------------------

    def reactions(self, story_id: str) -> ReactionSummary:
        """Reaction counts for a story and the reader's own."""
        if self._reactions is None:
            raise Locked("unlock first")
        return self._reactions.summary(story_id)

    def toggle_reaction(self, story_id: str, kind: ReactionKind) -> ReactionSummary:
        """Give or take back a reaction."""
        if self._reactions is None:
            raise Locked("unlock first")
        return self._reactions.toggle(story_id, kind)

    def set_preferences(self, preferences: Preferences) -> None:
        """Remember the reader's preferences (sealed to them)."""
        journal = self.require_journal()
        save_preferences(self.installation.store, journal.member, preferences)
        self.preferences = preferences

    # -- settings and help ------------------------------------------------------------

    def help_lines(self) -> list[HelpLine]:
        """Crisis resources for this person's locale: configured, else shipped."""
        pool = list(self.config.help_lines) or default_lines()
        return lines_for(self.config.help_locale or current_locale(), pool)

    def update_config(self, config: Config) -> None:
        """Write new settings and use them from now on.

        Raises:
            StorycircleError: they could not be written; the old ones stay.
        """
        save_config(self.installation.folder, config)
        self.installation = Installation(self.installation.folder, self.installation.store, config)
