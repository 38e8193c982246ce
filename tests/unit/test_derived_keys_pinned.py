"""Keys derived from a member's identity never change: existing data opens with them.

Each value below was computed by the release that first wrote such data. A
change to a derivation or to one of its domain strings (a rename of a module
path once rewrote ``storycircle/journal/v1``) makes every stored journal,
circle, reaction and search index unreadable, and only a test with fixed
answers notices: tests that write data first and read it back do not.
"""

from __future__ import annotations

from storycircle.circles.epochs import CIRCLE_INFO
from storycircle.journal.reactions import REACTION_INFO
from storycircle.journal.search_segments import INDEX_INFO
from storycircle.sealing.keys import JOURNAL_INFO, SUMMARY_INFO, TAG_INFO, hkdf, journal_keys

SECRET = bytes(range(32))


def test_the_domain_strings_are_the_ones_data_was_written_with() -> None:
    assert JOURNAL_INFO == b"storycircle/journal/v1"
    assert TAG_INFO == b"storycircle/tag/v1"
    assert SUMMARY_INFO == b"storycircle/summary/v1"
    assert CIRCLE_INFO == b"storycircle/circle/v1"
    assert REACTION_INFO == b"storycircle/reaction/v1"
    assert INDEX_INFO == b"storycircle/search-index/v1"


def test_a_journal_s_keys_are_derived_as_before() -> None:
    keys = journal_keys(SECRET)
    assert keys.tag_key.hex() == (
        "939acdee5de7393bcf4cac5787d270c7911a36fa2c1b373f8b4335cf72e07e20"
    )
    assert keys.summary_key.hex() == (
        "9fd0d5bb342068c4ad61e8ab76098ae54a5be44abc88b3b6831ce10a2d620685"
    )


def test_circle_reaction_and_index_keys_are_derived_as_before() -> None:
    assert hkdf(SECRET, CIRCLE_INFO).hex() == (
        "47cc7f1913ee78c6829b77fbd3ba8e3d1386ace99e599b46405d29a2a233a7e6"
    )
    assert hkdf(SECRET, REACTION_INFO).hex() == (
        "bf8b8367fe1b7ec64ae39f116c3cd23843a26549e198acf1c66c966fb5b514f9"
    )
    assert hkdf(SECRET, INDEX_INFO).hex() == (
        "8b4ee362169acaa3fd7f31cafeee78a2a1ad230bdbb7f068ae58978aa25d7693"
    )
