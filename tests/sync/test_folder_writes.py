"""How circle files are written into a folder that a sync engine watches."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from storycircle.circles import folder as circle_folder

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

    monkeypatch.setattr(circle_folder.os, "replace", recording_replace)
    marked: list[bytes] = []

    class Rows:
        """Records which files this machine wrote, as the circle store does."""

        def mark_file(self, circle_id: str, digest: bytes) -> None:
            marked.append(digest)

    name = circle_folder.write_file(Rows(), "c" * 16, str(tmp_path), "story", b"data")  # type: ignore[arg-type]
    [(source, target)] = moves
    assert SYNCTHING_TEMPORARY.match(source), source
    assert target == name and (tmp_path / name).read_bytes() == b"data"
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert len(marked) == 1
