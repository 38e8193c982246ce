"""Writing prompts drawn from peer-support practice.

Peer-support groups often open with a gentle question rather than a blank
page: a moment of hope, a strategy that helped, what someone wishes they had
known. These prompts carry that practice into the editor. Each has a short
title for the picker and one or two sentences of guidance that are invitations,
never instructions: a writer may answer part of a prompt, or none of it.

This module is plain data with no dependency on the interface, so the texts
can be reviewed (and translated) by people who know peer work.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PROMPTS", "Prompt", "holds_only_a_prompt"]


@dataclass(frozen=True, slots=True)
class Prompt:
    """One writing prompt.

    Attributes:
        title: A short name shown in the picker, e.g. ``"A moment of hope"``.
        guidance: One or two sentences of gentle guidance.
    """

    title: str
    guidance: str

    @property
    def quote(self) -> str:
        """The guidance as it opens an empty story: a Markdown quote, then a blank line."""
        return f"> {self.guidance}\n\n"


PROMPTS: tuple[Prompt, ...] = (
    Prompt(
        "A moment of hope",
        "Think of a moment, however small, when things felt a little lighter. "
        "What was happening, and what did it tell you?",
    ),
    Prompt(
        "A coping strategy that helped",
        "Describe something you did that helped you through a hard time. "
        "It can be ordinary: a walk, a phone call, a song.",
    ),
    Prompt(
        "What you wish someone had told you",
        "Looking back, what would have helped you to hear earlier on? "
        "Write it as if you were saying it to yourself then.",
    ),
    Prompt(
        "A time a group helped",
        "Recall a time when being with others who understood made a difference. "
        "What did someone say or do that stayed with you?",
    ),
    Prompt(
        "What you would tell someone starting out",
        "Imagine someone at the very beginning of their recovery. "
        "What would you want them to know?",
    ),
    Prompt(
        "A person who stood by you",
        "Write about someone who stayed with you when things were difficult. "
        "What did their support look like?",
    ),
    Prompt(
        "A small win",
        "Recovery is often made of small steps. Describe one you are proud of, "
        "even if nobody else noticed it.",
    ),
    Prompt(
        "A setback and what came after",
        "Setbacks are part of many journeys. If you feel ready, write about one "
        "and about what helped you to carry on.",
    ),
    Prompt(
        "Something you learned about yourself",
        "What have you discovered about yourself along the way? "
        "It might be a strength, a need, or a limit you now respect.",
    ),
    Prompt(
        "A place that feels safe",
        "Describe a place, real or imagined, where you feel calm or safe. "
        "What do you see, hear and feel there?",
    ),
    Prompt(
        "A day that went better than expected",
        "Think of a day you dreaded that turned out all right. What made the difference?",
    ),
    Prompt(
        "Where you are today",
        "Take a moment to describe where you are right now, without judging it. "
        "What is different from a year ago, and what would you like to carry forward?",
    ),
    Prompt(
        "A letter to your future self",
        "Write a few lines to yourself a year from now. "
        "What do you hope for, and what do you want to remember?",
    ),
)
"""Every prompt, in the order the picker shows them."""


def holds_only_a_prompt(body: str) -> bool:
    """True when ``body`` is a prompt's quote and none of the writer's own words.

    A prompt is context for the writer, never the story's title or text.
    """
    lines = [text.strip() for text in body.splitlines() if text.strip()]
    if not lines or not all(text.startswith(">") for text in lines):
        return False
    quoted = " ".join(text[1:].strip() for text in lines)
    return quoted in {prompt.guidance for prompt in PROMPTS}
