"""Hybrid post-quantum interoperability with `age-encryption` from npm (TypeScript age).

The package is installed before the test run (the suite runs offline): `.ci/run`
does `npm install age-encryption` into a folder it names in
``STORYCIRCLE_NPM_AGE_DIR``. Outside CI the tests skip, with the reason, when
Node or that install is missing; under ``CI=true``, or when the variable names a
folder without the package, they fail instead, so a broken install can never
pass as a green run.

Secrets never go on a command line: the driver reads keys from files.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from storycircle.vault import (
    HybridIdentity,
    armor,
    decrypt,
    encrypt,
    parse_identity,
    parse_recipient,
)

from .agecli import write_private

SIZES = [0, 1, 65536, 200_000]
ENV_DIR = "STORYCIRCLE_NPM_AGE_DIR"

# A small ES module: one job (from a JSON file) per run. Inputs and outputs are files.
DRIVER = """
import { webcrypto } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// Node 18 (Debian 12's) has Web Crypto only as node:crypto's webcrypto, not as a global.
if (!globalThis.crypto?.getRandomValues) {
  Object.defineProperty(globalThis, "crypto", { value: webcrypto, configurable: true });
}
const [packageDir, jobPath] = process.argv.slice(2);
const entry = join(packageDir, "node_modules", "age-encryption", "dist", "index.js");
const age = await import(pathToFileURL(entry).href);
const job = JSON.parse(readFileSync(jobPath, "utf8"));
const text = (path) => readFileSync(path, "utf8").trim();

if (job.op === "encrypt") {
  const e = new age.Encrypter();
  e.addRecipient(text(job.recipient));
  const out = await e.encrypt(readFileSync(job.input));
  writeFileSync(job.output, job.armor ? age.armor.encode(out) : out);
} else if (job.op === "decrypt") {
  const d = new age.Decrypter();
  d.addIdentity(text(job.identity));
  let data = readFileSync(job.input);
  const head = data.subarray(0, 40).toString("latin1").trimStart();
  if (head.startsWith("-----BEGIN AGE ENCRYPTED FILE-----")) {
    data = age.armor.decode(data.toString("latin1"));
  }
  writeFileSync(job.output, await d.decrypt(data));
} else if (job.op === "generate") {
  const identity = await age.generateHybridIdentity();
  writeFileSync(job.identity, identity + "\\n", { mode: 0o600 });
  writeFileSync(job.recipient, (await age.identityToRecipient(identity)) + "\\n");
} else if (job.op === "recipient") {
  writeFileSync(job.recipient, (await age.identityToRecipient(text(job.identity))) + "\\n");
} else {
  throw new Error("unknown job");
}
"""


def _missing(reason: str, *, required: bool = False) -> None:
    if required or os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required here: .ci/run installs it)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def npm_age() -> tuple[str, Path]:
    """The node binary and the folder holding node_modules/age-encryption."""
    node = shutil.which("node")
    if node is None:
        _missing("Node.js is not installed")
    folder = os.environ.get(ENV_DIR)
    if not folder:
        _missing(f"{ENV_DIR} is not set (run `npm install age-encryption` into a folder first)")
    package = Path(str(folder)) / "node_modules" / "age-encryption" / "package.json"
    if not package.is_file():
        _missing(f"age-encryption is not installed under {ENV_DIR}={folder}", required=True)
    return str(node), Path(str(folder))


def run_node(npm_age: tuple[str, Path], tmp_path: Path, **job: Any) -> None:
    node, folder = npm_age
    driver = tmp_path / "driver.mjs"
    driver.write_text(DRIVER)
    job_file = tmp_path / "job.json"
    job_file.write_text(
        json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in job.items()})
    )
    done = subprocess.run(
        [node, str(driver), str(folder), str(job_file)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]


def plaintext_of(size: int) -> bytes:
    return random.Random(size).randbytes(size)


def armor_id(armored: bool) -> str:
    return "armored" if armored else "binary"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("armored", [False, True], ids=armor_id)
def test_ours_to_theirs(
    npm_age: tuple[str, Path], tmp_path: Path, armored: bool, size: int
) -> None:
    plaintext = plaintext_of(size)
    identity = HybridIdentity.generate()
    key = write_private(tmp_path / "key.txt", f"{identity}\n".encode())
    (tmp_path / "story.age").write_bytes(encrypt(plaintext, [identity.recipient], armor=armored))
    run_node(
        npm_age,
        tmp_path,
        op="decrypt",
        identity=key,
        input=tmp_path / "story.age",
        output=tmp_path / "story.txt",
    )
    assert (tmp_path / "story.txt").read_bytes() == plaintext


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("armored", [False, True], ids=armor_id)
def test_theirs_to_ours(
    npm_age: tuple[str, Path], tmp_path: Path, armored: bool, size: int
) -> None:
    plaintext = plaintext_of(size)
    identity = HybridIdentity.generate()
    (tmp_path / "recipient.txt").write_text(f"{identity.recipient}\n")
    (tmp_path / "story.txt").write_bytes(plaintext)
    run_node(
        npm_age,
        tmp_path,
        op="encrypt",
        recipient=tmp_path / "recipient.txt",
        input=tmp_path / "story.txt",
        output=tmp_path / "story.age",
        armor=armored,
    )
    encrypted = (tmp_path / "story.age").read_bytes()
    assert encrypted.startswith(b"-----BEGIN AGE" if armored else b"age-encryption.org/v1\n")
    binary = armor.decode(encrypted) if armored else encrypted
    assert b"\n-> mlkem768x25519 " in binary
    assert decrypt(encrypted, [identity]) == plaintext


def test_their_identity_opens_with_us(npm_age: tuple[str, Path], tmp_path: Path) -> None:
    key = tmp_path / "their-key.txt"
    run_node(npm_age, tmp_path, op="generate", identity=key, recipient=tmp_path / "their.pub")
    text = key.read_text().strip()
    assert text.startswith("AGE-SECRET-KEY-PQ-1")
    identity = parse_identity(text)
    their_recipient = parse_recipient((tmp_path / "their.pub").read_text())
    assert identity.recipient == their_recipient
    # A file they encrypt to their recipient opens with their identity, parsed by us.
    (tmp_path / "story.txt").write_bytes(b"from them")
    run_node(
        npm_age,
        tmp_path,
        op="encrypt",
        recipient=tmp_path / "their.pub",
        input=tmp_path / "story.txt",
        output=tmp_path / "story.age",
        armor=False,
    )
    assert decrypt((tmp_path / "story.age").read_bytes(), [identity]) == b"from them"


def test_our_identity_opens_with_them(npm_age: tuple[str, Path], tmp_path: Path) -> None:
    identity = HybridIdentity.generate()
    key = write_private(tmp_path / "our-key.txt", f"{identity}\n".encode())
    run_node(npm_age, tmp_path, op="recipient", identity=key, recipient=tmp_path / "derived.pub")
    assert (tmp_path / "derived.pub").read_text().strip() == str(identity.recipient)
    (tmp_path / "story.age").write_bytes(encrypt(b"from us", [identity.recipient]))
    run_node(
        npm_age,
        tmp_path,
        op="decrypt",
        identity=key,
        input=tmp_path / "story.age",
        output=tmp_path / "story.txt",
    )
    assert (tmp_path / "story.txt").read_bytes() == b"from us"
