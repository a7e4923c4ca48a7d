"""verify with a release of several migrations (`--since REF`): the deployed ones are applied
without measuring, the release is seeded once and measured."""

from __future__ import annotations

import subprocess
from dataclasses import fields

import pytest

from conftest import write_project
from verify_helpers import verify_json

from flylint.engine import Options


def _git(root, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root, check=True,
                   capture_output=True)


def test_release_since_ref_measures_only_the_release(tmp_path, pg_url):
    if "since" not in {f.name for f in fields(Options)}:
        pytest.skip("the engine of this branch has no --since (release support)")
    write_project(tmp_path, {
        "V1__init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name text);\n",
        "V2__more.sql": "ALTER TABLE users ADD COLUMN email text;\n",
    })
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "deployed")
    write_project(tmp_path, {
        "V3__idx.sql": "CREATE INDEX users_email_idx ON users (email);\n",
        "V4__nick.sql": "ALTER TABLE users ADD COLUMN nick text;\n",
    })
    code, doc, result = verify_json(tmp_path, pg_url, "--since", "HEAD")
    assert doc is not None, result.stderr
    assert sorted({t["path"] for t in doc["trace"]}) == ["V3__idx.sql", "V4__nick.sql"]
    seeded = [n for n in doc["verify"]["notes"] if "seeded" in n]
    assert seeded == ["before V3__idx.sql: seeded 1 row into users"]  # once, before the release
    assert {f["path"] for f in doc["findings"]} <= {"V3__idx.sql", "V4__nick.sql"}
