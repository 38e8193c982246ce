"""The session's circle verbs, for the screens and the command line.

Kept apart from :mod:`storycircle.session.session` so each stays short. Slow work
(re-keying a circle, applying a folder) opens its own database connection,
so it can run in a worker thread: SQLite connections stay on their thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from storycircle.errors import StorycircleError

# The circle modules are imported in the methods that use them, not here: the
# session is imported before the first screen is drawn, and none of this is
# needed until someone is unlocked (start-up cost).
if TYPE_CHECKING:
    from storycircle.circles import Sharing
    from storycircle.circles.folder import FolderReport
    from storycircle.circles.tidy import TidyReport
    from storycircle.circles.watch import Arrival
    from storycircle.journal.members import UnlockedMember
    from storycircle.models import Circle, MemberRecord
    from storycircle.reading.library import Library
    from storycircle.session.installation import Installation

Progress = Callable[[int, int], None]


class CircleVerbs:
    """Circle actions of an unlocked member; mixed into the session's :class:`Session`."""

    installation: Installation
    sharing: Sharing | None
    library: Library

    @property
    def can_share(self) -> bool:
        """True when someone is unlocked, so circles are open to them."""
        return self.sharing is not None

    def require_sharing(self) -> Sharing:
        """The unlocked member's circles.

        Raises:
            StorycircleError: nobody is unlocked.
        """
        if self.sharing is None:
            raise StorycircleError("unlock first")
        return self.sharing

    @staticmethod
    def clean_folder(raw: str) -> str:
        """A circle folder typed by someone, as an absolute path ("" for none).

        Raises:
            StorycircleError: it is not an existing folder (the message says why).
        """
        from storycircle.circles.listing import clean_folder

        return clean_folder(raw)

    def circles(self) -> list[Circle]:
        """Circles the member is in or invited to."""
        return self.require_sharing().circles.circles()

    def my_card(self) -> str:
        """The member's public card, to give to someone on another machine."""
        from storycircle.circles import MemberCard

        return str(MemberCard.of(self.require_sharing().circles.member.record))

    def circle_key_note(self, circle_id: str) -> str:
        """Whether the circle's key is post-quantum, and who has only a classic key."""
        from storycircle.circles.keysets import describe

        return describe(self.require_sharing().circles.roster(circle_id))

    def create_circle(self, name: str, pseudonym: str = "", folder: str = "") -> Circle:
        """Start a circle the member hosts."""
        circle = self.require_sharing().circles.create(name, pseudonym, folder)
        self.library.circles_changed()
        return circle

    def invitable_members(self, circle_id: str) -> list[MemberRecord]:
        """Members of this installation who are not in the circle yet."""
        circle = self.require_sharing().circles.circle(circle_id)
        inside = {m.id for m in circle.members}
        return [m for m in self.installation.store.members() if m.id not in inside]

    def invite(self, circle_id: str, who: MemberRecord | str) -> Circle:
        """Invite a member of this installation, or someone by their pasted card."""
        from storycircle.circles import MemberCard, parse_card
        from storycircle.models import MemberRecord

        card = MemberCard.of(who) if isinstance(who, MemberRecord) else parse_card(who)
        return self.require_sharing().circles.invite(circle_id, card)

    def accept_invitation(self, circle_id: str, pseudonym: str) -> Circle:
        """Join a circle under the pseudonym chosen for it."""
        circle = self.require_sharing().circles.accept(circle_id, pseudonym)
        self.library.circles_changed()
        return circle

    def set_circle_folder(self, circle_id: str, folder: str) -> Circle:
        """Choose the folder a circle travels through on this machine ("" for none)."""
        return self.require_sharing().circles.set_folder(circle_id, folder)

    def share_story(self, story_id: str, circle_id: str) -> bool:
        """Share one of the member's stories to a circle; False when already shared as it is."""
        sharing = self.require_sharing()
        story = self.library.load(story_id)
        written = sharing.share(story, circle_id)
        self.library.circles_changed()
        return written

    def withdraw_story(self, story_id: str, circle_id: str) -> None:
        """Take one of the member's stories back from a circle."""
        self.require_sharing().withdraw(story_id, circle_id)
        self.library.circles_changed()

    def shared_to(self, story_id: str) -> list[Circle]:
        """The circles a story of the member's is shared to."""
        sharing = self.require_sharing()
        ids = set(sharing.shared_to(story_id))
        return [c for c in sharing.circles.circles() if c.id in ids]

    def audience(self, circle_id: str) -> list[str]:
        """Who will be able to read what is shared to a circle now."""
        return self.require_sharing().audience(circle_id)

    # -- slow work, each on its own connection ---------------------------------------

    @contextmanager
    def _own_connection(self) -> Iterator[Sharing]:
        from storycircle.circles import Circles, Sharing
        from storycircle.store import Store

        member: UnlockedMember = self.require_sharing().circles.member
        path = self.installation.store.path
        if path is None:  # in-memory (tests): same thread only
            yield self.require_sharing()
            return
        store = Store.open(path)
        try:
            yield Sharing(Circles(store, member))
        finally:
            store.close()

    def remove_from_circle(self, circle_id: str, member_id: str, progress: Progress) -> None:
        """Remove a member and re-key the circle (run in a worker thread)."""
        with self._own_connection() as sharing:
            sharing.circles.remove(circle_id, member_id, progress)

    def leave_circle(self, circle_id: str, progress: Progress) -> None:
        """Leave a circle, or decline its invitation (run in a worker thread)."""
        with self._own_connection() as sharing:
            sharing.circles.leave(circle_id, progress)

    def refresh_circles(self) -> list[tuple[Circle | None, FolderReport]]:
        """Apply new files from every circle folder (run in a worker thread)."""
        return self.refresh_circles_noting_arrivals()[0]

    def refresh_circles_noting_arrivals(
        self,
    ) -> tuple[list[tuple[Circle | None, FolderReport]], list[Arrival]]:
        """Apply every circle folder and say who shared what (run in a worker thread).

        Returns:
            Each folder's report, and the stories others shared or updated,
            by circle and author, for a notice.
        """
        from storycircle.circles import CircleError
        from storycircle.circles.folder import FolderReport
        from storycircle.circles.inbox import refresh
        from storycircle.circles.watch import arrivals

        results: list[tuple[Circle | None, FolderReport]] = []
        news: list[Arrival] = []
        with self._own_connection() as sharing:
            rows, me = sharing.circles.rows, sharing.circles.member.id
            before = {c.id: rows.story_versions(c.id) for c in sharing.circles.circles()}
            folders: dict[str, Circle] = {}
            for circle in sharing.circles.circles():
                if circle.folder:
                    folders.setdefault(circle.folder, circle)
            for folder, circle in folders.items():
                try:
                    results.append((circle, refresh(sharing, folder)))
                except CircleError as error:
                    report = FolderReport()
                    report.refuse(Path(folder).name, str(error))
                    results.append((circle, report))
            for circle in sharing.circles.circles():
                # The host starts the new key a circle waits for (also
                # circles without a folder, shared on this installation).
                try:
                    sharing.circles.settle(circle.id)
                except CircleError:
                    continue
            for circle in sharing.circles.circles():
                after = rows.story_versions(circle.id)
                news.extend(arrivals(circle, before.get(circle.id, {}), after, me))
        return results, news

    def tidy_circle_folders(
        self, circle_id: str = "", *, dry_run: bool = False
    ) -> list[tuple[Circle, TidyReport]]:
        """Put conflict copies in order in one circle's folder, or in every circle's."""
        from storycircle.circles.tidy import tidy_folder

        results = []
        seen: set[str] = set()
        for circle in self.circles():
            if not circle.folder or circle.folder in seen or circle_id not in ("", circle.id):
                continue
            seen.add(circle.folder)
            results.append((circle, tidy_folder(circle.folder, dry_run=dry_run)))
        return results

    def circle_folders(self) -> list[str]:
        """The folders of the member's circles (to watch for new files)."""
        return sorted({c.folder for c in self.circles() if c.folder})

    def open_circle_folder(self, folder: str) -> FolderReport:
        """Look in a folder for invitations and circle files (run in a worker thread)."""
        from storycircle.circles import CircleError
        from storycircle.circles.inbox import refresh
        from storycircle.circles.service import clean_folder

        path = clean_folder(folder)
        if not path:
            raise CircleError("choose a folder")
        with self._own_connection() as sharing:
            report = refresh(sharing, path)
            for circle_id in report.circles:
                if sharing.circles.rows.circle(circle_id) and not sharing.circles.folder_of(
                    circle_id
                ):
                    sharing.circles.set_folder(circle_id, path)
            return report

    def import_circle_bundle(self, path: Path) -> FolderReport:
        """Apply a circle bundle file."""
        from storycircle.circles.inbox import import_bundle

        return import_bundle(self.require_sharing(), path)

    def export_circle_bundle(self, circle_id: str, path: Path) -> int:
        """Write a circle as one bundle file; returns how many files it holds."""
        from storycircle.circles.folder import write_bundle

        return write_bundle(self.require_sharing().circles, circle_id, path)

    def circles_changed(self) -> None:
        """See what a worker changed (call on the UI thread afterwards)."""
        from storycircle.circles import Circles, Sharing

        if self.sharing is not None:
            self.sharing = Sharing(Circles(self.installation.store, self.sharing.circles.member))
            self.library.sharing = self.sharing
        self.library.circles_changed()
