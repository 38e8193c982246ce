"""The import, export and collections verbs, run in a separate process as a person would."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from storycircle.cli.transfer import TerminalProgress
from storycircle.curated.collections import shipped_folder, sign_collection
from storycircle.curated.curators import fingerprint
from tests.support.cli import Cli
from tests.support.people import PASSPHRASE, TEST_WORK_FACTOR

BUNDLE_PASSPHRASE = "lantern harbour violet ninety"


def _home(root: Path) -> Cli:
    root.mkdir(mode=0o700)
    (root / "config.toml").write_text(f"work_factor = {TEST_WORK_FACTOR}\n")
    return Cli(root)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    runner = _home(tmp_path / "home")
    assert runner("init", "--pseudonym", "river", passphrases=(PASSPHRASE,)).returncode == 0
    return runner


@pytest.fixture
def other(tmp_path: Path) -> Cli:
    runner = _home(tmp_path / "other")
    assert runner("init", "--pseudonym", "lake", passphrases=(PASSPHRASE,)).returncode == 0
    return runner


def _ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return result


def _fails(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("storycircle: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def _write_story(cli: Cli, title: str, tag: str) -> None:
    _ok(
        cli(
            "write",
            "--title",
            title,
            "--tag",
            tag,
            passphrases=(PASSPHRASE,),
            stdin="Body of " + title,
        )
    )


def test_markdown_export_then_import_elsewhere(cli: Cli, other: Cli, tmp_path: Path) -> None:
    _write_story(cli, "First week", "hope")
    _write_story(cli, "../../etc/passwd", "sleep")
    dest = tmp_path / "export"
    out = _ok(cli("export", "markdown", str(dest), passphrases=(PASSPHRASE,)))
    assert out.stdout == f"Exported 2 stories to {dest} (2 files).\n"
    assert sorted(p.name for p in dest.iterdir()) == ["etc-passwd.md", "first-week.md"]
    assert "\r" not in out.stderr  # no progress counter without a terminal

    imported = _ok(other("import", str(dest), passphrases=(PASSPHRASE,)))
    assert imported.stdout == "Imported 2 stories from a Markdown folder.\n"
    listing = _ok(other("list", passphrases=(PASSPHRASE,))).stdout
    assert "First week" in listing and "#hope" in listing and "../../etc/passwd" in listing
    again = _ok(other("import", str(dest), passphrases=(PASSPHRASE,)))
    assert (
        again.stdout == "Imported 0 stories from a Markdown folder (2 already in your journal).\n"
    )


def test_passphrase_bundle_reads_the_second_line(cli: Cli, other: Cli, tmp_path: Path) -> None:
    _write_story(cli, "For my sponsor", "sponsor")
    dest = tmp_path / "bundle"
    _ok(
        cli(
            "export",
            "bundle",
            str(dest),
            "--passphrase-bundle",
            "--armor",
            passphrases=(PASSPHRASE, BUNDLE_PASSPHRASE),
        )
    )
    bundle = dest / "stories.age"
    assert bundle.read_text().startswith("-----BEGIN AGE ENCRYPTED FILE-----")
    _fails(other("import", str(bundle), passphrases=(PASSPHRASE,)), "no passphrase")
    _fails(
        other("import", str(bundle), passphrases=(PASSPHRASE, "wrong words here now")),
        "does not open",
    )
    result = _ok(other("import", str(bundle), passphrases=(PASSPHRASE, BUNDLE_PASSPHRASE)))
    assert result.stdout == "Imported 1 story from a storycircle bundle.\n"


def test_own_bundle_reimports_as_already_present(cli: Cli, tmp_path: Path) -> None:
    _write_story(cli, "Kept safe", "hope")
    _ok(cli("export", "bundle", str(tmp_path / "b"), passphrases=(PASSPHRASE,)))
    result = _ok(cli("import", str(tmp_path / "b" / "stories.age"), passphrases=(PASSPHRASE,)))
    assert "Imported 0 stories" in result.stdout and "1 already in your journal" in result.stdout


def test_import_reports_each_skipped_file(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "good.md").write_text("---\ntitle: Good\n---\nFine.")
    (folder / "evil.md").write_text("---\ntitle: !!python/object/apply:os.system [id]\n---\n")
    (folder / "latin.md").write_bytes("caf\xe9".encode("latin-1"))
    (folder / "passwd.md").symlink_to("/etc/passwd")
    result = _ok(cli("import", str(folder), passphrases=(PASSPHRASE,)))
    assert result.stdout == "Imported 1 story from a Markdown folder (3 skipped).\n"
    lines = result.stderr.splitlines()
    assert len(lines) == 3 and all(line.startswith("storycircle: skipped ") for line in lines)
    assert "root:" not in result.stderr + result.stdout


def test_jrnl_export_through_the_cli(cli: Cli, tmp_path: Path) -> None:
    jrnl = {
        "tags": {"@work": 1},
        "entries": [
            {
                "title": "Back.",
                "body": "At work.",
                "date": "2023-05-02",
                "time": "08:30",
                "tags": ["@work"],
                "starred": False,
            },
        ],
    }
    path = tmp_path / "jrnl.json"
    path.write_text(json.dumps(jrnl))
    assert "from a jrnl export" in _ok(cli("import", str(path), passphrases=(PASSPHRASE,))).stdout
    listing = _ok(cli("list", passphrases=(PASSPHRASE,))).stdout
    assert listing.split()[1] == "2023-05-02" and "#work" in listing


def test_export_refusals_are_one_line(cli: Cli, tmp_path: Path) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    _fails(cli("export", "json", str(busy), passphrases=(PASSPHRASE,)), "not empty")
    _fails(cli("export", "json", str(tmp_path / "j"), "--armor"), "only apply to a bundle")
    _fails(cli("import", str(tmp_path / "missing"), passphrases=(PASSPHRASE,)), "no file or folder")
    _fails(cli("export", "html", str(tmp_path / "h"), "--collection", "nope"), "no collection nope")
    result = cli("export", "pdf", str(tmp_path / "p"))
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_collection_export_needs_no_passphrase(cli: Cli, tmp_path: Path) -> None:
    dest = tmp_path / "booklet"
    result = _ok(cli("export", "html", str(dest), "--collection", "first-light"))
    assert result.stdout.startswith("Exported 12 stories to ")
    page = (dest / "stories.html").read_text()
    assert "<h1>First Light</h1>" in page and "<script" not in page


def test_collections_lists_counts_and_signatures(cli: Cli) -> None:
    result = _ok(cli("collections"))
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(
        "first-light: First Light - 12 stories, verified, signed by the storycircle project key "
        "08E0 F0BF F550 D9A7 9EA0 (shipped, curated"
    )

    folder = shipped_folder()
    assert folder is not None
    mine = cli.home / "collections" / "mine"
    shutil.copytree(folder / "the-way-back", mine)
    key = fingerprint(sign_collection(mine, Ed25519PrivateKey.generate(), "river").curator_key)
    signed = _ok(cli("collections")).stdout.splitlines()
    assert signed[-1] == (
        f"mine: The Way Back - 11 stories, verified, curator key {key} (first seen, remembered) "
        "(yours, curated by river)"
    )
    assert f"curator key {key} (known)" in _ok(cli("collections")).stdout
    story = sorted(mine.glob("*.md"))[0]
    story.write_text(story.read_text() + "\nOne more line.\n")
    assert "signature does not match" in _ok(cli("collections")).stdout
    other = fingerprint(sign_collection(mine, Ed25519PrivateKey.generate(), "river").curator_key)
    assert f"CURATOR KEY CHANGED: river signed with {key} before, this is signed with {other}" in (
        _ok(cli("collections")).stdout
    )
    assert "is now taken" in _ok(cli("collections", "--accept-key", "mine")).stdout
    assert f"curator key {other} (known)" in _ok(cli("collections")).stdout


def test_verbs_have_help() -> None:
    cli = Cli(Path("/nonexistent"))
    for verb, words in (("import", "jrnl"), ("export", "--passphrase-bundle"), ("collections", "")):
        result = cli(verb, "--help")
        assert result.returncode == 0 and words in result.stdout


class _FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_terminals_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    terminal = _FakeTerminal()
    progress = TerminalProgress("imported", terminal)
    progress(0, 3)
    progress(3, 3)
    progress.finish()
    assert terminal.getvalue() == (
        "\rimported [" + "-" * 40 + "] 0/3\rimported [" + "#" * 40 + "] 3/3\n"
    )
    piped = io.StringIO()
    quiet = TerminalProgress("imported", piped)
    quiet(3, 3)
    quiet.finish()
    assert piped.getvalue() == ""


@pytest.mark.parametrize(
    ("flag", "stanza"), [((), b"mlkem768x25519"), (("--classic-key",), b"X25519")]
)
def test_own_bundle_is_hybrid_unless_classic_key_is_asked(
    cli: Cli, tmp_path: Path, flag: tuple[str, ...], stanza: bytes
) -> None:
    _write_story(cli, "For later", "later")
    dest = tmp_path / "bundle"
    _ok(cli("export", "bundle", str(dest), *flag, passphrases=(PASSPHRASE,)))
    header = (dest / "stories.age").read_bytes().split(b"\n---", 1)[0]
    assert [line.split()[1] for line in header.splitlines()[1:] if line.startswith(b"-> ")] == [
        stanza
    ]
    result = _ok(cli("import", str(dest / "stories.age"), passphrases=(PASSPHRASE,)))
    assert "already" in result.stdout


def test_classic_key_only_applies_to_a_bundle(cli: Cli, tmp_path: Path) -> None:
    _fails(
        cli("export", "markdown", str(tmp_path / "md"), "--classic-key", passphrases=(PASSPHRASE,)),
        "only apply to a bundle",
    )
