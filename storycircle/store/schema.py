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
)
