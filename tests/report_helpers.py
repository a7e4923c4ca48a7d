"""Shared helpers for the CI reporter tests: real CLI runs on small Flyway projects."""

from __future__ import annotations

import json

from conftest import run_cli

# A small PostgreSQL project with an error, warnings and an unanalysed statement.
PROJECT = {
    "V1__init.sql": "CREATE TABLE users (id int PRIMARY KEY, last_name text);\n",
    "V2__drop.sql": "ALTER TABLE users DROP COLUMN last_name;\n",
    "V3__typo.sql": "CREATE TABLE t (id int);\nALTER TABLE t FOO BAR;\n",
}


def lint(root, *args, env=None, ok=(0, 1)):
    proc = run_cli(["lint", ".", "--dialect", "postgres", "--no-cache", *args], cwd=root, env=env)
    assert proc.returncode in ok, proc.stderr
    return proc


def findings_json(root, *args):
    return json.loads(lint(root, *args, "--format", "json").stdout)["findings"]


def runner_unescape_property(value: str) -> str:
    """What the Actions runner makes of a property value (ActionCommand.cs, in its order)."""
    for k, v in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(k, v)
    return value


def runner_unescape_data(value: str) -> str:
    for k, v in (("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        value = value.replace(k, v)
    return value


def parse_command(line: str):
    """Parse one workflow command line as the runner does: (command, properties, message)."""
    assert line.startswith("::")
    info, sep, data = line[2:].partition("::")
    assert sep, line
    command, _, props = info.partition(" ")
    properties = {}
    for pair in props.split(","):
        if pair:
            k, _, v = pair.partition("=")
            properties[k] = runner_unescape_property(v)
    return command, properties, runner_unescape_data(data)
