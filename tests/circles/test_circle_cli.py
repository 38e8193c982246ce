"""``storycircle circle``: two installations sharing a folder, from the command line."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import Cli
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR


def _installation(root: Path, name: str) -> Cli:
    home = root / name
    home.mkdir(mode=0o700)
    (home / "config.toml").write_text(f"work_factor = {TEST_WORK_FACTOR}\n")
    cli = Cli(home)
    assert cli("init", "--pseudonym", name, passphrases=(PASSPHRASE, PASSPHRASE)).returncode == 0
    return cli


def _ok(cli: Cli, *args: str, stdin: str | None = None) -> str:
    result = cli(*args, passphrases=(PASSPHRASE,), stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def test_two_installations_share_a_story_through_a_folder_and_a_removal_locks_out(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "synced"
    folder.mkdir()
    ash, birch = _installation(tmp_path, "ash"), _installation(tmp_path, "birch")
    card = _ok(birch, "circle", "card").strip()
    assert card.startswith("storycircle-card:v2:")
    _ok(ash, "circle", "create", "Across town", "--folder", str(folder))
    _ok(ash, "circle", "invite", "Across town", "--card", card)
    assert "1 new file applied" in _ok(birch, "circle", "open", str(folder))
    assert "invited" in _ok(birch, "circle", "list")
    _ok(birch, "circle", "accept", "Across town", "--as", "Willow")
    _ok(ash, "circle", "refresh")
    _ok(ash, "write", "Canary-73 walked home", "--tag", "hope")
    listed = _ok(ash, "list")
    story_id = listed.split()[0]
    shown = _ok(ash, "circle", "share", story_id, "Across town", "--yes")
    assert "Who will be able to read it: Willow" in shown
    assert "cannot be recalled" in shown
    _ok(birch, "circle", "refresh")
    rows = _ok(birch, "circle", "stories", "Across town")
    assert "Canary-73 walked home" in rows and "— ash" in rows
    assert "Canary-73" in _ok(birch, "circle", "read", rows.split()[0])
    # Without a terminal to confirm on, removing someone needs --yes.
    result = ash("circle", "remove", "Across town", "Willow", passphrases=(PASSPHRASE,))
    assert result.returncode == 1 and "add --yes to remove someone" in result.stderr
    assert "Willow" in _ok(ash, "circle", "list")
    # Ash removes Willow; Birch's machine forgets the circle on the next refresh.
    removed = _ok(ash, "circle", "remove", "Across town", "Willow", "--yes")
    assert "cannot be recalled" in removed and "Removed Willow" in removed
    told = _ok(birch, "circle", "refresh")
    farewell = "You are no longer in Across town. Stories you wrote stay in your journal."
    assert farewell in told.splitlines()
    assert "You are in no circle yet" in _ok(birch, "circle", "list")
    # Said once; and a refresh afterwards says plainly that there is no circle,
    # not that a circle lacks a folder.
    again = _ok(birch, "circle", "refresh")
    assert farewell not in again and "has a folder" not in again
    assert "You are in no circle now." in again


def test_bad_circle_input_gets_one_line_and_no_traceback(tmp_path: Path) -> None:
    ash = _installation(tmp_path, "ash")
    result = ash("circle", "invite", "Nowhere", "--card", "not a card", passphrases=(PASSPHRASE,))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    _ok(ash, "circle", "create", "Here")
    result = ash("circle", "invite", "Here", "--card", "not a card", passphrases=(PASSPHRASE,))
    assert "storycircle-card:" in result.stderr and result.returncode == 1
    result = ash("circle", "share", "0000000000000000", "Here", "--yes", passphrases=(PASSPHRASE,))
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_a_circle_travels_as_one_bundle_file_through_export_and_import(tmp_path: Path) -> None:
    ash, birch = _installation(tmp_path, "ash"), _installation(tmp_path, "birch")
    _ok(ash, "circle", "create", "By post")
    _ok(ash, "circle", "invite", "By post", "--card", _ok(birch, "circle", "card").strip())
    _ok(ash, "write", "# Sent in an envelope")
    # An id prefix is enough, as for `read`.
    _ok(ash, "circle", "share", _ok(ash, "list").split()[0][:6], "By post", "--yes")
    bundle = tmp_path / "by-post.circle"
    assert "Wrote 2 files" in _ok(ash, "circle", "export", "By post", str(bundle))
    assert "2 new files applied" in _ok(birch, "import", str(bundle))
    _ok(birch, "circle", "accept", "By post", "--as", "Willow")
    stories = _ok(birch, "circle", "stories", "By post")
    assert "Sent in an envelope" in stories
    # The title once, though the text opens with the same heading.
    shown = _ok(birch, "circle", "read", stories.split()[0])
    assert shown.count("Sent in an envelope") == 1


def test_leaving_asks_first_and_leaves_with_yes(tmp_path: Path) -> None:
    ash, birch = _installation(tmp_path, "ash"), _installation(tmp_path, "birch")
    _ok(ash, "circle", "create", "By post")
    _ok(ash, "circle", "invite", "By post", "--card", _ok(birch, "circle", "card").strip())
    bundle = tmp_path / "by-post.circle"
    _ok(ash, "circle", "export", "By post", str(bundle))
    _ok(birch, "import", str(bundle))
    _ok(birch, "circle", "accept", "By post", "--as", "Willow")
    result = birch("circle", "leave", "By post", passphrases=(PASSPHRASE,))
    assert result.returncode == 1 and "add --yes to leave" in result.stderr
    assert "By post" in _ok(birch, "circle", "list")
    assert "You left By post" in _ok(birch, "circle", "leave", "By post", "--yes")
    assert "You are in no circle yet" in _ok(birch, "circle", "list")
