"""Story circles: small groups who share stories, with keys that hold when someone leaves.

:class:`Circles` changes who is in a circle, :class:`Sharing` shares and
reads stories, and :mod:`storycircle.circles.folder` carries a circle to
other machines through a folder or a bundle file.
"""

from storycircle.circles.cards import CardError, MemberCard, parse_card
from storycircle.circles.service import CircleError, Circles
from storycircle.circles.sharing import Sharing

__all__ = [
    "CardError",
    "CircleError",
    "Circles",
    "MemberCard",
    "Sharing",
    "parse_card",
]
