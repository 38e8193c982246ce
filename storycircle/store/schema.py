"""Schema migrations, applied in order and recorded in ``PRAGMA user_version``.

Each migration is a list of statements run in one transaction. Never edit a
migration that has shipped: add a new one.
"""

from __future__ import annotations

APPLICATION_ID = 0x53434952
"""``PRAGMA application_id`` of a storycircle database ("SCIR")."""

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE members (
            id TEXT PRIMARY KEY,
            pseudonym TEXT NOT NULL UNIQUE,
            recipient TEXT NOT NULL,
            signing_public BLOB NOT NULL,
            identity_sealed BLOB NOT NULL,
            signing_sealed BLOB NOT NULL,
            created TEXT NOT NULL
        )""",
        """CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            version INTEGER NOT NULL,
            author_id TEXT NOT NULL REFERENCES members(id),
            scope TEXT NOT NULL,
            epoch INTEGER NOT NULL DEFAULT 0,
            created_day TEXT NOT NULL,
            updated_day TEXT NOT NULL,
            seq INTEGER NOT NULL,
            size INTEGER NOT NULL,
            blob BLOB NOT NULL,
            summary BLOB NOT NULL
        )""",
        "CREATE INDEX stories_scope_seq ON stories (scope, author_id, seq DESC)",
        """CREATE TABLE tag_tokens (
            scope TEXT NOT NULL,
            token BLOB NOT NULL,
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            PRIMARY KEY (scope, token, story_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX tag_tokens_story ON tag_tokens (story_id)",
        """CREATE TABLE drafts (
            id TEXT NOT NULL,
            member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            blob BLOB NOT NULL,
            updated_day TEXT NOT NULL,
            PRIMARY KEY (member_id, id)
        )""",
        "CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        "INSERT INTO counters (name, value) VALUES ('seq', 0)",
    ),
    (
        # Reactions ("me too", "this gave me hope"): who reacted to which story.
        """CREATE TABLE reactions (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            PRIMARY KEY (story_id, member_id, kind)
        ) WITHOUT ROWID""",
        # A member's preferences (content-note filters...), sealed to them.
        """CREATE TABLE member_prefs (
            member_id TEXT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
            blob BLOB NOT NULL
        )""",
    ),
    (
        # Reactions may be to collection stories, which have no row in
        # stories: the foreign key goes, and deleting a story deletes its
        # reactions explicitly (Store.delete_story).
        """CREATE TABLE reactions_v3 (
            story_id TEXT NOT NULL,
            member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            PRIMARY KEY (story_id, member_id, kind)
        ) WITHOUT ROWID""",
        "INSERT INTO reactions_v3 SELECT story_id, member_id, kind FROM reactions",
        "DROP TABLE reactions",
        "ALTER TABLE reactions_v3 RENAME TO reactions",
    ),
    (
        # Circles (migration 4). In clear: ids, epochs, recipients, statuses,
        # coarse dates, sizes and ciphertext. The circle's name and folder,
        # members' circle pseudonyms and everything about a story are sealed
        # with keys of the circle's current epoch.
        """CREATE TABLE circles (
            id TEXT PRIMARY KEY,
            epoch INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            host_id TEXT NOT NULL,
            epoch_recipient TEXT NOT NULL,
            meta_sealed BLOB NOT NULL,
            created_day TEXT NOT NULL
        )""",
        """CREATE TABLE circle_members (
            circle_id TEXT NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
            member_id TEXT NOT NULL,
            recipient TEXT NOT NULL,
            signing_public BLOB NOT NULL,
            status TEXT NOT NULL,
            profile_sealed BLOB NOT NULL,
            PRIMARY KEY (circle_id, member_id)
        )""",
        # A grant: the epoch's secret key encrypted to one member's recipient.
        """CREATE TABLE circle_grants (
            circle_id TEXT NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
            epoch INTEGER NOT NULL,
            member_id TEXT NOT NULL,
            blob BLOB NOT NULL,
            PRIMARY KEY (circle_id, epoch, member_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX circle_grants_member ON circle_grants (member_id)",
        # row_id is the story id, or the story id and a suffix for a second
        # edit of the same version (both are kept).
        """CREATE TABLE circle_stories (
            circle_id TEXT NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
            row_id TEXT NOT NULL,
            story_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            author_id TEXT NOT NULL,
            epoch INTEGER NOT NULL,
            created_day TEXT NOT NULL,
            updated_day TEXT NOT NULL,
            seq INTEGER NOT NULL,
            size INTEGER NOT NULL,
            digest BLOB NOT NULL,
            blob BLOB NOT NULL,
            summary BLOB NOT NULL,
            PRIMARY KEY (circle_id, row_id)
        )""",
        "CREATE INDEX circle_stories_story ON circle_stories (story_id, circle_id)",
        "CREATE INDEX circle_stories_seq ON circle_stories (circle_id, seq DESC)",
        """CREATE TABLE circle_tag_tokens (
            circle_id TEXT NOT NULL,
            token BLOB NOT NULL,
            row_id TEXT NOT NULL,
            PRIMARY KEY (circle_id, token, row_id),
            FOREIGN KEY (circle_id, row_id)
                REFERENCES circle_stories(circle_id, row_id) ON DELETE CASCADE
        ) WITHOUT ROWID""",
        "CREATE INDEX circle_tag_tokens_row ON circle_tag_tokens (circle_id, row_id)",
        # Folder files already applied (by content hash), and withdrawals,
        # so a file synced back in is neither applied twice nor resurrected.
        """CREATE TABLE circle_files (
            circle_id TEXT NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
            digest BLOB NOT NULL,
            PRIMARY KEY (circle_id, digest)
        ) WITHOUT ROWID""",
        """CREATE TABLE circle_withdrawn (
            circle_id TEXT NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
            story_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (circle_id, story_id)
        ) WITHOUT ROWID""",
    ),
    (
        # Circles that hold against members and folder writers (issue 14):
        # every folder file's outcome by content hash, so a refused file is
        # reported once and never retried; circles this machine left or was
        # removed from, so their old files stay refused; the circles each
        # author's own machine shared a story to, so edits follow only those;
        # and the share counter of each shared copy, so a re-share after a
        # withdrawal is newer than the withdrawal.
        """CREATE TABLE circle_seen (
            digest BLOB PRIMARY KEY,
            outcome TEXT NOT NULL
        ) WITHOUT ROWID""",
        """CREATE TABLE circle_gone (
            circle_id TEXT PRIMARY KEY,
            epoch INTEGER NOT NULL
        ) WITHOUT ROWID""",
        """CREATE TABLE circle_own_shares (
            circle_id TEXT NOT NULL REFERENCES circles(id) ON DELETE CASCADE,
            story_id TEXT NOT NULL,
            member_id TEXT NOT NULL,
            PRIMARY KEY (circle_id, story_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX circle_own_shares_story ON circle_own_shares (story_id)",
        "ALTER TABLE circle_stories ADD COLUMN share_seq INTEGER NOT NULL DEFAULT 0",
    ),
    (
        # Reactions under keyed tokens and rollback records (untrusted-text
        # round two). A reaction row no longer names the member: its token is
        # HMAC(member's reaction key, story, kind). Old rows cannot be tokened
        # without the member's key, so they move to reactions_unsealed and are
        # tokened when that member next unlocks.
        "ALTER TABLE reactions RENAME TO reactions_unsealed",
        """CREATE TABLE reactions (
            story_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            token BLOB NOT NULL,
            PRIMARY KEY (story_id, kind, token)
        ) WITHOUT ROWID""",
        # Per member, the sealed and signed list of their journal stories'
        # newest versions, checked on read and by doctor (rollback detection).
        """CREATE TABLE version_records (
            member_id TEXT PRIMARY KEY REFERENCES members(id) ON DELETE CASCADE,
            blob BLOB NOT NULL
        )""",
    ),
    (
        # "Newest first" by the story's own date, then by when it was written
        # (an imported story keeps its original date): indexes for that order.
        "CREATE INDEX stories_scope_day ON stories (scope, author_id, created_day DESC, seq DESC)",
        "CREATE INDEX circle_stories_day ON circle_stories (circle_id, created_day DESC, seq DESC)",
    ),
    # Hybrid post-quantum keys (issue 19): a member's public age1pq1 recipient,
    # "" until their hybrid key exists (made at init, or at their next unlock).
    ("ALTER TABLE members ADD COLUMN hybrid_recipient TEXT NOT NULL DEFAULT ''",),
    (
        # The journal's full-text search index (issue 17): sealed segments of
        # one member's index, each an immutable term dictionary with posting
        # arrays. In clear: the member id, a random segment id and the size.
        """CREATE TABLE search_segments (
            member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            blob BLOB NOT NULL,
            UNIQUE (member_id, id)
        )""",
        # Opening the index reads every journal row's (seq, id, version):
        # from this covering index, without touching the rows and their files.
        "CREATE INDEX stories_search ON stories (scope, author_id, seq, id, version)",
    ),
)
