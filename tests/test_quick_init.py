"""model.quick_init: a faster __init__ for frozen dataclasses that behaves like the generated one."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

from flylint.catalog.changes import Change
from flylint.model import FileAnalysis, Finding, MigrationFile, Span, Statement, quick_init


@quick_init
@dataclasses.dataclass(frozen=True)
class _Quick:
    a: int
    b: str = "b"
    c: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True)
class _Plain:
    a: int
    b: str = "b"
    c: list = dataclasses.field(default_factory=list)


def test_same_signature_defaults_and_factories_as_the_generated_init():
    assert [(p.name, p.kind) for p in inspect.signature(_Quick).parameters.values()] == \
        [(p.name, p.kind) for p in inspect.signature(_Plain).parameters.values()]
    for args, kwargs in [((1,), {}), ((1, "x"), {}), ((1,), {"c": [2]}), ((), {"a": 3, "b": "y", "c": [4]})]:
        assert repr(_Quick(*args, **kwargs)).replace("_Quick", "") == repr(_Plain(*args, **kwargs)).replace("_Plain", "")
    first, second = _Quick(1), _Quick(1)
    assert first.c == [] and first.c is not second.c  # a fresh list each time, as default_factory gives
    with pytest.raises(TypeError):
        _Quick()  # a is required
    with pytest.raises(TypeError):
        _Quick(1, "b", [], 4)  # too many
    with pytest.raises(TypeError):
        _Quick(1, d=2)  # unknown keyword


def test_instances_stay_frozen_comparable_hashable_and_picklable():
    span = Span(1, 2, 3, 4)
    assert span == Span(1, 2, 3, 4) and hash(span) == hash(Span(1, 2, 3, 4)) and span != Span(1, 2, 3, 5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.line = 9  # type: ignore[misc]
    change = Change("add-column", "additive", "t.c", ("public", "t"), False, "add column t.c", 1, 0)
    assert change.detail == {} and change.live
    assert pickle.loads(pickle.dumps(change)) == change
    assert dataclasses.replace(change, born=True).born and not change.born
    statement = Statement(0, "SELECT 1", span, True, None)
    assert (statement.split_error, statement.split_note, statement.error_span) == (None, None, None)


def test_the_hot_model_classes_use_it():
    # the generated frozen __init__ calls object.__setattr__ per field; quick_init's fills __dict__
    assert "__setattr__" in _Plain.__init__.__code__.co_names
    for cls in (Span, Statement, FileAnalysis, Finding, MigrationFile, Change):
        names = cls.__init__.__code__.co_names
        assert "__setattr__" not in names and "__dict__" in names, cls
