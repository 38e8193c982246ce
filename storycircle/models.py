"""Plain, immutable data passed between the layers.

These hold decrypted content and live only in memory, except
:class:`MemberRecord`, the member as stored (public parts and sealed secrets),
which the first screen lists. The other rows the store keeps are in
:mod:`storycircle.store.records`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SEARCH_LIMIT = 1_000
"""Matches of a full-text search listed at most, newest first (the count says how many)."""

JOURNAL_SCOPE = "journal"
"""Scope name of a member's private journal (circle scopes use the circle id)."""


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """A member as stored: public parts in clear, secrets sealed.

    Attributes:
        id: Random id of the member.
        pseudonym: The name shown in the member picker.
        recipient: The member's age X25519 recipient (``age1…``).
        signing_public: Raw Ed25519 public key (32 bytes).
        identity_sealed: The X25519 identity as an age file sealed with scrypt.
        signing_sealed: The Ed25519 private key sealed to ``recipient``.
        created: Coarse creation date (``YYYY-MM-DD``).
        hybrid_recipient: The member's hybrid post-quantum recipient
            (``age1pq1…``), or "" until they have one.
    """

    id: str
    pseudonym: str
    recipient: str
    signing_public: bytes
    identity_sealed: bytes
    signing_sealed: bytes
    created: str
    hybrid_recipient: str = ""


@dataclass(frozen=True, slots=True)
class Story:
    """A decrypted, verified story.

    Attributes:
        id: Story id.
        version: Version that was read.
        title: Title (sanitized for display by the screens).
        body: Markdown body.
        tags: Canonical tags.
        content_notes: Content notes the author marked.
        author_id: Member id of the author.
        created: ISO 8601 timestamp (UTC).
        updated: ISO 8601 timestamp (UTC).
    """

    id: str
    version: int
    title: str
    body: str
    tags: tuple[str, ...] = ()
    content_notes: tuple[str, ...] = ()
    author_id: str = ""
    created: str = ""
    updated: str = ""

    @property
    def word_count(self) -> int:
        """Number of whitespace-separated words in the body."""
        return len(self.body.split())


@dataclass(frozen=True, slots=True)
class StorySummary:
    """What a list row shows, decrypted from a story's sealed summary.

    Attributes:
        id: Story id.
        version: Version summarised.
        title: Title.
        tags: Canonical tags.
        content_notes: Content notes.
        created: ISO 8601 creation timestamp.
        updated: ISO 8601 timestamp of the last save.
        author_id: Member id of the author.
        scope: ``journal``, a circle id, or ``collection:<slug>``.
        words: Word count of the body.
        author_name: Pseudonym shown for the author (collections, circles).
    """

    id: str
    version: int
    title: str
    tags: tuple[str, ...]
    content_notes: tuple[str, ...]
    created: str
    updated: str
    author_id: str
    scope: str
    words: int
    author_name: str = ""


@dataclass(frozen=True, slots=True)
class Draft:
    """A decrypted draft.

    Attributes:
        id: Draft id (equals the story id when editing a saved story).
        title: Title typed so far.
        body: Body typed so far.
        tags: Tags typed so far (raw, not yet canonical).
        content_notes: Content notes typed so far.
        base_version: Version of the story being edited (0 for a new story).
        saved_at: ISO 8601 timestamp of the autosave.
    """

    id: str
    title: str
    body: str
    tags: tuple[str, ...] = ()
    content_notes: tuple[str, ...] = ()
    base_version: int = 0
    saved_at: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of story summaries.

    Attributes:
        items: The summaries on this page.
        total: How many stories match in all.
        offset: Index of the first item.
    """

    items: tuple[StorySummary, ...] = field(default_factory=tuple)
    total: int = 0
    offset: int = 0


COLLECTION_SCOPE_PREFIX = "collection:"
"""Scope of a curated collection's stories: ``collection:<slug>``."""


@dataclass(frozen=True, slots=True)
class CollectionStory:
    """One story of a curated collection (public: its tags are in clear).

    Attributes:
        id: ``<collection slug>/<story slug>``, unique across collections.
        collection: Slug of the collection.
        title: Title.
        body: Markdown body.
        tags: Canonical tags.
        content_notes: Content notes.
        author: The author's pseudonym.
        date: ISO 8601 date.
        summary: One-sentence summary.
        lang: Language code.
    """

    id: str
    collection: str
    title: str
    body: str
    tags: tuple[str, ...] = ()
    content_notes: tuple[str, ...] = ()
    author: str = ""
    date: str = ""
    summary: str = ""
    lang: str = "en"

    def as_story(self) -> Story:
        """This story shaped like any other, for the reader."""
        return Story(
            id=self.id,
            version=1,
            title=self.title,
            body=self.body,
            tags=self.tags,
            content_notes=self.content_notes,
            author_id="",
            created=self.date,
            updated=self.date,
        )

    def as_summary(self) -> StorySummary:
        """The list row of this story, shaped like any other story's."""
        return StorySummary(
            id=self.id,
            version=1,
            title=self.title,
            tags=self.tags,
            content_notes=self.content_notes,
            created=self.date,
            updated=self.date,
            author_id="",
            scope=COLLECTION_SCOPE_PREFIX + self.collection,
            words=len(self.body.split()),
            author_name=self.author,
        )


@dataclass(frozen=True, slots=True)
class Collection:
    """A curated collection.

    Attributes:
        slug: Folder name.
        title: Title.
        curator: Who assembled it (a pseudonym).
        description: A few sentences.
        license: Licence of the texts.
        consent: The consent statement of the collection.
        stories: Its stories, in file-name order.
        signature: ``None`` unsigned, ``True`` verified, ``False`` does not match.
        curator_key: Base64 public key the signature was checked with ("" unsigned).
        trust: What is known of that key: ``"project"`` (the pinned project key),
            ``"new"`` (first seen, now remembered), ``"known"``, ``"changed"``
            (its curator signed with another key before), or ``""``.
        known_key: For ``"changed"``, the key remembered for the curator.
    """

    slug: str
    title: str
    curator: str
    description: str
    license: str
    consent: str
    stories: tuple[CollectionStory, ...] = ()
    signature: bool | None = None
    curator_key: str = ""
    trust: str = ""
    known_key: str = ""


CIRCLE_SCOPE_PREFIX = "circle:"
"""Scope of a circle's stories in the reader and lists: ``circle:<id>``."""


@dataclass(frozen=True, slots=True)
class StoryRef:
    """Where a story in a list or the reader comes from, parsed once from its id.

    Lists and the reader carry one string id per story: a journal story's own
    id, ``<collection slug>/<story slug>`` for a curated collection's story,
    and ``circle:<circle id>/<row id>`` for a story shared in a circle.

    Attributes:
        id: The id as lists and the reader carry it.
        circle_id: The circle, for a circle story; else "".
        row_id: The circle's row of it, for a circle story; else "".
        collection: The collection's slug, for a collection's story; else "".
    """

    id: str
    circle_id: str = ""
    row_id: str = ""
    collection: str = ""

    @classmethod
    def parse(cls, story_id: str) -> StoryRef:
        """The reference an id stands for (an id of no known shape is a journal id)."""
        if story_id.startswith(CIRCLE_SCOPE_PREFIX):
            circle_id, _, row_id = story_id[len(CIRCLE_SCOPE_PREFIX) :].partition("/")
            if circle_id and row_id:
                return cls(story_id, circle_id=circle_id, row_id=row_id)
            return cls(story_id)
        slug, slash, rest = story_id.partition("/")
        return cls(story_id, collection=slug) if slash and slug and rest else cls(story_id)

    @classmethod
    def in_circle(cls, circle_id: str, row_id: str) -> StoryRef:
        """The reference of a circle's row."""
        return cls(f"{CIRCLE_SCOPE_PREFIX}{circle_id}/{row_id}", circle_id, row_id)

    @property
    def is_circle(self) -> bool:
        """True for a story shared in a circle."""
        return bool(self.circle_id)

    @property
    def scope(self) -> str:
        """The scope the story belongs to: the journal's, a collection's or a circle's."""
        if self.circle_id:
            return CIRCLE_SCOPE_PREFIX + self.circle_id
        if self.collection:
            return COLLECTION_SCOPE_PREFIX + self.collection
        return JOURNAL_SCOPE


@dataclass(frozen=True, slots=True)
class CircleMember:
    """A circle member as shown to other members.

    Attributes:
        id: Member id.
        pseudonym: Their pseudonym in this circle.
        status: ``invited``, ``active``, ``left`` or ``removed``.
        is_host: True for the member who may remove others.
    """

    id: str
    pseudonym: str
    status: str
    is_host: bool = False


@dataclass(frozen=True, slots=True)
class Circle:
    """A circle as its members see it after unlocking.

    Attributes:
        id: Circle id.
        name: The circle's name.
        epoch: Current key epoch.
        host_id: Who may remove members.
        folder: The shared folder, or "" when there is none.
        members: Everyone invited or active.
        my_status: The unlocked member's status (``invited`` or ``active``).
        fingerprint: A short fingerprint of the circle id and its host's
            signing key, telling apart circles with the same name.
        waiting_for: Pseudonyms of those who left or were removed but still
            hold the current key: until the host starts a new one, nothing
            is shared to it.
        host_known: False when the host is in no other circle of this member
            (an invitation from someone never seen before).
    """

    id: str
    name: str
    epoch: int
    host_id: str
    folder: str
    members: tuple[CircleMember, ...]
    my_status: str
    fingerprint: str = ""
    waiting_for: tuple[str, ...] = ()
    host_known: bool = True

    @property
    def scope(self) -> str:
        """The scope of this circle's stories in lists: ``circle:<id>``."""
        return CIRCLE_SCOPE_PREFIX + self.id

    def pseudonym_of(self, member_id: str) -> str:
        """The circle pseudonym of a member, or "" when not a member."""
        return next((m.pseudonym for m in self.members if m.id == member_id), "")


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote.

    Attributes:
        folder: The folder written to.
        files: Names of the files written, in order.
        stories: How many stories were exported.
        unreadable: Ids of journal stories that could not be decrypted.
    """

    folder: Path
    files: tuple[str, ...]
    stories: int
    unreadable: tuple[str, ...] = field(default_factory=tuple)
