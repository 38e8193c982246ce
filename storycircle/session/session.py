"""The app's verbs in one place: who is here, create, unlock, read, write, lock.

Screens talk to a :class:`Session` and get models back; they never see SQL or
key bytes. The session keeps at most one unlocked member and drops every key
and decrypted object on :meth:`Session.lock`.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import TYPE_CHECKING

from storycircle.clock import Clock, utc_now
from storycircle.errors import StorycircleError
from storycircle.session.circles import CircleVerbs
from storycircle.session.config import Config, save_config
from storycircle.session.export import ExportVerbs
from storycircle.session.installation import Installation, remove_member
from storycircle.session.reading import ReadingVerbs
from storycircle.session.writing import Locked, WritingVerbs

# Start-up cost: the welcome screen needs only the member list and unlock(), so
# the journal, the library, reactions, circles, preferences and the key code
# (cryptography) are imported where they are first used, after Enter.
if TYPE_CHECKING:
    from storycircle.circles import Sharing
    from storycircle.journal.journal import Journal, SaveResult
    from storycircle.journal.members import UnlockedMember
    from storycircle.journal.preferences import Preferences
    from storycircle.journal.reactions import ReactionKind, Reactions, ReactionSummary
    from storycircle.models import MemberRecord, Story, StorySummary
    from storycircle.reading.library import Library
    from storycircle.reading.related import Related
    from storycircle.session.helplines import HelpLine


class Session(WritingVerbs, CircleVerbs, ExportVerbs, ReadingVerbs):
    """The state of one running app: an installation and, once unlocked, a journal."""

    def __init__(self, installation: Installation, *, clock: Clock = utc_now) -> None:
        """Wrap an open installation; ``clock`` is injected by tests."""
        self.installation = installation
        self.clock = clock
        self.journal: Journal | None = None
        self._reactions: Reactions | None = None
        self.sharing: Sharing | None = None
        # Both made at first use, not here: the welcome screen needs neither,
        # and their modules cost start-up time.
        self._preferences: Preferences | None = None
        self._library_made: Library | None = None

    @property
    def preferences(self) -> Preferences:
        """The reader's preferences: the unlocked member's, else the guest's."""
        if self._preferences is None:
            self._preferences = self._guest_preferences()
        return self._preferences

    @preferences.setter
    def preferences(self, preferences: Preferences) -> None:
        self._preferences = preferences

    @property
    def library(self) -> Library:
        """What the reader may open: journal and collections (made at first use)."""
        if self._library_made is None:
            self._library_made = self._library()
        return self._library_made

    @library.setter
    def library(self, library: Library) -> None:
        self._library_made = library

    def _guest_preferences(self) -> Preferences:
        from storycircle.journal.preferences import Preferences, clean_filters

        return Preferences(hidden_notes=clean_filters(list(self.config.guest_hidden_notes)))

    def _library(self) -> Library:
        from storycircle.reading.library import Library

        reactions = self._reactions
        return Library(
            self.installation.folder,
            self.journal,
            self.preferences,
            hope_counts=reactions.hope_counts if reactions is not None else dict,
            today=self.clock().date(),
            sharing=self.sharing,
            store=self.installation.store,
        )

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
        from storycircle.journal.members import clean_pseudonym, ensure_pseudonym_free
        from storycircle.sealing.passphrase import check_strength

        ensure_pseudonym_free(self.installation.store, pseudonym)
        check_strength(passphrase, pseudonym=clean_pseudonym(pseudonym))

    def prepare_member(self, pseudonym: str, passphrase: str) -> MemberRecord:
        """Make a new member's sealed keys: slow and database-free, run it in a worker.

        Raises:
            StorycircleError: bad pseudonym or weak passphrase.
        """
        from storycircle.journal.members import new_member

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
        from storycircle.journal.members import unlock

        return unlock(record, passphrase)

    def open_journal(self, member: UnlockedMember) -> Journal:
        """Make ``member`` the unlocked member and return their journal."""
        from storycircle.circles import Circles, Sharing
        from storycircle.journal.journal import Journal
        from storycircle.journal.members import save_upgrade
        from storycircle.journal.preferences import load_preferences
        from storycircle.journal.reactions import Reactions

        store = self.installation.store
        # A hybrid key prepared at unlock is stored before anything uses it.
        member = save_upgrade(store, member)
        self.journal = Journal(store, member, clock=self.clock)
        self._start_version_record(self.journal)
        self.preferences = load_preferences(store, member)
        self._reactions = Reactions(store, member)
        self.sharing = Sharing(Circles(store, member, clock=self.clock))
        self.library = self._library()
        return self.journal

    @staticmethod
    def _start_version_record(journal: Journal) -> None:
        # Stories saved before rollback detection existed (or after the record
        # was lost) are covered from now on; a read-only store just waits.
        with contextlib.suppress(StorycircleError):
            journal.versions.start()

    def lock(self) -> None:
        """Forget the unlocked member, their keys and everything decrypted."""
        self.journal = None
        self._reactions = None
        self.sharing = None
        self.preferences = self._guest_preferences()
        self.library = self._library()

    def remove_member(self, member_id: str) -> None:
        """Delete a member and everything they wrote here, for good (the kiosk's admin).

        Raises:
            StorycircleError: no such member.
        """
        remove_member(self.installation.folder, self.installation.store, member_id)

    # -- stories ----------------------------------------------------------------

    def sections(self) -> list[tuple[str, str]]:
        """``(label, key)`` of what the reader can browse: journal, collections."""
        return self.library.sections()

    def find_stories(
        self, text: str = "", tag: str = "", *, section: str = "", theme: str = ""
    ) -> list[StorySummary]:
        """Stories of a section (default: the journal, or the collections for a
        guest), newest first, narrowed by words, a tag and a theme.

        Raises:
            StorycircleError: the tag is not a valid tag.
        """
        chosen = section or ("journal" if self.journal is not None else "collections")
        return self.library.find(chosen, text, tag, theme)

    def known_tags(self) -> list[str]:
        """Tags of every story the reader can open, most used first."""
        return self.library.known_tags()

    def load_story(self, story_id: str) -> Story:
        """Open one story: the member's own, or a collection's.

        Raises:
            StorycircleError: not found, or damaged (the message says which).
        """
        return self.library.load(story_id)

    def author_name(self, story: Story) -> str:
        """The pseudonym shown as a story's author."""
        return self.library.author_name(story, {m.id: m.pseudonym for m in self.members()})

    def normalization(self, story: Story) -> str | None:
        """ "14 stories in your journal and the collections mention relapse", or None."""
        return self.library.normalization(story)

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
        result = self.require_journal().save(
            title=title,
            body=body,
            tags=tags,
            content_notes=content_notes,
            story_id=story_id,
            base_version=base_version,
        )
        self.library.story_saved(result.story)
        if self.sharing is not None and not result.kept_as_copy:
            self.sharing.story_saved(result.story)  # shared copies follow the edit
        return result

    def delete_story(self, story_id: str) -> None:
        """Delete one of the member's stories for good.

        Raises:
            StoryNotFound: no such story in the journal.
        """
        journal = self.require_journal()
        if self.sharing is not None:
            for circle_id in self.sharing.shared_to(story_id):
                self.sharing.withdraw(story_id, circle_id)
        journal.delete(story_id)
        self.library.story_deleted(story_id)

    def related(self, story: Story, limit: int = 8) -> list[Related]:
        """Stories related to ``story`` that the reader may open, each with why."""
        return self.library.related(story, limit)

    # -- consent to collections -------------------------------------------------------

    def may_be_collected(self, story_id: str) -> bool:
        """True when the member marked this story as one collections may include."""
        from storycircle.curated.collections import collection_consents

        member = self.require_journal().member
        return story_id in collection_consents(self.installation.folder, member)

    def set_may_be_collected(self, story_id: str, allowed: bool) -> None:
        """Give or withdraw consent for this story to be included in collections.

        Withdrawing keeps it out of collections assembled from now on; copies
        already assembled or shared cannot be recalled.
        """
        from storycircle.curated.collections import set_collection_consent

        member = self.require_journal().member
        set_collection_consent(self.installation.folder, member, story_id, allowed)

    def imported(self) -> None:
        """See the stories an import added (on the UI thread)."""
        self.library = self._library()

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
        summary = self._reactions.toggle(story_id, kind)
        self.library.hope_changed(story_id, summary.hope)
        return summary

    def set_preferences(self, preferences: Preferences) -> None:
        """Remember the reader's preferences: sealed to a member, in the
        settings file for a guest (who has nothing to seal them to).

        Raises:
            StorycircleError: they could not be written.
        """
        if self.journal is not None:
            from storycircle.journal.preferences import save_preferences

            save_preferences(self.installation.store, self.journal.member, preferences)
        else:
            self.update_config(replace(self.config, guest_hidden_notes=preferences.hidden_notes))
        self.preferences = preferences
        self.library.set_preferences(preferences)

    # -- settings and help ------------------------------------------------------------

    def help_lines(self) -> list[HelpLine]:
        """Crisis resources for this person's locale: configured, else shipped."""
        from storycircle.session.helplines import current_locale, default_lines, lines_for

        pool = list(self.config.help_lines) or default_lines()
        return lines_for(self.config.help_locale or current_locale(), pool)

    def help_sections(self) -> tuple[list[HelpLine], list[HelpLine]]:
        """The help lines to show first and those of other countries (see
        :func:`storycircle.session.helplines.help_sections`): the region chosen in the
        settings (a kiosk's at ``kiosk --setup``), else the system locale's.
        """
        from storycircle.session.helplines import current_locale, default_lines, help_sections

        pool = list(self.config.help_lines) or default_lines()
        return help_sections(self.config.help_locale or current_locale(), pool)

    def update_config(self, config: Config) -> None:
        """Write new settings and use them from now on.

        Raises:
            StorycircleError: they could not be written; the old ones stay.
        """
        save_config(self.installation.folder, config)
        self.installation = Installation(self.installation.folder, self.installation.store, config)
