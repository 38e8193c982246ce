"""Export: Markdown, JSON, an HTML booklet and age bundles, inside one folder only."""

from __future__ import annotations

import html
import json
import stat
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml

import storycircle.transfer.exporting as exporting
from storycircle import vault
from storycircle.curated.collections import shipped_collections
from storycircle.errors import StorycircleError
from storycircle.journal.journal import Journal
from storycircle.sanitize import sanitize_line
from storycircle.store import Store
from storycircle.text.frontmatter import parse_document
from storycircle.transfer.booklet import BookletAbout, license_url
from storycircle.transfer.exporting import (
    ExportEntry,
    export_collection,
    export_journal,
    export_stories,
    render_html,
    slugify,
    unique_name,
)
from storycircle.transfer.importing import ImportClock, import_path
from tests.support.people import PASSPHRASE, FakeClock
from tests.vault.agecli import run_age, write_private

SCRIPT = "<script>alert(1)</script>"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def filled(journal: Journal) -> Journal:
    journal.save(
        title="The night I called",
        body="I called the line.\n\n- breathe\n- count\n\n**Still here.**",
        tags=["hope", "crisis-line"],
        content_notes=["suicidal thoughts"],
    )
    journal.save(title="../../etc/passwd", body="A title that looks like a path.")
    journal.save(
        title=f"Hostile {SCRIPT}", body=f"Body {SCRIPT} and ![pixel](http://tracker.example/p.png)"
    )
    return journal


def test_markdown_export_is_private_and_round_trips(
    tmp_path: Path, filled: Journal, store: Store
) -> None:
    dest = tmp_path / "export"
    report = export_journal(filled, "markdown", dest)
    assert report.stories == 3 and report.unreadable == ()
    assert sorted(report.files) == [
        "etc-passwd.md",
        "hostile-script-alert-1-script.md",
        "the-night-i-called.md",
    ]
    assert sorted(p.name for p in dest.iterdir()) == sorted(report.files)
    assert _mode(dest) == 0o700
    assert all(_mode(path) == 0o600 for path in dest.iterdir())
    assert not (tmp_path / "etc").exists()

    text = (dest / "the-night-i-called.md").read_text()
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] == "The night I called"
    assert front["tags"] == ["hope", "crisis-line"]
    assert front["content_notes"] == ["suicidal thoughts"]
    # A YAML timestamp, not a quoted string: the time of day orders a day's stories.
    assert isinstance(front["date"], datetime) and front["date"].tzinfo is not None
    assert "\ndate: 2026-03-01T" in text and '"2026-03-01' not in text

    # Through import into another journal of the same member: the same stories.
    other = Store.memory()
    try:
        other.add_member(filled.member.record)
        clock = ImportClock(FakeClock())
        restored = Journal(other, filled.member, clock=clock)
        assert len(import_path(dest, restored, clock=clock).imported) == 3
        original = {s.title: filled.load(s.id) for s in filled.summaries()}
        for summary in restored.summaries():
            back, before = restored.load(summary.id), original[summary.title]
            assert back.id == before.id
            assert back.created == before.created  # the date came back exactly
            assert (back.body, back.tags, back.content_notes) == (
                before.body,
                before.tags,
                before.content_notes,
            )
    finally:
        other.close()


def test_json_export(tmp_path: Path, filled: Journal) -> None:
    export_journal(filled, "json", tmp_path / "out")
    document = json.loads((tmp_path / "out" / "stories.json").read_text())
    assert document["format"] == "storycircle-stories" and document["version"] == 1
    stories = {s["title"]: s for s in document["stories"]}
    night = stories["The night I called"]
    assert night["tags"] == ["hope", "crisis-line"]
    assert night["content_notes"] == ["suicidal thoughts"]
    assert night["author"] == "river" and night["version"] == 1
    assert _mode(tmp_path / "out" / "stories.json") == 0o600


def test_html_booklet_runs_nothing_and_loads_nothing(tmp_path: Path, filled: Journal) -> None:
    export_journal(filled, "html", tmp_path / "out")
    page = (tmp_path / "out" / "stories.html").read_text()
    lowered = page.lower()
    assert "<script" not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in lowered and "src=" not in lowered and "<link" not in lowered
    assert "[image: pixel]" in page
    assert "content-security-policy" in lowered and "default-src 'none'" in page
    assert "<strong>Still here.</strong>" in page and "<li>breathe</li>" in page
    article = page[page.index("<h2>The night I called</h2>") :]
    assert article.index("Content notes:") < article.index("I called the line.")
    assert "suicidal thoughts" in article


def test_bundle_is_hybrid_by_default_and_opens_with_the_hybrid_key(
    tmp_path: Path, filled: Journal
) -> None:
    export_journal(filled, "bundle", tmp_path / "out")
    data = (tmp_path / "out" / "stories.age").read_bytes()
    assert b"\n-> mlkem768x25519 " in data
    assert b"\n-> X25519 " not in data
    assert filled.member.hybrid is not None
    with pytest.raises(vault.NoIdentityMatch):
        vault.decrypt(data, [filled.member.identity])
    plain = vault.decrypt(data, [filled.member.hybrid])
    assert len(json.loads(plain)["stories"]) == 3


def test_bundle_opens_with_age_and_identity(tmp_path: Path, filled: Journal) -> None:
    # Debian's age 1.1.1 predates hybrid keys: the classic-key bundle is for it.
    export_journal(filled, "bundle", tmp_path / "out", classic_key=True)
    bundle = tmp_path / "out" / "stories.age"
    assert bundle.read_bytes().startswith(b"age-encryption.org/v1\n")
    assert b"night I called" not in bundle.read_bytes()
    key = write_private(tmp_path / "key.txt", str(filled.member.identity).encode() + b"\n")
    plain = tmp_path / "plain.json"
    run_age(["-d", "-i", str(key), str(bundle)], stdout=plain)
    titles = {s["title"] for s in json.loads(plain.read_text())["stories"]}
    assert titles == {s.title for s in filled.summaries()}


def test_armored_passphrase_bundle_opens_with_age(tmp_path: Path, filled: Journal) -> None:
    export_journal(
        filled, "bundle", tmp_path / "out", armor=True, passphrase=PASSPHRASE, work_factor=10
    )
    bundle = tmp_path / "out" / "stories.age"
    assert bundle.read_bytes().startswith(b"-----BEGIN AGE ENCRYPTED FILE-----")
    plain = tmp_path / "plain.json"
    run_age(["-d", str(bundle)], passphrase=PASSPHRASE, stdout=plain)
    assert len(json.loads(plain.read_text())["stories"]) == 3
    with pytest.raises(StorycircleError, match="passphrase"):
        export_journal(filled, "bundle", tmp_path / "weak", passphrase="abc")
    assert not (tmp_path / "weak").exists()


def test_export_only_into_a_new_or_empty_folder(tmp_path: Path, filled: Journal) -> None:
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    with pytest.raises(StorycircleError, match="not empty"):
        export_journal(filled, "markdown", busy)
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]
    with pytest.raises(StorycircleError, match="is a file"):
        export_journal(filled, "json", busy / "keep.txt")
    (tmp_path / "link").symlink_to(tmp_path / "empty", target_is_directory=True)
    (tmp_path / "empty").mkdir()
    with pytest.raises(StorycircleError, match="symbolic link"):
        export_journal(filled, "json", tmp_path / "link")
    assert list((tmp_path / "empty").iterdir()) == []
    with pytest.raises(StorycircleError, match="unknown export format"):
        export_journal(filled, "pdf", tmp_path / "pdf")
    export_journal(filled, "json", tmp_path / "empty")
    assert [p.name for p in (tmp_path / "empty").iterdir()] == ["stories.json"]


def test_a_failed_export_leaves_nothing_behind(
    tmp_path: Path, filled: Journal, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def failing(entry: ExportEntry) -> str:
        calls.append(entry)
        if len(calls) == 2:
            raise OSError("disk full")
        return "x"

    monkeypatch.setattr(exporting, "story_markdown", failing)
    with pytest.raises(OSError, match="disk full"):
        export_journal(filled, "markdown", tmp_path / "half")
    assert not (tmp_path / "half").exists()


def test_file_names_are_slugs_never_raw_titles() -> None:
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("Ｃafé  déjà—vu!") == "cafe-deja-vu"
    assert slugify("🌱🌱") == "story"
    assert slugify("CON") == "con-story"
    assert slugify(".hidden") == "hidden"
    assert len(slugify("word " * 100)) <= 60
    used: set[str] = set()
    assert [unique_name(s, used) for s in ("same", "Same", "same")] == [
        "same.md",
        "Same-2.md",
        "same-3.md",
    ]


def test_writing_a_name_with_a_separator_is_refused(tmp_path: Path) -> None:
    with exporting.OutputFolder(tmp_path / "out") as out, pytest.raises(StorycircleError):
        out.write("../escape.txt", b"x")
    assert not (tmp_path / "escape.txt").exists()


def test_collection_export_is_public_and_keeps_notes(tmp_path: Path) -> None:
    collection = shipped_collections().collections[0]
    report = export_collection(collection, "markdown", tmp_path / "col")
    assert len(report.files) == len(collection.stories)
    assert all(_mode(p) == 0o644 for p in (tmp_path / "col").iterdir())
    export_collection(collection, "html", tmp_path / "booklet")
    page = (tmp_path / "booklet" / "stories.html").read_text()
    assert f"<h1>{collection.title}</h1>" in page
    assert page.count("<article id=") == len(collection.stories)
    noted = [s for c in shipped_collections().collections for s in c.stories if s.content_notes]
    assert noted, "some shipped story carries a content note"
    entries = [ExportEntry.from_collection_story(noted[0])]
    export_stories(entries, "html", tmp_path / "noted", private=False)
    assert noted[0].content_notes[0] in (tmp_path / "noted" / "stories.html").read_text()


@pytest.mark.parametrize(
    "title",
    [
        'a "quoted" \\ title: # not a comment',
        "no",
        "2024-01-01",
        "- starts like a list",
        "&anchor *alias !tag %directive",
        "emoji 🌱 and ünïcödé",
        "del\x7fchar",
        "line\u2028separator",
    ],
)
def test_front_matter_survives_any_title(title: str) -> None:
    entry = ExportEntry(
        id="0123456789abcdef",
        version=4,
        title=title,
        body="Body.",
        tags=("hope",),
        content_notes=(title,),
        created="2026-03-01T09:00:00+00:00",
    )
    text = exporting.story_markdown(entry)
    # The YAML holds the title exactly; reading it back sanitizes it as usual.
    assert yaml.safe_load(text.split("---\n")[1])["title"] == title
    doc = parse_document(text.encode("utf-8"))
    assert (doc.title, doc.content_notes) == (sanitize_line(title), (sanitize_line(title),))
    assert (doc.story_id, doc.version, doc.tags, doc.body) == (
        "0123456789abcdef",
        4,
        ("hope",),
        "Body.",
    )


def test_a_collection_booklet_carries_attribution_consent_and_contents(tmp_path: Path) -> None:
    collection = shipped_collections().collections[0]
    export_collection(collection, "html", tmp_path / "booklet")
    page = (tmp_path / "booklet" / "stories.html").read_text()
    about = page[page.index('<section class="about">') : page.index("</section>")]
    assert html.escape(collection.description) in about
    assert f"Curated by {html.escape(collection.curator)}." in about
    assert 'href="https://creativecommons.org/licenses/by-sa/4.0/"' in about
    assert collection.license in about and html.escape(collection.consent) in about
    contents = page[page.index('<nav class="contents">') : page.index("</nav>")]
    for number, story in enumerate(collection.stories, start=1):
        assert f'<a href="#story-{number}">{html.escape(story.title)}</a>' in contents
        assert f'<article id="story-{number}">\n<h2>{html.escape(story.title)}</h2>' in page
    noted = next(s for s in collection.stories if s.content_notes)
    assert f"(content notes: {html.escape(', '.join(noted.content_notes))})" in contents
    assert page.index("</nav>") < page.index("<article")


def test_booklet_front_matter_is_escaped(tmp_path: Path) -> None:
    hostile = '<script>alert(1)</script>"'
    entries = [ExportEntry(id="", version=1, title=hostile, body="x", content_notes=(hostile,))]
    about = BookletAbout(hostile, hostile, "CC BY 4.0 <b>", hostile)
    page = render_html(entries, "t", about)
    assert "<script" not in page and "<b>" not in page
    assert license_url("CC BY-NC-SA 4.0") == "https://creativecommons.org/licenses/by-nc-sa/4.0/"
    assert license_url("All rights reserved") == ""


def test_a_day_only_date_is_written_as_a_yaml_date(tmp_path: Path) -> None:
    collection = shipped_collections().collections[0]
    export_collection(collection, "markdown", tmp_path / "col")
    text = next((tmp_path / "col").iterdir()).read_text()
    front = yaml.safe_load(text.split("---\n")[1])
    assert type(front["date"]) is date
    assert parse_document(text.encode()).date == front["date"].isoformat()
