"""A member's journal: stories, drafts, search, members, preferences, reactions, versions."""
