"""Database plumbing: the declarative base, a UTC datetime type, the engine and
one session per request (committed in one place, rolled back on error)."""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from contextlib import contextmanager
from typing import Iterator

from flask import Flask, current_app, g, make_response, render_template, request
from sqlalchemy import DateTime, Enum, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, hands back aware UTC datetimes. Refuses naive input."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc)


def enum_column(enum_cls, length: int = 20) -> Enum:
    """A Python enum stored as its values in a plain string column (no native database enum)."""
    return Enum(enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def make_engine(url: str, lock_timeout: float = 5) -> Engine:
    """The engine. ``lock_timeout`` (seconds): how long a statement waits for a lock another
    connection holds (SQLite's busy timeout, PostgreSQL's lock_timeout) before it fails with an
    OperationalError, which the app shows as the 503 "try again" page."""
    kwargs: dict = {"future": True}
    lock_ms = max(int(lock_timeout * 1000), 1)
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": lock_timeout, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
        if url.startswith("postgresql"):
            kwargs["connect_args"] = {"options": f"-c lock_timeout={lock_ms}"}
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={lock_ms}")
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "savepoint")
        def _begin_before_savepoint(conn, _name):
            # pysqlite opens a transaction only before a write, so a SAVEPOINT (session.begin_nested())
            # met outside one would open the transaction itself and its RELEASE would commit it,
            # whatever the request does next. Open the transaction first: the savepoint then
            # nests inside the request's transaction, and the request commits or rolls back both.
            dbapi_conn = conn.connection.dbapi_connection
            if not dbapi_conn.in_transaction:
                dbapi_conn.execute("BEGIN")

    return engine


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"], float(app.config["DATABASE_LOCK_TIMEOUT_SECONDS"]))
    app.extensions["panel.engine"] = engine
    app.extensions["panel.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)

    @app.after_request
    def _commit(response):
        session = g.pop("db_session", None)
        if session is not None:
            try:
                if response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
            except OperationalError:
                # the commit met a lock it waited too long for, or the database went away:
                # nothing was kept, and the person is asked to try again (not a 500)
                log.exception("the commit of %s %s failed", request.method, request.path)
                session.rollback()
                return _unavailable()
            finally:
                session.close()
        return response

    @app.teardown_request
    def _close(exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()

    @app.teardown_appcontext
    def _close_outside_requests(exc):
        # db() used in an app context without a request (CLI commands, workers, tests):
        # end its transaction so it holds no locks once the context is gone. close()
        # rolls back whatever was not committed; loaded objects stay readable.
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def _unavailable():
    if request.path.startswith("/healthz") or request.accept_mimetypes.best == "application/json":
        return make_response({"error": "Service Unavailable"}, 503)
    return make_response(render_template("errors/503.html"), 503)


def get_engine() -> Engine:
    return current_app.extensions["panel.engine"]


def check_writable(engine: Engine, timeout: float) -> None:
    """Prove the database accepts a write now: take the write lock (SQLite) or write in a
    transaction (PostgreSQL), waiting at most ``timeout`` seconds, and roll it back, so nothing
    is kept. Raises (an OperationalError, usually) when it cannot."""
    ms = max(int(timeout * 1000), 1)
    probe = f"panel_healthz_{secrets.token_hex(4)}"  # unique: two checks at once never wait on each other
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        if engine.dialect.name == "sqlite":
            cur = raw.cursor()
            before = cur.execute("PRAGMA busy_timeout").fetchone()[0]
            cur.execute(f"PRAGMA busy_timeout={ms}")
            try:
                cur.execute("BEGIN IMMEDIATE")  # the write lock every save needs
                try:
                    cur.execute(f"CREATE TABLE {probe} (x INTEGER)")
                    # bandit B608: the table name is made above from hex digits, never from input
                    cur.execute(f"INSERT INTO {probe} VALUES (1)")  # nosec B608
                finally:
                    cur.execute("ROLLBACK")
            finally:
                cur.execute(f"PRAGMA busy_timeout={int(before)}")
                cur.close()
            return
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {ms}")
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {ms}")
        conn.exec_driver_sql(f"CREATE TABLE {probe} (x INTEGER)")
        # bandit B608: the table name is made above from hex digits, never from input
        conn.exec_driver_sql(f"INSERT INTO {probe} VALUES (1)")  # nosec B608
        conn.rollback()


def db() -> Session:
    """The session of the current request (or app context)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["panel.sessionmaker"]()
    return g.db_session


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session for command-line work: commit on success, roll back on error."""
    session = current_app.extensions["panel.sessionmaker"]()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def counted_queries(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app sends inside the block (a list, filled as they go): for the
    query-count tests and the benchmark's constant-queries figures."""
    engine = app.extensions["panel.engine"]
    statements: list[str] = []

    def _before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _before)
