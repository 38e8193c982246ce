"""Members, circles and stories for the circle tests."""

from __future__ import annotations

from dataclasses import dataclass, replace

from storycircle.circles import Circles, MemberCard, Sharing
from storycircle.circles.roster import updated
from storycircle.journal.journal import Journal
from storycircle.journal.members import UnlockedMember
from storycircle.models import Story
from storycircle.store import Store
from tests.support.people import FakeClock, make_member


@dataclass
class Person:
    """One unlocked member with their journal and circle services."""

    member: UnlockedMember
    journal: Journal
    circles: Circles
    sharing: Sharing

    @property
    def card(self) -> MemberCard:
        return MemberCard.of(self.member.record)

    def write(self, title: str, body: str = "Some words.", tags: tuple[str, ...] = ()) -> Story:
        return self.journal.save(title=title, body=body, tags=tags).story


def person(store: Store, pseudonym: str) -> Person:
    member = make_member(store, pseudonym)
    clock = FakeClock()
    circles = Circles(store, member, clock=clock)
    return Person(member, Journal(store, member, clock=clock), circles, Sharing(circles))


def again(store: Store, someone: Person) -> Person:
    """The same member with fresh services (as after locking and unlocking)."""
    circles = Circles(store, someone.member)
    return Person(someone.member, Journal(store, someone.member), circles, Sharing(circles))


def before_hybrid_keys(store: Store, someone: Person) -> Person:
    """The same member as a version from before hybrid keys sees them: X25519 only."""
    record = replace(someone.member.record, hybrid_recipient="")
    member = replace(someone.member, record=record, hybrid=None, upgrade=None)
    circles = Circles(store, member)
    return Person(member, Journal(store, member), circles, Sharing(circles))


def rename_in_circle(someone: Person, circle_id: str, pseudonym: str) -> None:
    """Change ``someone``'s pseudonym in one circle, as a client of theirs could.

    The app offers no such verb; a member's own roster entry may still change
    its pseudonym, and the roster rules must order such changes.
    """
    circles = someone.circles
    old = circles.roster(circle_id)
    me = old.member(someone.member.id)
    assert me is not None and me.live
    renamed = replace(me, pseudonym=pseudonym, at=old.revision + 1)
    circles.apply_roster(
        updated(old, members=old.with_member(renamed)), folder=circles.folder_of(circle_id)
    )
