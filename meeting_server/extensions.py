"""Extensions, created unbound here and bound to an app in ``create_app``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.globals import _cv_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, scoped_session, sessionmaker


class CommitSession(Session):
    """A session that runs the ``after_commit_returned`` hooks once each commit has returned.

    SQLAlchemy's ``after_commit`` event may not run SQL; these hooks may (the session has
    begun a new transaction), e.g. to read what a notice should carry before sending it.
    """

    after_commit_returned: list[Callable[[Session], None]] = []

    def commit(self) -> None:
        super().commit()
        for hook in self.after_commit_returned:
            hook(self)

    def end_read(self) -> None:
        """End a transaction that has only read, so its pooled connection serves others.

        For a request about to wait for slow work off the event loop (a password hash, queued
        behind others): twenty sign-ins at once would otherwise hold every connection of the
        pool while they wait, and the room's next change would wait with them. Objects stay
        usable and are read again when touched. Refuses once the transaction has written.
        """
        if self.new or self.dirty or self.deleted or self.info.get(_WROTE):
            raise RuntimeError("end_read() after a write would lose it; commit first")
        self.rollback()


_WROTE = "wrote in this transaction"


@event.listens_for(CommitSession, "after_flush")
def _remember_write(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(CommitSession, "after_transaction_end")
def _forget_write(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


class Database:
    """The engine and a request-scoped session, bound to one app."""

    def __init__(self) -> None:
        self._factory = sessionmaker(class_=CommitSession, expire_on_commit=False)
        # One session per application context (not per thread): a test's own
        # ``with app.app_context()`` never shares a session with the requests it makes.
        self.session: scoped_session[CommitSession] = scoped_session(
            self._factory, scopefunc=_app_ctx_id
        )
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """Return the bound engine."""
        if self._engine is None:
            raise RuntimeError("Database used before create_app() bound it")
        return self._engine

    def init_app(self, app: Flask) -> None:
        """Create the engine from ``DATABASE_URL`` and close the session after each request."""
        self._engine = make_engine(app.config["DATABASE_URL"])
        self._factory.configure(bind=self._engine)
        app.extensions["database"] = self
        app.teardown_appcontext(self._remove_session)

    def _remove_session(self, _exc: BaseException | None) -> None:
        self.session.remove()


def _app_ctx_id() -> int:
    return id(_cv_app.get(None))


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


db = Database()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
socketio = SocketIO()
