"""Counts read as English: one helper, used by every message that counts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from storycircle.journal.cleaning import clean_title
from storycircle.journal.prompts import PROMPTS, holds_only_a_prompt
from storycircle.reading.related_text import normalization_line
from storycircle.transfer.exporting import slugify
from storycircle.transfer.importing import ImportReport
from storycircle.wording import counted, derive_title, plural, shorten

PACKAGE = Path(__file__).resolve().parents[2] / "storycircle"


@pytest.mark.parametrize(
    ("count", "one", "expected"),
    [
        (0, "story", "0 stories"),
        (1, "story", "1 story"),
        (2, "story", "2 stories"),
        (1204, "story", "1,204 stories"),
        (1, "new file", "1 new file"),
        (3, "new file", "3 new files"),
        (2, "circle story", "2 circle stories"),
        (1, "set of preferences", "1 set of preferences"),
        (0, "set of preferences", "0 sets of preferences"),
        (2, "damaged item", "2 damaged items"),
    ],
)
def test_counted(count: int, one: str, expected: str) -> None:
    assert counted(count, one) == expected


def test_verbs_agree() -> None:
    assert f"1 of these stories {plural(1, 'has', 'have')}" == "1 of these stories has"
    assert f"2 of these stories {plural(2, 'has', 'have')}" == "2 of these stories have"


def test_import_summary_for_one_copy() -> None:
    report = ImportReport(kind="folder", copies=("a",))
    assert report.summary() == (
        "Imported 1 story from a folder (1 kept as a copy of a changed story)."
    )


def test_normalization_line_counts_with_separators() -> None:
    line = normalization_line("sleep", 1204, "your journal")
    assert line is not None and line.startswith("1,204 stories in your journal")


# A count followed by a plural noun in an f-string: "{n} stories", "{len(x)} files".
_HAND_MADE = re.compile(
    r"\{(?![A-Z_]+\})[^{}]*\}\s+(stories|files|circles|members|words|items|drafts|tags)\b"
    r"|\"[^\"]*\w\(s\)|'' if \w+ == 1 else 's'|\"s\" if"
)


def test_no_message_counts_by_hand() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{number}: {text.strip()}"
        for path in PACKAGE.rglob("*.py")
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _HAND_MADE.search(text) and "SELECT" not in text
    ]
    assert offenders == []


def test_shorten_never_cuts_a_word() -> None:
    text = (
        "Describe something you did that helped you through a hard time. "
        "It can be ordinary: a walk, a phone call, a song."
    )
    short = shorten(text, 80)
    assert short == "Describe something you did that helped you through a hard time. It can be…"
    assert len(short) <= 80
    assert shorten("short", 80) == "short"
    assert shorten("one two three", 8) == "one two…"
    assert shorten("x" * 20, 8) == "xxxxxxx…"  # one long word is the only cut inside a word


def test_a_derived_title_is_the_writers_first_line_not_a_quoted_prompt() -> None:
    prompt = PROMPTS[1]
    assert derive_title(prompt.quote + "I walked to the shop.\n") == "I walked to the shop."
    long_line = "word " * 30
    title = derive_title(long_line)
    assert title.endswith("word…") and len(title) <= 80
    assert clean_title("", "# A good day\n\nText") == "A good day"
    assert holds_only_a_prompt(prompt.quote) and not holds_only_a_prompt(prompt.quote + "Me.")
    assert not holds_only_a_prompt("> A quote of my own\n")


def test_export_file_names_do_not_cut_words() -> None:
    assert slugify("It can be ordinary: a walk, a phone call, a song", max_length=20) == (
        "it-can-be-ordinary-a"
    )
    assert slugify("x" * 80, max_length=10) == "x" * 10
