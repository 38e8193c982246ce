"""Curated collections: the shipped ones, loading, signing, consent and assembly."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from storycircle.curated.collections import (
    CollectionMeta,
    assemble_collection,
    collection_consents,
    curator_key,
    load_collection,
    load_collections,
    set_collection_consent,
    shipped_collections,
    shipped_folder,
    sign_collection,
    user_collections,
)
from storycircle.errors import StorycircleError
from storycircle.journal.journal import Journal
from storycircle.journal.members import UnlockedMember
from storycircle.models import COLLECTION_SCOPE_PREFIX
from storycircle.store import Store
from storycircle.tagging.tags import canonical_tags
from tests.support.people import make_member

META = CollectionMeta(
    title='Small "wins"',
    curator="river",
    description="Stories about a first good week.\\ Backslash and ünïcode too.",
    license="CC BY-SA 4.0",
    consent="The authors agreed to share these stories in peer groups.",
)


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    folder = shipped_folder()
    assert folder is not None
    target = tmp_path / "first-light"
    shutil.copytree(folder / "first-light", target)
    # An unsigned copy: the tests below sign it with keys of their own.
    (target / "manifest.json").unlink()
    (target / "manifest.sig").unlink()
    config = target / "collection.toml"
    kept = [t for t in config.read_text().splitlines() if not t.startswith("curator_key")]
    config.write_text("\n".join(kept) + "\n")
    return target


def test_every_shipped_story_loads() -> None:
    report = shipped_collections()
    assert report.skipped == ()
    assert len(report.collections) >= 2
    stories = [story for c in report.collections for story in c.stories]
    assert len(stories) >= 30
    assert len({story.id for story in stories}) == len(stories)
    for collection in report.collections:
        assert collection.title and collection.curator and collection.license
        assert collection.consent and collection.signature is True
        for story in collection.stories:
            assert story.id == f"{collection.slug}/{story.id.split('/')[1]}"
            assert story.tags and canonical_tags(story.tags) == story.tags, story.id
            assert 250 <= len(story.body.split()) <= 900, story.id
            assert story.title and story.author and story.date[:2] == "20"
            assert story.as_summary().scope == COLLECTION_SCOPE_PREFIX + collection.slug


def test_shipped_collections_are_cached() -> None:
    assert shipped_collections() is shipped_collections()


def test_a_bad_story_is_skipped_and_the_rest_load(copied: Path) -> None:
    count = len(load_collection(copied)[0].stories)
    (copied / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody")
    (copied / "hostile.md").write_text("---\ntitle: !!python/object/apply:os.system [id]\n---\nx")
    (copied / "too-many-tags.md").write_text(
        "---\ntitle: Tags\ntags: [" + ", ".join(f"t{i}" for i in range(40)) + "]\n---\nbody"
    )
    (copied / "link.md").symlink_to("/etc/passwd")
    collection, skipped = load_collection(copied)
    assert len(collection.stories) == count
    reasons = {item.name.split("/")[1]: item.reason for item in skipped}
    assert set(reasons) == {"broken.md", "hostile.md", "too-many-tags.md", "link.md"}
    assert "not valid YAML" in reasons["broken.md"]
    assert "not accepted" in reasons["hostile.md"]
    assert "at most 32 tags" in reasons["too-many-tags.md"]
    assert "symbolic link" in reasons["link.md"]


def test_a_collection_without_usable_config_is_skipped(tmp_path: Path, copied: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "collection.toml").write_text('title = "No consent"\ncurator = "x"\n')
    report = load_collections(tmp_path)
    assert [c.slug for c in report.collections] == ["first-light"]
    assert [(s.name, s.reason) for s in report.skipped] == [
        ("broken", "collection.toml: license is missing")
    ]


def test_user_collections_live_in_the_data_folder(tmp_path: Path, copied: Path) -> None:
    root = tmp_path / "data" / "collections"
    shutil.copytree(copied, root / "my-own")
    shutil.copytree(copied, root / "first-light")  # a shipped name: refused
    report = user_collections(tmp_path / "data")
    assert [c.slug for c in report.collections] == ["my-own"]
    assert report.collections[0].stories[0].id.startswith("my-own/")
    assert [s.name for s in report.skipped] == ["first-light"]
    assert user_collections(tmp_path / "nowhere").collections == ()


def test_signing_verifies_and_detects_changes(copied: Path, member: UnlockedMember) -> None:
    assert load_collection(copied)[0].signature is None
    signed = sign_collection(copied, member.signing_key, "river")
    assert signed.signature is True
    assert signed.curator == "river"
    config = tomllib.loads((copied / "collection.toml").read_text())
    assert config["curator_key"] == curator_key(copied)
    assert (copied / "manifest.json").exists() and (copied / "manifest.sig").exists()

    story = sorted(copied.glob("*.md"))[0]
    story.write_text(story.read_text().replace("I ", "We ", 1))
    changed = load_collection(copied)[0]
    assert changed.signature is False
    assert len(changed.stories) == len(signed.stories)  # still readable

    assert sign_collection(copied, member.signing_key, "river").signature is True
    (copied / "added.md").write_text("---\ntitle: Added later\n---\nNew text.")
    assert load_collection(copied)[0].signature is False
    (copied / "added.md").unlink()
    assert load_collection(copied)[0].signature is True
    (copied / "manifest.sig").unlink()
    assert load_collection(copied)[0].signature is False


def test_a_signature_by_another_key_does_not_hold(
    copied: Path, member: UnlockedMember, store: Store
) -> None:
    other = make_member(store, "lake")
    sign_collection(copied, member.signing_key, "river")
    real_config = (copied / "collection.toml").read_bytes()
    sign_collection(copied, other.signing_key, "lake")
    # A forged signature file next to the original curator's key.
    (copied / "collection.toml").write_bytes(real_config)
    assert load_collection(copied)[0].signature is False


def test_consent_is_encrypted_and_withdrawable(
    tmp_path: Path, member: UnlockedMember, store: Store
) -> None:
    assert collection_consents(tmp_path, member) == set()
    set_collection_consent(tmp_path, member, "0123456789abcdef", True)
    set_collection_consent(tmp_path, member, "fedcba9876543210", True)
    assert collection_consents(tmp_path, member) == {"0123456789abcdef", "fedcba9876543210"}
    files = list(tmp_path.iterdir())
    assert [f.name for f in files] == [f"consents-{member.id}.age"]
    assert b"0123456789abcdef" not in files[0].read_bytes()
    assert files[0].stat().st_mode & 0o077 == 0
    set_collection_consent(tmp_path, member, "0123456789abcdef", False)
    assert collection_consents(tmp_path, member) == {"fedcba9876543210"}
    other = make_member(store, "lake")
    assert collection_consents(tmp_path, other) == set()  # each member has their own list
    (tmp_path / f"consents-{other.id}.age").write_bytes(files[0].read_bytes())
    with pytest.raises(StorycircleError, match="damaged"):
        collection_consents(tmp_path, other)
    with pytest.raises(StorycircleError, match="not a story id"):
        set_collection_consent(tmp_path, member, "../x", True)


def test_assembly_needs_consent_for_every_story(tmp_path: Path, journal: Journal) -> None:
    first = journal.save(title="Week one", body="Seven days.", tags=["hope"]).story
    second = journal.save(title="../../etc/passwd", body="Not a path.", tags=["sleep"]).story
    set_collection_consent(tmp_path, journal.member, first.id, True)
    target = tmp_path / "out" / "small-wins"
    with pytest.raises(StorycircleError, match="1 of these stories has no consent"):
        assemble_collection(journal, [first.id, second.id], META, target, data_folder=tmp_path)
    assert not target.exists()

    set_collection_consent(tmp_path, journal.member, second.id, True)
    collection = assemble_collection(
        journal, [first.id, second.id], META, target, data_folder=tmp_path
    )
    assert sorted(p.name for p in target.iterdir()) == [
        "001-week-one.md",
        "002-etc-passwd.md",
        "collection.toml",
    ]
    assert collection.title == META.title and collection.description == META.description
    assert [s.title for s in collection.stories] == ["Week one", "../../etc/passwd"]
    assert {s.author for s in collection.stories} == {"river"}
    assert collection.stories[0].date == first.created[:10]
    assert first.id not in (target / "001-week-one.md").read_text()  # no journal ids leak
    assert sign_collection(target, journal.member.signing_key, "river").signature is True

    set_collection_consent(tmp_path, journal.member, second.id, False)
    with pytest.raises(StorycircleError, match="no consent"):
        assemble_collection(journal, [second.id], META, tmp_path / "again", data_folder=tmp_path)
