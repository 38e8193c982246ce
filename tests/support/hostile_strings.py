"""A shared corpus of hostile strings for tests of anything that shows user text.

Each case is ``(name, string)`` in :data:`HOSTILE`. For every case
:data:`MUST_SURVIVE` lists visible words that sanitizing must keep and
:data:`MUST_VANISH` lists hidden payload that must not leak into visible text
(may be empty). :data:`FORBIDDEN_AFTER_SANITIZE` holds the characters that must
never appear in sanitized output.

Usage in another test module::

    from tests.support.hostile_strings import HOSTILE, FORBIDDEN_AFTER_SANITIZE

    @pytest.mark.parametrize(("name", "text"), HOSTILE, ids=[n for n, _ in HOSTILE])
    def test_title_is_safe(name, text): ...

The forbidden set is written out here independently of
``storycircle.sanitize`` so the tests do not just check the code against itself.
"""

from __future__ import annotations

from typing import NamedTuple

ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"


class _Case(NamedTuple):
    name: str
    text: str
    survive: tuple[str, ...] = ("before", "after")
    vanish: tuple[str, ...] = ()


# A flood of screen-clearing and title-setting sequences, a little over 10 KB.
_FLOOD = "before " + (f"{ESC}[2J{ESC}[H{ESC}]0;flood{BEL}" * 700) + " after"

_CASES: list[_Case] = [
    # --- OSC: title, hyperlinks, clipboard ---------------------------------
    _Case("osc0-title-bel", f"before {ESC}]0;pwned title{BEL} after", vanish=("pwned",)),
    _Case("osc2-title-st", f"before {ESC}]2;pwned title{ST} after", vanish=("pwned",)),
    _Case(
        "osc8-hyperlink-st",
        f"before {ESC}]8;;https://evil.example/{ST}click me{ESC}]8;;{ST} after",
        ("before", "click me", "after"),
        ("evil.example",),
    ),
    _Case(
        "osc8-hyperlink-bel",
        f"before {ESC}]8;id=1;file:///etc/passwd{BEL}open{ESC}]8;;{BEL} after",
        ("before", "open", "after"),
        ("passwd",),
    ),
    _Case(
        "osc52-clipboard-write",
        f"before {ESC}]52;c;Y3VybCBldmlsLnNofHNo{BEL} after",
        vanish=("Y3VybCBldmlsLnNofHNo",),
    ),
    _Case("osc52-clipboard-query", f"before {ESC}]52;c;?{ST} after", vanish=("52;",)),
    _Case("osc4-palette-change", f"before {ESC}]4;1;rgb:ff/00/00{BEL} after", vanish=("rgb:",)),
    _Case("osc-unterminated-line", f"before {ESC}]0;stolen title\nafter", vanish=("stolen",)),
    _Case(
        "osc-unterminated-eof", f"before {ESC}]0;stolen title to the end", ("before",), ("stolen",)
    ),
    # --- CSI: cursor, erase, colours, modes, reports -----------------------
    _Case("csi-cursor-up", f"before{ESC}[5Aafter"),
    _Case("csi-cursor-position", f"before{ESC}[1;1Hafter"),
    _Case("csi-erase-screen", f"before{ESC}[2J{ESC}[3Jafter"),
    _Case("csi-erase-line", f"before{ESC}[2K\rafter"),
    _Case("csi-sgr-colour", f"before {ESC}[31;1mred{ESC}[0m after", ("before", "red", "after")),
    _Case(
        "csi-sgr-conceal", f"before {ESC}[8mhidden{ESC}[28m after", ("before", "hidden", "after")
    ),
    _Case("csi-alt-screen", f"before {ESC}[?1049h after"),
    _Case("csi-mouse-tracking", f"before {ESC}[?1000h{ESC}[?1006h after"),
    _Case("csi-device-status-report", f"before {ESC}[6n after"),
    _Case("csi-window-ops", f"before {ESC}[21t{ESC}[8;1;1t after"),
    _Case("csi-unterminated", f"before after {ESC}[12;"),
    # --- DCS, APC, PM, SOS ---------------------------------------------------
    _Case("dcs-decrqss", f"before {ESC}P$qm{ST} after", vanish=("$qm",)),
    _Case("dcs-sixel", f"before {ESC}Pq#0;2;0;0;0#0~~@@vv{ST} after", vanish=("~~@@vv",)),
    _Case("apc-kitty-graphics", f"before {ESC}_Gf=100;cGF5bG9hZA=={ST} after", vanish=("cGF5",)),
    _Case("pm-privacy-message", f"before {ESC}^secret message{ST} after", vanish=("secret",)),
    _Case("sos-start-of-string", f"before {ESC}Xsecret string{ST} after", vanish=("secret",)),
    # --- 8-bit C1 forms ------------------------------------------------------
    _Case("c1-csi-8bit", "before \x9b2J\x9b1;1H after"),
    _Case("c1-osc-8bit", "before \x9d0;pwned title\x9c after", vanish=("pwned",)),
    _Case("c1-osc-8bit-bel", "before \x9d52;c;cHduZWQ=\x07 after", vanish=("cHduZWQ",)),
    _Case("c1-dcs-8bit", "before \x90$qm\x9c after", vanish=("$qm",)),
    _Case("c1-apc-8bit", "before \x9fpayload\x9c after", vanish=("payload",)),
    _Case("c1-misc", "before \x84\x85\x8d\x8e\x8f\x9a after"),
    # --- other escape sequences ---------------------------------------------
    _Case("esc-full-reset", f"before {ESC}c after"),
    _Case("esc-save-restore-cursor", f"before {ESC}7{ESC}8 after"),
    _Case("esc-charset-switch", f"before {ESC}(0lqk{ESC}(B after", ("before", "lqk", "after")),
    _Case("esc-decaln", f"before {ESC}#8 after"),
    _Case("esc-doubled", f"before {ESC}{ESC}[2J after"),
    _Case("esc-lone-at-end", f"before after{ESC}"),
    # --- C0 controls and DEL -------------------------------------------------
    _Case("nul", "before\x00after"),
    _Case("del", "before\x7fafter"),
    _Case("bel", f"before{BEL}{BEL}after"),
    _Case("backspace-overstrike", "before secret\x08\x08\x08\x08\x08\x08public after"),
    _Case("vertical-tab", "before\x0bafter"),
    _Case("form-feed", "before\x0cafter"),
    _Case("carriage-return-overwrite", "before innocent\rafter"),
    _Case("c0-assorted", "before\x01\x02\x03\x04\x05\x06\x0e\x0f\x10\x18\x1a\x1c\x1f after"),
    # --- bidi and invisible characters --------------------------------------
    _Case("bidi-rlo", "before \u202egnp.exe\u202c after", ("before", "gnp.exe", "after")),
    _Case("bidi-embeddings", "before \u202aa\u202bb\u202c\u202dc\u202c after"),
    _Case("bidi-isolates", "before \u2066x\u2067y\u2068z\u2069 after"),
    _Case("bidi-marks", "before\u200e\u200f after"),
    _Case("arabic-letter-mark", "before \u061c after"),
    _Case("zero-width-space", "be\u200bfore af\u200bter"),
    _Case("byte-order-mark", "\ufeffbefore after\ufeff"),
    _Case("word-joiner", "be\u2060fore after"),
    _Case("soft-hyphen", "be\u00adfore af\u00adter"),
    _Case("invisible-operators", "before \u2061\u2062\u2063\u2064 after"),
    _Case("mongolian-vowel-separator", "before\u180e after"),
    _Case("tag-characters-smuggling", "before \U000e0069\U000e0067\U000e006e\U000e007f after"),
    _Case("hangul-fillers", "before \u3164\uffa0 after\u3164"),
    _Case("interlinear-annotation", "before \ufff9hidden\ufffa\ufffb after"),
    _Case("invisible-medley", "b\u200be\ufefff\u00ador\U000e0041e after\u2060\u180e"),
    _Case("stray-joiners", "\u200dbefore \u200c after\u200d"),
    _Case("lone-surrogate", "before \ud800\udfff after"),
    # --- markup that must be kept as text, not interpreted -----------------
    _Case(
        "rich-click-action", "before [@click=app.quit]quit[/] after", ("[@click=app.quit]quit[/]",)
    ),
    _Case(
        "rich-link", "before [link=https://evil]x[/link] after", ("[link=https://evil]x[/link]",)
    ),
    _Case("rich-unbalanced-close", "before [/] after", ("before [/] after",)),
    _Case("rich-unclosed-tag", "before [bold after", ("before [bold after",)),
    _Case("textual-variable", "before $accent $text-muted after", ("$accent",)),
    _Case("textual-braces", "before {x} } { after", ("before {x} } { after",)),
    # --- volume and mixtures -------------------------------------------------
    _Case("escape-flood-10kb", _FLOOD, vanish=("flood",)),
    _Case(
        "mixed-story",
        f"before I went to {ESC}]8;;https://evil{BEL}group{ESC}]8;;{BEL} today.\r\n"
        f"It \u202eyadot\u202c helped.\x00 [@click=app.quit]ok[/] after",
        ("before", "group", "helped", "[@click=app.quit]ok[/]", "after"),
        ("evil",),
    ),
    _Case("mixed-title", f"before {ESC}[31mred{ESC}[0m\u200b\t title\n after", ("red", "title")),
]

HOSTILE: list[tuple[str, str]] = [(case.name, case.text) for case in _CASES]
"""Every hostile case as ``(name, string)``."""

MUST_SURVIVE: dict[str, tuple[str, ...]] = {case.name: case.survive for case in _CASES}
"""Per case name, visible substrings that must still be there after sanitizing."""

MUST_VANISH: dict[str, tuple[str, ...]] = {case.name: case.vanish for case in _CASES}
"""Per case name, hidden payload that must not appear after sanitizing."""

FORBIDDEN_AFTER_SANITIZE: frozenset[str] = frozenset(
    [chr(c) for c in range(0x00, 0x20) if chr(c) not in "\n\t"]  # C0 but \n \t
    + [chr(c) for c in range(0x7F, 0xA0)]  # DEL and C1
    + [chr(c) for c in range(0x202A, 0x202F)]  # bidi embeddings and overrides
    + [chr(c) for c in range(0x2066, 0x206A)]  # bidi isolates
    + ["\u200e", "\u200f", "\u061c"]  # bidi marks
    + ["\u200b", "\ufeff", "\u2060", "\u00ad", "\u180e"]  # invisible
    + [chr(c) for c in range(0x2061, 0x2065)]  # invisible operators
    + ["\u3164", "\uffa0", "\ufff9", "\ufffa", "\ufffb"]  # fillers, annotations
    + [chr(c) for c in range(0xE0000, 0xE0080)]  # tag characters
    + [chr(c) for c in range(0xD800, 0xE000)]  # surrogates
)
"""Characters that must never appear in sanitized text."""

assert len(HOSTILE) == len(MUST_SURVIVE), "case names must be unique"

# --- Markdown: what only appears after rendering ----------------------------
# Character references are decoded by Markdown, so text that is clean going in
# can hold bidi controls and invisible characters coming out.
MARKDOWN_ENTITIES: list[tuple[str, str]] = [
    ("entity-rlo-hex", "before invoice&#x202e;gpj.exe after"),
    ("entity-rlo-decimal", "before invoice&#8238;gpj.exe after"),
    ("entity-isolates", "before &#x2066;left&#x2067;right&#x2069; after"),
    ("entity-zero-width-space", "be&#x200b;fore af&#8203;ter"),
    ("entity-bom", "&#xfeff;before after&#65279;"),
    ("entity-soft-hyphen", "be&#xad;fore af&shy;ter"),
    ("entity-named-marks", "before &lrm;&rlm;&zwj;&zwnj; after"),
    ("entity-c1-and-escape", "before &#x9b;2J &#x1b;[2J after"),
    ("entity-tag-characters", "before &#xE0069;&#xE0067; after"),
    ("entity-hangul-filler", "before &#x3164; after"),
    ("entity-in-link-text", "before [pay&#x202e;gpj.exe](https://example.org/) after"),
    ("entity-in-link-url", "before [ok](https://example.org/&#x202e;x) after"),
    ("entity-in-link-title", 'before [ok](https://example.org/ "t&#x202e;it") after'),
    ("entity-in-image-alt", "before ![al&#x202e;t](https://example.org/a.png) after"),
    ("entity-in-heading", "# be&#x202e;fore\n\nafter"),
    ("entity-in-table-cell", "| a&#x200b; |\n|---|\n| before&#x202e; after |"),
]
"""Story bodies whose rendered Markdown would hold forbidden characters."""

MARKDOWN_LINKS: list[tuple[str, str]] = [
    ("link-ssh", "before [server](ssh://evil.example/) after"),
    ("link-ssh-autolink", "before <ssh://evil.example/> after"),
    ("link-javascript", "before [x](javascript:alert(1)) after"),
    ("link-javascript-entity", "before [x](jav&#x61;script:alert(1)) after"),
    ("link-file", "before [x](file:///etc/passwd) after"),
    ("link-data", "before [x](data:text/html;base64,PHNjcmlwdD4=) after"),
    ("link-vbscript", "before [x](vbscript:msgbox) after"),
    ("link-smb", "before [share](smb://evil.example/share) after"),
    ("link-relative", "before [x](../../etc/passwd) after"),
    ("link-reference", "before [x][r] after\n\n[r]: ftp://evil.example/"),
    ("link-userinfo", "before [bank](https://bank.example@evil.example/) after"),
    ("link-bidi-in-url", "before [x](https://example.org/&#x202e;) after"),
]
"""Story bodies with links a reader may not open (an export shows them as text)."""

ALLOWED_LINKS: list[tuple[str, str]] = [
    ("link-https", "before [site](https://example.org/path?q=1) after"),
    ("link-http-autolink", "before <http://example.org/> after"),
    ("link-mailto", "before [write](mailto:someone@example.org) after"),
]
"""Story bodies with links that stay links."""
