"""The JSON output contract (docs/output.md). Version 1: fields are only ever added."""

from __future__ import annotations

import json
from typing import TextIO

from flylint import __version__
from flylint.report import ReportOptions, migration_entry, migration_summaries, summary

CONTRACT_VERSION = 1


def document(result, options: ReportOptions | None = None) -> dict:
    migrations = [migration_entry(fa, counts, phase, contracts)
                  for fa, (counts, phase, contracts) in zip(result.files, migration_summaries(result))]
    doc = {
        "version": CONTRACT_VERSION,
        "tool": {"name": "flylint", "version": __version__},
        "dialect": result.dialect,
        "db_version": result.db_version,
        "findings": [f.to_json() for f in result.findings],
        "migrations": migrations,
        "summary": summary(result, migrations),
        "release": release.to_json() if (release := getattr(result, "release", None)) is not None else None,
        "app_source": app.to_json() if (app := getattr(result, "app", None)) is not None else None,
    }
    if options is not None and options.baseline is not None:
        from flylint.baseline import to_json

        doc["baseline"] = to_json(options.baseline)
    return doc


def render(result, out: TextIO, options: ReportOptions) -> None:
    out.write(dumps(document(result, options)))  # one write: much faster
    out.write("\n")


def dumps(doc: object) -> str:
    """`json.dumps(doc, indent=2, ensure_ascii=False)`, twice as fast for flylint's documents
    (dicts, lists, strings, ints, booleans, None): the standard encoder's indented form runs in
    pure Python, generator by generator. Anything else (a float, a non-string key) falls back to it."""
    out: list[str] = []
    try:
        _emit(doc, out.append, "\n")
    except _Unsupported:
        return json.dumps(doc, indent=2, ensure_ascii=False)
    return "".join(out)


class _Unsupported(Exception):
    pass


_string = json.encoder.c_encode_basestring or json.encoder.py_encode_basestring
_int = int.__repr__
_SCALARS = frozenset({str, int, bool, type(None)})
_FLAT: dict[str, object] = {}  # indentation -> the encoder of flat dicts at that depth


def _flat_encoder(item_separator: str):
    """A function writing a dict of scalars with this item separator, as json.dumps would."""
    make = json.encoder.c_make_encoder
    if make is None:  # no C accelerator: the standard encoder, same text
        return json.JSONEncoder(ensure_ascii=False, separators=(item_separator, ": ")).encode
    # (markers, default, encoder, indent, key_separator, item_separator, sort_keys, skipkeys, allow_nan)
    chunks = make(None, None, _string, None, ": ", item_separator, False, False, True)
    return lambda o: "".join(chunks(o, 0))


def _emit(o: object, write, newline: str) -> None:
    t = type(o)
    if t is str:
        write(_string(o))
    elif o is None:
        write("null")
    elif o is True:
        write("true")
    elif o is False:
        write("false")
    elif t is int:
        write(_int(o))
    elif t is dict:
        if not o:
            write("{}")
            return
        inner = newline + "  "
        for k, v in o.items():
            if type(k) is not str or type(v) not in _SCALARS:
                break
        else:
            # only strings, ints, booleans and None (a finding, a class count): the C encoder writes
            # it in one call, its item separator carrying the newline and indentation
            flat = _FLAT.get(inner)
            if flat is None:
                flat = _FLAT[inner] = _flat_encoder("," + inner)
            text = flat(o)
            write("{" + inner + text[1:-1] + newline + "}")
            return
        sep = "{" + inner
        for k, v in o.items():
            if type(k) is not str:
                raise _Unsupported
            write(sep)
            sep = "," + inner
            write(_string(k))
            write(": ")
            _emit(v, write, inner)
        write(newline + "}")
    elif t is list or t is tuple:
        if not o:
            write("[]")
            return
        inner = newline + "  "
        sep = "[" + inner
        for v in o:
            write(sep)
            sep = "," + inner
            _emit(v, write, inner)
        write(newline + "]")
    else:
        raise _Unsupported
