"""Circle files in a folder that a sync engine carries: how they are written and tidied."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from storycircle.circles import folder as circle_folder
from storycircle.circles.tidy import tidy_folder

# Syncthing never scans its own temporaries: ``.syncthing.<anything>.tmp``.
SYNCTHING_TEMPORARY = re.compile(r"^\.syncthing\..+\.tmp$")


def test_a_circle_file_is_written_under_a_name_sync_engines_skip_then_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moves: list[tuple[str, str]] = []
    real_replace = os.replace

    def recording_replace(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        moves.append((Path(source).name, Path(target).name))
        real_replace(source, target)

    # The folder module calls os.replace: it imports the same os module as this test.
    monkeypatch.setattr(os, "replace", recording_replace)
    marked: list[bytes] = []

    class Rows:
        """Records which files this machine wrote, as the circle store does."""

        def mark_file(self, circle_id: str, digest: bytes) -> None:
            marked.append(digest)

        def set_seen(self, digest: bytes, outcome: str) -> None:
            assert outcome == "applied"

    name = circle_folder.write_file(Rows(), "c" * 16, str(tmp_path), "story", b"data")  # type: ignore[arg-type]
    [(source, target)] = moves
    assert SYNCTHING_TEMPORARY.match(source), source
    assert target == name and (tmp_path / name).read_bytes() == b"data"
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert len(marked) == 1


def _conflict_name(name: str) -> str:
    stem, ext = name.rsplit(".", 1)
    return f"{stem}.sync-conflict-20261204-101500-ABCDEFG.{ext}"


def test_tidy_removes_only_exact_duplicates_and_keeps_every_other_copy(tmp_path: Path) -> None:
    good = b"age file as written"
    original = circle_folder.file_name("story", good)
    (tmp_path / original).write_bytes(good)
    # An exact duplicate (adds nothing), and a copy with other bytes (may be the good one).
    (tmp_path / _conflict_name(original)).write_bytes(good)
    second = circle_folder.file_name("roster", b"r")
    (tmp_path / second).write_bytes(b"r damaged on disk")
    (tmp_path / _conflict_name(second)).write_bytes(b"r")
    (tmp_path / "notes.sync-conflict-20261204-101500-ABCDEFG.txt").write_text("mine")

    before = sorted(os.listdir(tmp_path))
    planned = tidy_folder(str(tmp_path), dry_run=True)
    assert sorted(os.listdir(tmp_path)) == before  # a dry run changes nothing
    report = tidy_folder(str(tmp_path))
    assert (report.removed, report.renamed, report.left) == (
        planned.removed,
        planned.renamed,
        planned.left,
    )
    assert report.removed == [_conflict_name(original)]
    # The damaged file moves under its own content's name; the copy takes the
    # name it was written under. Every distinct content is still there.
    assert sorted(report.renamed) == sorted(
        [
            (second, circle_folder.file_name("roster", b"r damaged on disk")),
            (_conflict_name(second), second),
        ]
    )
    assert report.left == [("notes.sync-conflict-20261204-101500-ABCDEFG.txt", "not a circle file")]
    contents = sorted((tmp_path / n).read_bytes() for n in os.listdir(tmp_path))
    assert contents == sorted([good, b"r", b"r damaged on disk", b"mine"])
    assert tidy_folder(str(tmp_path)).summary() == "1 left as it is."


def test_a_refresh_names_a_conflict_copy_for_what_it_is(tmp_path: Path) -> None:
    report = circle_folder.FolderReport()
    name = _conflict_name(circle_folder.file_name("story", b"x"))
    (tmp_path / name).write_bytes(b"x")
    assert list(circle_folder.folder_files(str(tmp_path), report)) == []
    [(refused, reason)] = report.refused
    assert refused == name and "conflict copy Syncthing made" in reason and "tidy" in reason
