"""Fixture snapshots: build a fixture's data once per test process, copy it for every test.

Most of a test's set-up is building the same people, vacancies and candidates through the
services (the ``world`` fixtures), and on SQLite the result is one database file. The first
test in a process that asks for a snapshotted fixture builds it as before; its database file
and instance folder are then kept, and every later test of the same module that asks for the
fixture, on the same database as the first had (the same bytes: fixtures set up before it
may have written to it), gets a copy of them instead, with the fixture's value (the objects it returned) loaded
again by primary key from the copy. Each test still has its own database, so tests stay
independent; ids, audit rows and files are exactly what the build made.

PANEL_TEST_SNAPSHOTS=0 builds every fixture every time (to rule the snapshots out when a test
fails). On PostgreSQL the fixture is simply built each time (its template copy is not worth it there;
the SQLite run is the one whose time is watched).

What may be returned: ORM objects (stored as their class and primary key), plain values,
and dicts, lists, tuples and SimpleNamespaces of those. Builders whose state matters to the
test afterwards (their serial number and actor) are passed in ``builders`` and restored.
"""
from __future__ import annotations

import functools
import hashlib
import inspect
import itertools
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from panel.builders import Builder

_STORE = Path(tempfile.mkdtemp(prefix="panel-snapshots-"))
_SNAPSHOTS: dict[tuple, dict] = {}
_PLAIN = (str, int, float, bool, bytes, type(None))


def snapshot(request, build: Callable[[], Any], *, builders: tuple[Builder, ...] = ()) -> Any:
    """The value of ``build()`` on the test's database: built (and kept) the first time this
    fixture is asked for in this module and process, restored from the kept copy afterwards."""
    app = request.getfixturevalue("app")
    session: Session = request.getfixturevalue("session")
    url = str(app.config["DATABASE_URL"])
    if not url.startswith("sqlite:///") or os.environ.get("PANEL_TEST_SNAPSHOTS") == "0":
        return build()
    database = Path(url.removeprefix("sqlite:///"))
    instance = Path(app.instance_path)
    _quiesce(app, session, database)
    # what the database holds now (the fixtures set up before this one may have written to
    # it): a copy is only right on top of exactly the same database
    base = hashlib.sha1(database.read_bytes()).hexdigest()
    fixturedef = request._fixturedef  # the fixture being set up (its function names it uniquely)
    key = (fixturedef.func.__module__, fixturedef.func.__qualname__, request.module.__name__,
           repr(getattr(request, "param", None)), base,
           tuple((_next_serial(b), repr(_encode(b._actor))) for b in builders))
    kept = _SNAPSHOTS.get(key)
    if kept is None:
        value = build()
        _quiesce(app, session, database)
        folder = _STORE / str(len(_SNAPSHOTS))
        folder.mkdir()
        shutil.copyfile(database, folder / "test.db")
        if instance.exists():
            shutil.copytree(instance, folder / "instance")
        _SNAPSHOTS[key] = {
            "folder": folder,
            "value": _encode(value),
            "builders": [(_next_serial(b), _encode(b._actor)) for b in builders],
        }
        return value
    _replace(kept["folder"] / "test.db", database)
    if (kept["folder"] / "instance").exists():
        shutil.copytree(kept["folder"] / "instance", instance, dirs_exist_ok=True)
    session.expire_all()  # objects loaded before (by fixtures this one builds on) read the copy
    for builder, (serial, actor) in zip(builders, kept["builders"]):
        builder._serial = itertools.count(serial)
        builder._actor = _decode(actor, session)
    return _decode(kept["value"], session)


def _quiesce(app, session: Session, database: Path) -> None:
    """No connection left on the file, and everything in the main file (no WAL beside it).
    The session stays open (its objects stay attached): it has only given its connection back."""
    session.commit()
    app.extensions["panel.engine"].dispose()
    with sqlite3.connect(database) as raw:
        busy = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    raw.close()
    assert not busy, f"a connection is still open on {database}: it cannot be snapshotted"


def _replace(source: Path, database: Path) -> None:
    """Put a copy of ``source`` where ``database`` is (a new file, not a rewrite in place)."""
    partial = database.with_name(database.name + ".restoring")
    shutil.copyfile(source, partial)
    os.replace(partial, database)
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def _next_serial(builder: Builder) -> int:
    n = next(builder._serial)
    builder._serial = itertools.count(n)  # taking a look must not use a number up
    return n


def _encode(value: Any) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dict):
        return ("dict", type(value), [(k, _encode(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return ("seq", type(value), [_encode(v) for v in value])
    if isinstance(value, SimpleNamespace):
        return ("ns", SimpleNamespace, [(k, _encode(v)) for k, v in vars(value).items()])
    state = sa_inspect(value, raiseerr=False)
    if state is not None and getattr(state, "identity", None) is not None:
        return ("orm", type(value), state.identity)
    if hasattr(value, "isoformat"):  # dates, times, datetimes
        return value
    raise TypeError(f"a snapshotted fixture cannot return {value!r}: return ids, ORM objects or plain values")


def _decode(value: Any, session: Session) -> Any:
    if not isinstance(value, tuple) or len(value) != 3 or value[0] not in ("dict", "seq", "ns", "orm"):
        return value
    kind, cls, body = value
    if kind == "orm":
        obj = session.get(cls, body)
        assert obj is not None, f"{cls.__name__} {body} is missing from the snapshot"
        return obj
    if kind == "dict":
        return cls((k, _decode(v, session)) for k, v in body)
    if kind == "ns":
        return SimpleNamespace(**{k: _decode(v, session) for k, v in body})
    return cls(_decode(v, session) for v in body)


def snapshotted(fixture: Callable) -> Callable:
    """A fixture function, made to use ``snapshot`` (put it under ``@pytest.fixture()``). Builders
    among the fixture's arguments have their state restored too."""
    signature = inspect.signature(fixture)
    has_request = "request" in signature.parameters

    @functools.wraps(fixture)
    def wrapper(request, **kwargs):
        own = dict(kwargs, request=request) if has_request else kwargs
        builders = tuple(v for v in kwargs.values() if isinstance(v, Builder))
        return snapshot(request, lambda: fixture(**own), builders=builders)

    if not has_request:
        params = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD),
                  *signature.parameters.values()]
        wrapper.__signature__ = signature.replace(parameters=params)
    else:
        wrapper.__signature__ = signature
    return wrapper
