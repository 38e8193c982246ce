"""Two instances on one data folder: both write, nobody sees "database is locked",
and an edit made from a stale copy is kept as a separate version.

The instances are real processes (forked, each with its own connection), as
two people in two terminals of one account would run them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from storycircle.journal.journal import COPY_SUFFIX, Journal
from storycircle.journal.members import UnlockedMember
from storycircle.journal.preferences import Preferences, save_preferences
from storycircle.journal.reactions import Reactions
from storycircle.models import Draft
from storycircle.session.installation import open_installation
from storycircle.store import Store
from tests.reliability.harness import cli_env, fork, private_home, wait
from tests.support.people import PASSPHRASE, make_member

SAVES_EACH = 25


def _in_child(report: int, work: Callable[[], str]) -> Callable[[], None]:
    """Run ``work`` and write its result, or the error a person would see, to ``report``."""

    def run() -> None:
        try:
            result = work()
        except Exception as error:
            result = f"ERROR {type(error).__name__}: {error}"
        os.write(report, (result + "\n").encode())

    return run


def _gather(children: list[tuple[int, int]]) -> list[str]:
    results = []
    for pid, read_fd in children:
        with os.fdopen(read_fd, "rb") as stream:
            results.append(stream.read().decode().strip())
        assert wait(pid) == 0
    return results


def _start_together(works: list[Callable[[], str]]) -> list[str]:
    """Fork one child per work; release them at the same moment; return their reports."""
    go_read, go_write = os.pipe()
    children = []
    for work in works:
        read_fd, write_fd = os.pipe()

        def gated(work: Callable[[], str] = work) -> str:
            assert os.read(go_read, 1) == b"g"
            return work()

        pid = fork(_in_child(write_fd, gated))
        os.close(write_fd)
        children.append((pid, read_fd))
    os.write(go_write, b"g" * len(works))
    os.close(go_read)
    os.close(go_write)
    return _gather(children)


NEW_FOLDER_ROUNDS = 20


def test_two_instances_open_a_new_data_folder_at_the_same_moment(tmp_path: Path) -> None:
    # The race is narrow (creating the tables, switching to WAL): one round
    # missed it most of the time, twenty rounds of four caught it every time.
    for number in range(NEW_FOLDER_ROUNDS):
        home = tmp_path / f"home-{number}"

        def opener(home: Path = home) -> str:
            installation = open_installation(home)
            count = len(installation.store.members())
            installation.store.close()
            return f"ok {count}"

        assert _start_together([opener] * 4) == ["ok 0"] * 4, f"round {number}"
    store = Store.open(home / "storycircle.db")
    assert store.integrity_check() == []
    store.close()


def _busy_writer(path: Path, member: UnlockedMember, name: str) -> Callable[[], str]:
    def work() -> str:
        store = Store.open(path)
        journal = Journal(store, member)
        reactions = Reactions(store, member)
        for n in range(SAVES_EACH):
            journal.save_draft(Draft(id=f"{name}draft", title=name, body=f"draft {n}"))
            saved = journal.save(title=f"{name} {n}", body=f"Written by {name}, number {n}.")
            reactions.toggle(saved.story.id, "hope")
            save_preferences(store, member, Preferences(hidden_notes=(f"{name} {n}",)))
        store.close()
        return "ok"

    return work


def test_two_instances_write_at_once_and_nobody_sees_a_locked_database(tmp_path: Path) -> None:
    path = tmp_path / "storycircle.db"
    store = Store.open(path)
    member = make_member(store)
    store.close()

    reports = _start_together([_busy_writer(path, member, n) for n in ("left", "right")])

    assert reports == ["ok", "ok"], reports  # no error of any kind, "locked" or other
    store = Store.open(path)
    journal = Journal(store, member)
    titles = sorted(s.title for s in journal.summaries())
    assert titles == sorted(f"{n} {i}" for n in ("left", "right") for i in range(SAVES_EACH))
    assert len(store.reacting.counts("hope")) == 2 * SAVES_EACH
    assert {d.id for d in journal.drafts()} == {"leftdraft", "rightdraft"}
    assert store.integrity_check() == []
    store.close()


def test_an_edit_from_a_stale_copy_is_kept_as_a_separate_version(tmp_path: Path) -> None:
    path = tmp_path / "storycircle.db"
    store = Store.open(path)
    member = make_member(store)
    original = Journal(store, member).save(title="Walk", body="I walked.").story
    store.close()

    def editor(words: str) -> Callable[[], str]:
        # Both open version 1 before either saves: the second save starts stale.
        store = Store.open(path)
        opened = Journal(store, member).load(original.id)

        def work() -> str:
            journal = Journal(store, member)
            result = journal.save(
                title=opened.title,
                body=words,
                story_id=opened.id,
                base_version=opened.version,
            )
            store.close()
            return f"{result.kept_as_copy} {result.story.id}"

        return work

    reports = _start_together([editor("Edit from the left."), editor("Edit from the right.")])

    kept = sorted(r.split()[0] for r in reports)
    assert kept == ["False", "True"], reports  # one saved in place, one kept as a copy
    store = Store.open(path)
    journal = Journal(store, member)
    stories = {s.id: journal.load(s.id) for s in journal.summaries()}
    assert len(stories) == 2
    in_place = stories.pop(original.id)
    [copy] = stories.values()
    assert in_place.version == 2 and copy.version == 1
    assert {in_place.body, copy.body} == {"Edit from the left.", "Edit from the right."}
    assert copy.title == "Walk" + COPY_SUFFIX
    store.close()


def test_two_command_lines_writing_at_once_both_succeed(tmp_path: Path) -> None:
    home = private_home(tmp_path / "home")
    installation = open_installation(home)
    make_member(installation.store)
    installation.store.close()

    processes = []
    pipes = []
    for n in range(6):
        read_fd, write_fd = os.pipe()
        os.write(write_fd, (PASSPHRASE + "\n").encode())
        os.close(write_fd)
        pipes.append(read_fd)
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "storycircle",
                    "write",
                    f"Written at once {n}",
                    "--passphrase-fd",
                    str(read_fd),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=cli_env(home),
                pass_fds=(read_fd,),
            )
        )
    outcomes = [(p.wait(timeout=60), *p.communicate()) for p in processes]
    for fd in pipes:
        os.close(fd)
    for code, out, err in outcomes:
        assert code == 0 and "Saved" in out, (code, err)
        assert "locked" not in err.lower() and "busy" not in err.lower()
    store = Store.open(home / "storycircle.db")
    assert store.count_stories("journal") == 6
    store.close()
