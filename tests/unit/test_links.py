"""check_link: which link targets a reader may open, and how they are shown."""

from __future__ import annotations

import pytest

from storycircle.text.links import MAX_LINK_LENGTH, check_link
from tests.support.hostile_strings import FORBIDDEN_AFTER_SANITIZE, HOSTILE


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org",
        "https://example.org/path?q=1#part",
        "HTTPS://Example.org/Case",
        "HtTp://example.org",
        "mailto:group@example.org",
        "MAILTO:group@example.org?subject=hello",
        "https://[2001:db8::1]:8443/x",
        "https://example.org:8080/",
    ],
)
def test_web_and_mail_links_are_allowed_unchanged(url: str) -> None:
    check = check_link(url)
    assert check.allowed
    assert check.url == url
    assert check.display == url
    assert check.reason == ""


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("javascript:alert(1)", "run code"),
        ("JavaScript:alert(1)", "run code"),
        ("vbscript:msgbox", "run code"),
        ("file:///etc/passwd", "files on this computer"),
        ("data:text/html;base64,PHNjcmlwdD4=", "hidden content"),
        ("ssh://host.example", "ssh: links are not opened"),
        ("ftp://files.example/x", "ftp: links are not opened"),
        ("tel:+15550100", "tel: links are not opened"),
        ("C:\\Users\\me\\secret.txt", "c: links are not opened"),
        ("notes/next.md", "inside the app or at a file"),
        ("/etc/passwd", "inside the app or at a file"),
        ("../up.md", "inside the app or at a file"),
        ("#heading", "inside the app or at a file"),
        ("//evil.example/x", "inside the app or at a file"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_other_schemes_and_relative_links_are_refused(url: str, words: str) -> None:
    check = check_link(url)
    assert not check.allowed
    assert check.url == ""
    assert words in check.reason
    assert "\n" not in check.reason


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://", "no host"),
        ("https:///path", "no host"),
        ("https:example.org", "no host"),
        ("https://:443/", "no host"),
        ("https://example.org:99999/", "malformed host or port"),
        ("https://example.org:port/", "malformed host or port"),
        ("https://[::1/", "malformed host or port"),
        ("https://bank.example@evil.example/", "behind an @"),
        ("https://bank.example\\@evil.example/", "backslash"),
        ("https://exa mple.org/", "space in its host"),
        ("mailto:", "no valid address"),
        ("mailto:nobody", "no valid address"),
    ],
)
def test_broken_or_deceptive_web_links_are_refused(url: str, words: str) -> None:
    check = check_link(url)
    assert not check.allowed
    assert words in check.reason


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/\x1b[2J",
        "https://example.org/a\nb",
        "https://example.org/a\tb",
        "java\tscript:alert(1)",  # browsers drop the tab; we refuse, never clean
        "https://example.org/\x00",
        "https://example.org/\x9b2J",
        "https://example.org/\x7f",
        "https://evil\u202egro.elpmaxe/",  # right-to-left override
        "https://exa\u200bmple.org/",  # zero-width space
        "https://example.org/\u00a0x",  # no-break space looks like a space
        "https://example.org/\ufeff",
    ],
)
def test_control_and_invisible_characters_are_refused(url: str) -> None:
    check = check_link(url)
    assert not check.allowed
    assert "hidden or control characters" in check.reason
    assert not set(check.display) & FORBIDDEN_AFTER_SANITIZE


def test_surrounding_whitespace_is_stripped() -> None:
    check = check_link("  \n https://example.org/page \t ")
    assert check.allowed
    assert check.url == "https://example.org/page"


def test_plain_spaces_in_the_path_are_encoded_so_shown_equals_opened() -> None:
    check = check_link("https://example.org/sleep guide?q=good night")
    assert check.allowed
    assert check.url == "https://example.org/sleep%20guide?q=good%20night"
    assert check.display == check.url
    assert check_link("mailto:a@example.org?subject=hi there").url == (
        "mailto:a@example.org?subject=hi%20there"
    )


def test_display_shows_the_host_as_written() -> None:
    check = check_link("https://Support.Example.org:8443/a/b?c=d#e")
    assert check.host == "Support.Example.org"
    assert "Support.Example.org" in check.display
    assert check.warning == ""
    assert check_link("https://[2001:db8::1]:8443/").host == "[2001:db8::1]"
    assert check_link("mailto:group@example.org?subject=x").host == "group@example.org"


def test_scheme_is_reported_in_lower_case() -> None:
    assert check_link("HTTPS://example.org").scheme == "https"
    assert check_link("MailTo:a@example.org").scheme == "mailto"
    assert check_link("JavaScript:x").scheme == "javascript"
    assert check_link("notes.md").scheme == ""


def test_mail_copies_to_others_carry_a_caution() -> None:
    assert check_link("mailto:a@example.org?subject=hi").warning == ""
    for url in ("mailto:a@example.org?bcc=b@evil.example", "mailto:a@example.org?x=1&CC=c@x"):
        check = check_link(url)
        assert check.allowed
        assert "cc or bcc" in check.warning


def test_punycode_host_is_shown_as_written_with_a_caution() -> None:
    check = check_link("https://xn--pple-43d.com/login")
    assert check.allowed
    assert check.host == "xn--pple-43d.com"
    assert check.display == "https://xn--pple-43d.com/login"
    assert "xn--" in check.warning


def test_non_ascii_host_is_shown_as_written_with_its_browser_form() -> None:
    check = check_link("https://\u0430pple.com/")  # Cyrillic a
    assert check.allowed
    assert check.host == "\u0430pple.com"
    assert "xn--pple-43d.com" in check.warning
    assert "imitate" in check.warning


def test_overlong_links_are_refused_and_their_display_is_short() -> None:
    check = check_link("https://example.org/" + "a" * MAX_LINK_LENGTH)
    assert not check.allowed
    assert "longer than" in check.reason
    assert len(check.display) <= 120


@pytest.mark.parametrize(("name", "text"), HOSTILE, ids=[n for n, _ in HOSTILE])
def test_hostile_strings_never_pass_and_display_stays_inert(name: str, text: str) -> None:
    check = check_link("https://example.org/" + text)
    assert not set(check.display) & FORBIDDEN_AFTER_SANITIZE
    assert not set(check.url) & FORBIDDEN_AFTER_SANITIZE
    assert "\n" not in check.display
    if set(text) & FORBIDDEN_AFTER_SANITIZE:
        assert not check.allowed, "a link hiding control characters must be refused"
    elif check.allowed:  # what is opened is what was written, spaces encoded
        assert check.url == ("https://example.org/" + text).strip().replace(" ", "%20")
    else:  # whitespace other than spaces, or stray joiners: hidden, so refused
        assert "hidden or control characters" in check.reason


def test_markup_in_a_link_is_kept_as_literal_text() -> None:
    check = check_link("https://example.org/[@click=app.quit]quit[/]")
    assert check.allowed
    assert check.display == "https://example.org/[@click=app.quit]quit[/]"
