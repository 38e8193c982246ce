"""Stories in circles: share, withdraw, list and open.

A shared story is a second copy of the author's story, encrypted to the
author and to the circle's current epoch, with a summary and tag tokens under
the epoch's keys. Withdrawing deletes that copy (the author's own stays in
their journal, encrypted to them alone) and tells the circle folder.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from storycircle import vault
from storycircle.circles.epochs import EpochKey
from storycircle.circles.events import EventError, sign_event
from storycircle.circles.folder import forget_files, write_file
from storycircle.circles.roster import ACTIVE, Roster, waiting_for
from storycircle.circles.service import CircleError, Circles
from storycircle.circles.stories import read_circle_story, seal_circle_story
from storycircle.errors import DamagedStory, StoryNotFound
from storycircle.models import CIRCLE_SCOPE_PREFIX, Story, StoryRef, StorySummary
from storycircle.sanitize import sanitize_line, sanitize_text
from storycircle.sealing.envelope import open_story
from storycircle.sealing.keys import SealError, row_context
from storycircle.sealing.signing import verify_key
from storycircle.sealing.summaries import pack_summary, unpack_summary
from storycircle.store.records import CircleStoryRecord, StoryRecord
from storycircle.tagging.tags import search_forms

CONFLICT_MARK = " (another edit)"
"""Added to the title of a second edit of the same version, kept beside the first."""


class Sharing:
    """Share, withdraw and read the stories of the member's circles."""

    def __init__(self, circles: Circles) -> None:
        """Work through the member's :class:`Circles`."""
        self.circles = circles
        self._summaries: dict[tuple[str, str, int, int], StorySummary] = {}

    # -- sharing and withdrawing ---------------------------------------------------

    def audience(self, circle_id: str) -> list[str]:
        """Pseudonyms of everyone who will be able to read what is shared now."""
        roster = self.circles.roster(circle_id)
        return [m.pseudonym for m in roster.live() if m.id != self.circles.member.id]

    def share(self, story: Story, circle_id: str) -> bool:
        """Share one of the member's own stories to a circle (or update the shared copy).

        Returns:
            False when this very version is already shared there (nothing
            is written: a copy would only show as a second edit).

        Raises:
            CircleError: not the member's story, they are not active in the
                circle, or it waits for a new key after someone left.
        """
        member = self.circles.member
        if story.author_id != member.id:
            raise CircleError("you can share only your own stories")
        roster = self.circles.roster(circle_id)
        me = roster.member(member.id)
        if me is None or me.status != ACTIVE:
            raise CircleError("accept the invitation to this circle before sharing to it")
        self._require_settled(roster)
        rows = self.circles.rows
        mine = [r for r in rows.rows_of_story(circle_id, story.id) if r.author_id == member.id]
        if any(r.version == story.version for r in mine) and circle_id in rows.own_shares(
            story.id, member.id
        ):
            return False
        # Newer than any earlier share and than its withdrawal, so the others
        # take a re-share after a withdrawal as new.
        seq = 1 + max([rows.withdrawn_version(circle_id, story.id), *(r.share_seq for r in mine)])
        key = self.circles.key(circle_id, roster.epoch)
        # The circle's stanza first: every reader but the author tries it first.
        recipients: list[vault.Recipient] = [vault.parse_recipient(key.recipient)]
        # The author's own copy, of the epoch's kind: a file never mixes hybrid
        # and classic keys (a hybrid epoch with an author without a hybrid key
        # yet gets the circle's stanza only; the author reads it through it).
        if not key.hybrid:
            recipients.append(member.identity.recipient)
        elif member.has_hybrid and member.hybrid is not None:
            recipients.append(member.hybrid.recipient)
        blob = seal_circle_story(
            story, member.signing_key, circle_id, roster.epoch, seq, recipients
        )
        with self.circles.store.batch():
            rows.clear_withdrawn(circle_id, story.id)
            rows.delete_story(circle_id, story.id)
            self.store_row(circle_id, story.id, story, blob, key, seq)
            rows.put_own_share(circle_id, story.id, member.id)
        folder = self.circles.folder_of(circle_id)
        if folder:
            write_file(rows, circle_id, folder, "story", blob)
            forget_files(folder, "story", [r.digest for r in mine])
        return True

    def _require_settled(self, roster: Roster) -> None:
        # Never share to a key someone who left still holds. The new key is
        # the host's to start (on a refresh, in a worker: it re-keys every story).
        waiting = waiting_for(roster)
        if waiting:
            names = ", ".join(m.pseudonym for m in waiting)
            then = (
                "refresh the circles to start it"
                if roster.host_id == self.circles.member.id
                else "nothing can be shared to it until its host refreshes"
            )
            raise CircleError(f"this circle is waiting for a new key after {names} left; {then}")

    def store_row(
        self,
        circle_id: str,
        row_id: str,
        story: Story,
        blob: bytes,
        key: EpochKey,
        share_seq: int = 0,
    ) -> None:
        """Keep a story file (shared here or applied from a folder) as a circle row."""
        context = row_context(CIRCLE_SCOPE_PREFIX + circle_id, row_id, story.version)
        digest = hashlib.sha256(blob).digest()
        self.circles.rows.put_story(
            CircleStoryRecord(
                circle_id,
                row_id,
                story.id,
                story.version,
                story.author_id,
                key.epoch,
                story.created[:10],
                story.updated[:10],
                0,
                len(blob),
                digest,
                blob,
                key.scope.seal(pack_summary(story), context),
                share_seq,
            ),
            [key.scope.tag_token(tag) for tag in story.tags],
        )
        self.circles.rows.mark_file(circle_id, digest)

    def withdraw(self, story_id: str, circle_id: str) -> None:
        """Take a story back from a circle: its copy there is deleted.

        Raises:
            CircleError: it is not shared there by this member.
        """
        member = self.circles.member
        rows = self.circles.rows
        mine = [
            row for row in rows.rows_of_story(circle_id, story_id) if row.author_id == member.id
        ]
        if not mine:
            raise CircleError("that story is not shared to that circle")
        seq = max(row.share_seq for row in mine)
        roster = self.circles.roster(circle_id)
        with self.circles.store.batch():
            rows.delete_story(circle_id, story_id)
            rows.set_withdrawn(circle_id, story_id, seq)
            rows.drop_own_share(circle_id, story_id)
        folder = self.circles.folder_of(circle_id)
        if folder:
            event = sign_event(
                {
                    "kind": "withdraw",
                    "circle": circle_id,
                    "epoch": roster.epoch,
                    "signer": member.id,
                    "story": story_id,
                    "seq": seq,
                },
                member.signing_key,
            )
            key = self.circles.current_key(circle_id)
            write_file(
                rows,
                circle_id,
                folder,
                "withdraw",
                vault.encrypt(event, [vault.parse_recipient(key.recipient)]),
            )
            forget_files(folder, "story", [row.digest for row in mine])

    def shared_to(self, story_id: str) -> list[str]:
        """Ids of the circles this machine recorded the member sharing a story to.

        Only the author's own record counts: a copy of the story that turned
        up in another circle (put there by someone else) never draws edits.
        """
        return self.circles.rows.own_shares(story_id, self.circles.member.id)

    def story_saved(self, story: Story) -> None:
        """Update the shared copies of a story the member just edited."""
        for circle_id in self.shared_to(story.id):
            try:
                self.share(story, circle_id)
            except CircleError:
                continue  # no longer active there: the old copy stays as shared

    # -- listing and reading --------------------------------------------------------------

    def summaries(self, circle_id: str) -> list[StorySummary]:
        """The list rows of a circle's stories, newest first, by circle pseudonym."""
        circle = self.circles.circle(circle_id)
        if circle.my_status != ACTIVE:
            return []
        key = self.circles.key(circle_id, circle.epoch)
        names = {m.id: m.pseudonym for m in circle.members}
        scope = circle.scope
        found = []
        for row_id, story_id, version, author_id, sealed in self.circles.rows.summaries(circle_id):
            cache_key = (circle_id, row_id, version, circle.epoch)
            summary = self._summaries.get(cache_key)
            if summary is None:
                try:
                    opened = key.scope.open(sealed, row_context(scope, row_id, version))
                    summary = unpack_summary(
                        opened, StoryRef.in_circle(circle_id, row_id).id, version, author_id, scope
                    )
                except (SealError, ValueError, TypeError):
                    continue  # damaged: doctor names it
                title = summary.title + (CONFLICT_MARK if row_id != story_id else "")
                summary = replace(
                    summary, title=title, author_name=names.get(author_id, "unknown member")
                )
                self._summaries[cache_key] = summary
            found.append(summary)
        return found

    def with_tag(self, circle_id: str, tag: str) -> list[StorySummary]:
        """A circle's stories carrying ``tag``, found by its token."""
        key = self.circles.current_key(circle_id)
        wanted: set[str] = set()
        for form in search_forms(tag):  # stories shared before 2.0 and joiners were kept
            wanted.update(
                self.circles.rows.row_ids_with_token(circle_id, key.scope.tag_token(form))
            )
        return [s for s in self.summaries(circle_id) if s.id.rpartition("/")[2] in wanted]

    def load(self, story_id: str) -> Story:
        """Open a circle story by its list id, checking its author's signature.

        Raises:
            StoryNotFound: no such story in the member's circles.
            DamagedStory: it fails to decrypt or verify, or claims an author
                who is not in the circle.
        """
        ref = StoryRef.parse(story_id)
        if not ref.is_circle:
            raise StoryNotFound(f"there is no story {sanitize_line(story_id)} in your circles")
        circle_id, row_id = ref.circle_id, ref.row_id
        row = self.circles.rows.story(circle_id, row_id)
        if row is None:
            raise StoryNotFound("that story is no longer shared in the circle")
        circle = self.circles.circle(circle_id)
        if circle.my_status != ACTIVE:
            raise StoryNotFound("accept the invitation to read this circle's stories")
        author = self.circles.rows.member(circle_id, row.author_id)
        if author is None:
            raise DamagedStory(f"story {row.story_id} claims an author who is not in the circle")
        key = self.circles.key(circle_id, row.epoch)
        author_key = verify_key(author.signing_public)
        try:
            plaintext = vault.decrypt(row.blob, [key.identity])
        except vault.AgeError:
            raise DamagedStory(f"story {row.story_id} is damaged and cannot be decrypted") from None
        if plaintext.startswith(b'{"circle":'):
            try:
                story = read_circle_story(plaintext, circle_id, lambda _author: author_key).story
            except EventError as error:
                raise DamagedStory(f"story {row.story_id}: {error}") from None
            if (story.id, story.version, story.author_id) != (
                row.story_id,
                row.version,
                row.author_id,
            ):
                raise DamagedStory(f"story {row.story_id} holds another story's data")
        else:
            # A copy kept before circle files named their circle (checked
            # when it was applied); its own envelope still proves its author.
            record = StoryRecord(
                row.story_id,
                row.version,
                row.author_id,
                circle.scope,
                row.epoch,
                row.created_day,
                row.updated_day,
                row.seq,
                row.size,
                row.blob,
                row.summary,
            )
            story = open_story(record, [key.identity], author_key)
        # Written elsewhere: cleaned like anything typed here before it is shown.
        title = sanitize_line(story.title) + (CONFLICT_MARK if row_id != row.story_id else "")
        return replace(story, id=story_id, title=title, body=sanitize_text(story.body))
