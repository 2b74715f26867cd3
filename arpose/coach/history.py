"""The workout history: sessions, sets and reps in SQLite (stdlib ``sqlite3``).

Crash safety: the database runs in WAL mode and every rep is its own committed
transaction, so a crash or ``kill -9`` mid-session loses at most the rep in flight and
never damages the file; a session that never finished is read back with the reps it has
(``ended`` is NULL). Two arposes writing at once wait for each other (SQLite's busy timeout
plus a few retries with back-off), then fail with a clear :class:`HistoryError`.

Bad files are never overwritten: a file that is not SQLite, is damaged, or has a newer
schema raises :class:`HistoryError`; ``History(path, move_aside=True)`` instead renames it
to ``NAME.bad-YYYYmmdd-HHMMSS`` (logged) and starts a new one.

Schema (``PRAGMA user_version``): v1 had ``sessions`` and ``reps`` (count, range, good);
v2 adds ``sets`` and the per-rep tempo, flags and side. :func:`migrate` upgrades a file in
place, one step per version, inside a transaction.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from ..errors import HistoryError
from .learned import data_dir

log = logging.getLogger(__name__)

_FOREIGN = "an SQLite database of another program"

SCHEMA_VERSION = 2
"""Newest history schema this arpose reads and writes."""

SCHEMA_V1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    ended TEXT,
    exercise TEXT NOT NULL,
    game TEXT NOT NULL DEFAULT 'workout',
    source TEXT NOT NULL DEFAULT ''
);
CREATE TABLE reps (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    t REAL NOT NULL,
    range REAL NOT NULL,
    good INTEGER NOT NULL
);
CREATE INDEX reps_session ON reps(session_id);
"""
"""The first schema (kept verbatim: migrations start from it and tests build it)."""

MIGRATIONS: dict[int, str] = {
    2: """
CREATE TABLE sets (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    goal INTEGER,
    started REAL,
    seconds REAL
);
ALTER TABLE reps ADD COLUMN set_n INTEGER NOT NULL DEFAULT 1;
ALTER TABLE reps ADD COLUMN down REAL;
ALTER TABLE reps ADD COLUMN up REAL;
ALTER TABLE reps ADD COLUMN flags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE reps ADD COLUMN side TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN report TEXT;
INSERT INTO sets (session_id, n) SELECT id, 1 FROM sessions;
""",
}
"""Migration to version N (from N - 1)."""

SQLITE_MAGIC = b"SQLite format 3\x00"
T = TypeVar("T")


def default_history_path() -> Path:
    """``$XDG_DATA_HOME/arpose/history.db`` (or the platform's data folder, see
    :func:`arpose.coach.learned.data_dir`); ``ARPOSE_HISTORY`` overrides it."""
    env = os.environ.get("ARPOSE_HISTORY")
    return Path(env) if env else data_dir() / "history.db"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class SessionSummary:
    """One session as read back (what ``arpose progress`` shows)."""

    id: int
    started: str
    ended: str | None
    exercise: str
    game: str
    source: str
    reps: int
    good_reps: int
    sets: list[int] = field(default_factory=list)
    ranges: list[float] = field(default_factory=list)
    downs: list[float | None] = field(default_factory=list)
    ups: list[float | None] = field(default_factory=list)
    flags: dict[str, int] = field(default_factory=dict)

    @property
    def best_set(self) -> int:
        return max(self.sets, default=0)

    @property
    def mean_range(self) -> float | None:
        return round(sum(self.ranges) / len(self.ranges), 3) if self.ranges else None

    @property
    def tempo(self) -> tuple[float | None, float | None]:
        """Mean (down, up) seconds per rep."""
        d = [x for x in self.downs if x is not None]
        u = [x for x in self.ups if x is not None]
        return (round(sum(d) / len(d), 2) if d else None, round(sum(u) / len(u), 2) if u else None)

    def as_dict(self) -> dict[str, Any]:
        down, up = self.tempo
        return {
            "id": self.id,
            "started": self.started,
            "ended": self.ended,
            "complete": self.ended is not None,
            "exercise": self.exercise,
            "game": self.game,
            "source": self.source,
            "reps": self.reps,
            "good_reps": self.good_reps,
            "sets": self.sets,
            "best_set": self.best_set,
            "mean_range": self.mean_range,
            "tempo_down": down,
            "tempo_up": up,
            "ranges": [round(r, 3) for r in self.ranges],
            "flags": self.flags,
        }


class History:
    """An open workout history file.

    Args:
        path: the database (default :func:`default_history_path`); parent folders are made.
        timeout: seconds to wait for another writer's lock (SQLite busy timeout).
        retries: extra attempts after a busy timeout, with back-off, before failing.
        move_aside: a bad file (not SQLite, damaged, newer schema) is renamed and a new one
            made, with a warning, instead of raising.
        readonly: open for reading only (``arpose progress``); a missing file raises.

    Raises:
        HistoryError: the file is not SQLite, damaged, from a newer schema, unreadable, or
            stays locked.
    """

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        *,
        timeout: float = 5.0,
        retries: int = 3,
        move_aside: bool = False,
        readonly: bool = False,
    ) -> None:
        self.path = Path(path) if path is not None else default_history_path()
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.moved_to: Path | None = None
        if readonly and not self.path.exists():
            raise HistoryError(
                f"{self.path}: no workout history yet (workouts in a window are saved here; "
                f"a --headless one only with --history PATH)"
            )
        self._immutable = False
        problem = self._check_file()
        if problem and problem.startswith(_FOREIGN):
            raise HistoryError(f"{self.path}: {problem}; it was left untouched (pass another --history PATH)")
        if problem:
            if not move_aside or readonly:
                raise HistoryError(
                    f"{self.path}: {problem}; it was left untouched (move it "
                    f"away or pass another --history PATH)"
                )
            self.moved_to = self._move_aside(problem)
        if not readonly:
            self._check_writable()
        try:
            uri = self._ro_uri() if readonly else str(self.path)
            self.db = sqlite3.connect(
                uri, timeout=self.timeout, uri=readonly, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise HistoryError(f"{self.path}: cannot open ({exc})") from None
        self.db.row_factory = sqlite3.Row
        try:
            self._retry(self._setup if not readonly else self._check_version)
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise HistoryError(
                f"{self.path}: not a usable SQLite database ({exc}); it was left untouched"
            ) from None
        except BaseException:
            self.db.close()
            raise

    # -- opening --------------------------------------------------------------------------
    def _ro_uri(self) -> str:
        # a WAL database in a read-only folder cannot make its -shm file: read the file as
        # it is (``immutable``), which is what a folder nobody can write to holds
        flags = "mode=ro&immutable=1" if self._immutable else "mode=ro"
        return f"file:{urllib.parse.quote(str(self.path))}?{flags}"

    def _check_writable(self) -> None:
        """A clear line when workouts cannot be saved here (before anything is written)."""
        parent = self.path.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HistoryError(
                f"{self.path}: cannot create the folder {parent} ({exc.strerror or exc}); "
                f"pass another --history PATH"
            ) from None
        if not parent.is_dir():
            raise HistoryError(f"{self.path}: {parent} is not a folder; pass another --history PATH")
        if not os.access(parent, os.W_OK | os.X_OK) or (
            self.path.exists() and not os.access(self.path, os.W_OK)
        ):
            where = self.path if self.path.exists() and not os.access(self.path, os.W_OK) else parent
            raise HistoryError(
                f"{self.path}: cannot save workouts here ({where} is read-only); "
                f"pass another --history PATH, or --no-history"
            )

    def _check_file(self) -> str | None:
        """Why the existing file cannot be used, or None (missing or empty files are fine)."""
        try:
            if not self.path.exists():
                return None
            if self.path.is_dir():
                return "is a folder, not a history file"
            if not self.path.is_file():  # a FIFO would block, /dev/zero never ends
                return "not a regular file"
            if self.path.stat().st_size == 0:
                return None
            with open(self.path, "rb") as f:
                head = f.read(len(SQLITE_MAGIC))
        except OSError as exc:
            raise HistoryError(f"{self.path}: cannot read ({exc.strerror or exc})") from None
        if head != SQLITE_MAGIC:
            return "not an SQLite database"
        try:
            try:
                ok, version, tables = self._inspect()
            except sqlite3.OperationalError as exc:
                why = str(exc)
                if ("unable to open" not in why and "readonly" not in why) or os.access(
                    self.path.parent, os.W_OK
                ):
                    raise
                self._immutable = True  # a read-only folder: read the file as it is
                ok, version, tables = self._inspect()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return None  # another writer holds it: fine, we will wait for it
            return f"damaged SQLite database ({exc})"
        except sqlite3.DatabaseError as exc:
            return f"damaged SQLite database ({exc})"
        if tables and (version == 0 or not {"sessions", "reps"} <= tables):
            # checked before anything is changed (no WAL switch on someone else's file)
            return f"{_FOREIGN} (its tables: {', '.join(sorted(tables)[:5])})"
        if ok != "ok":
            return f"damaged SQLite database (integrity check: {ok})"
        if version > SCHEMA_VERSION:
            return (
                f"history schema version {version} is newer than this arpose reads "
                f"({SCHEMA_VERSION}); upgrade arpose"
            )
        return None

    def _inspect(self) -> tuple[str, int, set[str]]:
        """Integrity, schema version and table names, read without changing the file."""
        con = sqlite3.connect(self._ro_uri(), uri=True, timeout=self.timeout)
        try:
            ok = str(con.execute("PRAGMA integrity_check(20)").fetchone()[0])
            version = int(con.execute("PRAGMA user_version").fetchone()[0])
            tables = {
                str(r[0])
                for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
                if not str(r[0]).startswith("sqlite_")
            }
            if ok == "ok" and {"sessions", "reps"} <= tables:
                # read every row once: damage inside a record passes the integrity check
                # but stops `progress`; find it before a workout is played into the file
                for table in ("sessions", "reps"):
                    for _ in con.execute(f"SELECT * FROM {table}"):  # noqa: S608 (fixed names)
                        pass
        finally:
            con.close()
        return ok, version, tables

    def _move_aside(self, problem: str) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        dest = self.path.with_name(f"{self.path.name}.bad-{stamp}")
        n = 1
        while dest.exists():
            dest = self.path.with_name(f"{self.path.name}.bad-{stamp}-{n}")
            n += 1
        os.replace(self.path, dest)
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                os.replace(side, dest.with_name(dest.name + suffix))
        log.warning("%s: %s; moved it to %s and started a new history", self.path, problem, dest.name)
        return dest

    def _check_version(self) -> None:
        v = self.db.execute("PRAGMA user_version").fetchone()[0]
        if v > SCHEMA_VERSION:
            raise HistoryError(
                f"{self.path}: history schema version {v} is newer than this "
                f"arpose reads ({SCHEMA_VERSION}); upgrade arpose"
            )
        if v < SCHEMA_VERSION:
            raise HistoryError(
                f"{self.path}: history schema version {v} needs an upgrade: "
                f"open it for writing once (any workout with --history)"
            )

    def _setup(self) -> None:
        db = self.db
        db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("%s: journal mode %s (WAL not available here)", self.path, mode)
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        migrate(db, str(self.path))

    def _retry(self, fn: Callable[[], T]) -> T:
        """Run ``fn``; on "database is locked" wait and retry, then a clear error."""
        delay = 0.05
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                msg = str(exc).lower()
                if "locked" not in msg and "busy" not in msg:
                    if "full" in msg or "disk" in msg:
                        raise HistoryError(
                            f"{self.path}: cannot write ({exc}); the reps saved so far are kept"
                        ) from None
                    raise HistoryError(f"{self.path}: {exc}") from None
                if attempt == self.retries:
                    raise HistoryError(
                        f"{self.path}: still locked by another program after "
                        f"{self.timeout * (self.retries + 1):.1f} s; close it and try again"
                    ) from None
                log.info("%s: locked, retrying in %.2f s", self.path, delay)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
            except sqlite3.DatabaseError as exc:  # a constraint or a trigger of the file's own
                raise HistoryError(f"{self.path}: cannot write ({exc})") from None
        raise AssertionError("unreachable")

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn(db)`` in one committed transaction (retried while locked)."""

        def attempt() -> T:
            with self._tx() as db:
                return fn(db)

        return self._retry(attempt)

    # -- writing --------------------------------------------------------------------------
    def start_session(
        self, exercise: str, *, game: str = "workout", source: str = "", started: str | None = None
    ) -> Session:
        """Begin a session (committed at once, so a crash still leaves it)."""

        def fn(db: sqlite3.Connection) -> int:
            cur = db.execute(
                "INSERT INTO sessions (started, exercise, game, source) VALUES (?, ?, ?, ?)",
                (started or _now(), exercise, game, source),
            )
            sid = int(cur.lastrowid or 0)
            db.execute("INSERT INTO sets (session_id, n) VALUES (?, 1)", (sid,))
            return sid

        return Session(self, self.write(fn), exercise)

    # -- reading --------------------------------------------------------------------------
    def sessions(self, exercise: str | None = None) -> list[SessionSummary]:
        """Every session, oldest first (``exercise`` filters by name).

        Raises:
            HistoryError: a row holds what arpose never writes (text for a number, ...).
        """
        try:
            return self._sessions(exercise)
        except (TypeError, ValueError, KeyError, IndexError, RecursionError) as exc:
            raise HistoryError(
                f"{self.path}: unexpected data in the history ({type(exc).__name__}: {exc}); "
                f"it was left untouched"
            ) from None
        except sqlite3.DatabaseError as exc:
            raise HistoryError(
                f"{self.path}: damaged SQLite database ({exc}); it was left untouched"
            ) from None

    def _sessions(self, exercise: str | None = None) -> list[SessionSummary]:
        q = "SELECT * FROM sessions" + (" WHERE exercise = ?" if exercise else "") + " ORDER BY started, id"
        rows = self._retry(lambda: self.db.execute(q, (exercise,) if exercise else ()).fetchall())
        out = []

        def reps_of(sid: int) -> list[sqlite3.Row]:
            return self.db.execute("SELECT * FROM reps WHERE session_id = ? ORDER BY n", (sid,)).fetchall()

        for r in rows:
            sid = int(r["id"])
            reps = self._retry(functools.partial(reps_of, sid))
            per_set: dict[int, int] = {}
            flags: dict[str, int] = {}
            for rep in reps:
                per_set[rep["set_n"]] = per_set.get(rep["set_n"], 0) + 1
                for f in _flag_names(rep["flags"]):
                    flags[f] = flags.get(f, 0) + 1
            out.append(
                SessionSummary(
                    id=r["id"],
                    started=str(r["started"]),
                    ended=None if r["ended"] is None else str(r["ended"]),
                    exercise=str(r["exercise"]),
                    game=str(r["game"]),
                    source=str(r["source"]),
                    reps=len(reps),
                    good_reps=sum(int(bool(x["good"])) for x in reps),
                    sets=[per_set[k] for k in sorted(per_set)],
                    ranges=[float(x["range"]) for x in reps],
                    downs=[None if x["down"] is None else float(x["down"]) for x in reps],
                    ups=[None if x["up"] is None else float(x["up"]) for x in reps],
                    flags=flags,
                )
            )
        return out

    def close(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error:
            pass

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Session:
    """One workout being written: :meth:`add_rep` commits each rep on its own."""

    def __init__(self, history: History, session_id: int, exercise: str) -> None:
        self.history = history
        self.id = session_id
        self.exercise = exercise
        self.set_n = 1
        self.n = 0
        self.failed: str | None = None
        """Set (and logged once) when a write failed, e.g. a full disk: later writes are
        skipped and the reps already saved stay."""

    def _write(self, fn: Callable[[sqlite3.Connection], Any]) -> bool:
        if self.failed:
            return False
        try:
            self.history.write(fn)
            return True
        except HistoryError as exc:
            self.failed = str(exc)
            log.error("workout history: %s", exc)
            return False

    def add_rep(self, rep: Any) -> bool:
        """Save one :class:`~arpose.coach.RepEvent` (its own transaction)."""
        self.n += 1
        n, set_n = self.n, self.set_n
        return self._write(
            lambda db: db.execute(
                "INSERT INTO reps (session_id, n, t, range, good, set_n, down, up, flags, side) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    self.id,
                    n,
                    float(rep.t),
                    float(rep.range),
                    int(bool(rep.good)),
                    set_n,
                    float(rep.down),
                    float(rep.up),
                    json.dumps(list(rep.flags)),
                    rep.side,
                ),
            )
        )

    def end_set(self, goal: int | None = None, seconds: float | None = None) -> bool:
        """Close the current set and open the next."""
        n = self.set_n
        self.set_n += 1

        def fn(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE sets SET goal = ?, seconds = ? WHERE session_id = ? AND n = ?",
                (goal, seconds, self.id, n),
            )
            db.execute("INSERT INTO sets (session_id, n) VALUES (?, ?)", (self.id, n + 1))

        return self._write(fn)

    def finish(self, report: dict[str, Any] | None = None) -> bool:
        """Mark the session ended (with the game's report, as JSON)."""
        return self._write(
            lambda db: db.execute(
                "UPDATE sessions SET ended = ?, report = ? WHERE id = ?",
                (_now(), json.dumps(report) if report is not None else None, self.id),
            )
        )


def migrate(db: sqlite3.Connection, name: str = "history") -> int:
    """Create or upgrade the schema to :data:`SCHEMA_VERSION`; returns the old version."""
    db.execute("BEGIN IMMEDIATE")
    try:
        v = db.execute("PRAGMA user_version").fetchone()[0]
        if v > SCHEMA_VERSION:
            raise HistoryError(
                f"{name}: history schema version {v} is newer than this "
                f"arpose reads ({SCHEMA_VERSION}); upgrade arpose"
            )
        if v == 0:
            tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
            if tables:
                raise HistoryError(
                    f"{name}: an SQLite database of another program (it has "
                    f"tables but no arpose schema version); left untouched"
                )
            for stmt in SCHEMA_V1.split(";"):
                if stmt.strip():
                    db.execute(stmt)
            v_new = 1
        else:
            v_new = v
        while v_new < SCHEMA_VERSION:
            v_new += 1
            for stmt in MIGRATIONS[v_new].split(";"):
                if stmt.strip():
                    db.execute(stmt)
            log.info("%s: history schema upgraded to version %d", name, v_new)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return int(v)


__all__ = [
    "History",
    "Session",
    "SessionSummary",
    "SCHEMA_VERSION",
    "SCHEMA_V1",
    "MIGRATIONS",
    "default_history_path",
    "migrate",
]


def _flag_names(text: str | None) -> list[str]:
    """A rep's form flags: a JSON list of names. Anything else (a nested list, which
    Python 3.12+ parses to any depth where 3.11 ran out of recursion) is unexpected data.

    Raises:
        ValueError: the column is not a list of strings.
    """
    names = json.loads(text or "[]")
    if not isinstance(names, list) or not all(isinstance(f, str) for f in names):
        raise ValueError(f"rep flags are not a list of names: {str(text)[:40]!r}")
    return names
