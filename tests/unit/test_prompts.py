"""Writing prompts: the peer-support set is there, short, gentle and clean."""

from __future__ import annotations

import dataclasses
import re

import pytest

from storycircle.journal.prompts import PROMPTS, Prompt
from storycircle.sanitize import sanitize_line

REQUIRED = (
    "A moment of hope",
    "A coping strategy that helped",
    "What you wish someone had told you",
    "A time a group helped",
    "What you would tell someone starting out",
)


def test_the_peer_support_prompts_are_all_there_and_more() -> None:
    titles = [p.title for p in PROMPTS]
    for title in REQUIRED:
        assert title in titles
    assert len(PROMPTS) >= 12
    assert len(set(titles)) == len(titles)


@pytest.mark.parametrize("prompt", PROMPTS, ids=lambda p: p.title)
def test_each_prompt_is_a_short_title_and_one_or_two_sentences(prompt: Prompt) -> None:
    assert 0 < len(prompt.title) <= 48
    assert not prompt.title.endswith(".")
    sentences = re.findall(r"[^.?!]+[.?!]", prompt.guidance)
    assert 1 <= len(sentences) <= 2
    assert "".join(sentences).replace(" ", "") == prompt.guidance.replace(" ", "")
    assert len(prompt.guidance) <= 200


@pytest.mark.parametrize("prompt", PROMPTS, ids=lambda p: p.title)
def test_prompts_are_clean_single_lines_without_markup(prompt: Prompt) -> None:
    for text in (prompt.title, prompt.guidance):
        assert sanitize_line(text) == text
        assert not set("[]<>*_#`") & set(text)


def test_prompts_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        PROMPTS[0].title = "changed"  # type: ignore[misc]
    assert isinstance(PROMPTS, tuple)
