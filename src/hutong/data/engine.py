"""The query engine interface: SQL over one dataset version, streamed as Arrow batches.

DuckDB implements it here; the sharing exchange puts policies in front of it, and a Spark
engine can implement the same interface for data that outgrows one machine. Every query runs
within limits (``data/limits.py``): a memory limit with nothing spilled to disk (spilled
blocks would hold decrypted rows in clear, and a hostile query could fill the disk), a
wall-clock limit, and a stop that the web edge pulls when the client leaves and the server
pulls when it is told to stop."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol, TypeVar

import duckdb
import pyarrow as pa
from fsspec.implementations.local import LocalFileSystem

from hutong.core.errors import HutongError
from hutong.data.access import StoredFiles
from hutong.data.crypto import EncryptedFileSystem
from hutong.data.limits import (
    QueryFailed,
    QueryMemoryLimit,
    Running,
    Stop,
    Stopped,
    stopped_error,
)
from hutong.data.sql import ident, literal
from hutong.data.validators import install as install_validators

if TYPE_CHECKING:
    from hutong.core.settings import Settings

BATCH_ROWS = 65_536
T = TypeVar("T")
Params = list[object] | dict[str, object]
#: What reading a result can raise: DuckDB's errors, or Arrow's wrapping of them mid-stream.
ENGINE_ERRORS = (duckdb.Error, pa.ArrowException, OSError)


class Engine(Protocol):
    def stream(
        self, files: StoredFiles, sql: str, params: Params | None = None, stop: Stop | None = None
    ) -> QueryStream:
        """Run ``sql`` with the version's rows visible as the view ``dataset``; ``params``
        are positional (``?``) or named (``$name``, e.g. the policy compiler's key pads);
        ``stop`` stops it from another thread."""
        ...


class DuckDBEngine:
    """An in-process DuckDB per query: nothing shared between callers, files read in place."""

    def __init__(
        self, threads: int = 2, memory_limit: str = "1GB", time_limit: float | None = None
    ) -> None:
        self.threads = threads
        self.memory_limit = memory_limit
        self.time_limit = time_limit
        self.running = Running()

    @classmethod
    def for_queries(cls, settings: Settings) -> DuckDBEngine:
        """The engine of consumers' queries, within the deployment's limits."""
        return cls(
            settings.query_threads, settings.query_memory_limit, settings.query_time_limit_seconds
        )

    def _config(self) -> dict[str, object]:
        return {"threads": self.threads, "memory_limit": self.memory_limit, "temp_directory": ""}

    def connect(self, files: StoredFiles) -> duckdb.DuckDBPyConnection:
        connection = duckdb.connect(config=self._config())
        install_validators(connection)
        relation = parquet_relation(connection, files)
        connection.execute(f"CREATE VIEW dataset AS SELECT * FROM {relation}")
        return connection

    def connect_views(self, views: dict[str, StoredFiles]) -> duckdb.DuckDBPyConnection:
        """Several versions at once, each as the view of its name (the open portal's SQL over
        public datasets); sealed files of all of them are read through one file system."""
        connection = duckdb.connect(config=self._config())
        sealed = {str(p): f.key for f in views.values() if f.key for p in f.paths}
        if sealed:
            connection.register_filesystem(EncryptedFileSystem(sealed))
        for name, files in views.items():
            urls = [EncryptedFileSystem.url(p) if files.key else str(p) for p in files.paths]
            connection.execute(
                f"CREATE VIEW {ident(name)} AS SELECT * FROM "
                f"read_parquet([{', '.join(literal(url) for url in urls)}])"
            )
        return connection

    def stream(
        self, files: StoredFiles, sql: str, params: Params | None = None, stop: Stop | None = None
    ) -> QueryStream:
        return QueryStream(self, files, sql, params, stop or Stop())

    def stop_all(self) -> None:
        """The server is stopping: stop every running query, and any that starts."""
        self.running.stop_all()


class QueryStream:
    """The batches of one statement. ``start`` runs it up to its first batch, so a statement
    the engine cannot run fails before anything is sent; iterating yields that batch, then the
    rest. Failures and stops raise typed errors (``data/limits.py``); the connection closes
    when the batches end, on an error, or on ``close``."""

    def __init__(
        self,
        engine: DuckDBEngine,
        files: StoredFiles,
        sql: str,
        params: Params | None,
        stop: Stop,
    ) -> None:
        self.engine, self.files, self.sql, self.params, self.stop = engine, files, sql, params, stop
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._reader: pa.RecordBatchReader | None = None
        self._first: pa.RecordBatch | None = None
        self._timer: threading.Timer | None = None

    def start(self) -> None:
        self.engine.running.add(self.stop)
        if self.engine.time_limit is not None:
            self._timer = threading.Timer(self.engine.time_limit, self.stop, (Stopped.TIME_LIMIT,))
            self._timer.daemon = True
            self._timer.start()
        try:
            self._connection = connection = self.engine.connect(self.files)
            self.stop.bind(connection.interrupt)
            self._raise_if_stopped()  # e.g. the client left while the query was compiled
            relation = self._guarded(lambda: connection.sql(self.sql, params=self.params))
            self._reader = self._guarded(lambda: relation.to_arrow_reader(BATCH_ROWS))
            self._first = self._next()
        except BaseException:
            self.close()
            raise

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        if self._reader is None:
            self.start()
        try:
            batch = self._first
            while batch is not None:
                yield batch
                batch = self._next()
        finally:
            self.close()

    def _next(self) -> pa.RecordBatch | None:
        """The next batch, or None at the end; a stop pulled while the engine was idle (the
        consumer reading slowly) is honoured here."""
        self._raise_if_stopped()
        assert self._reader is not None
        try:
            return self._guarded(self._reader.read_next_batch)
        except StopIteration:
            return None

    def _raise_if_stopped(self) -> None:
        if self.stop.reason is not None:
            raise stopped_error(self.stop.reason, self.engine.time_limit or 0)

    def _guarded(self, step: Callable[[], T]) -> T:
        try:
            return step()
        except ENGINE_ERRORS as error:
            if self.stop.reason is None and str(error).startswith("IO Error"):
                raise  # the stored files failed, not the statement: a server error
            raise self._failure(error) from None  # the engine's message may quote a value

    def _failure(self, error: Exception) -> HutongError:
        if self.stop.reason is not None:
            return stopped_error(self.stop.reason, self.engine.time_limit or 0)
        message = str(error)
        if isinstance(error, duckdb.OutOfMemoryException) or message.startswith("Out of Memory"):
            return QueryMemoryLimit(self.engine.memory_limit)
        return QueryFailed.of(message)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self.stop.bind(None)
        self.engine.running.discard(self.stop)
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def parquet_relation(connection: duckdb.DuckDBPyConnection, files: StoredFiles) -> str:
    """``read_parquet(...)`` over a version's files. Files in object storage are read through
    its fsspec file system, sealed files through one that decrypts in memory (decision 0009);
    either is registered on this connection alone."""
    urls = [str(path) for path in files.paths]
    if files.key is not None:
        sealed = EncryptedFileSystem(
            dict.fromkeys(urls, files.key), files.filesystem or LocalFileSystem()
        )
        connection.register_filesystem(sealed)
        urls = [sealed.url(url) for url in urls]
    elif files.filesystem is not None:
        connection.register_filesystem(files.filesystem)
        urls = [files.filesystem.unstrip_protocol(url) for url in urls]
    return f"read_parquet([{', '.join(literal(url) for url in urls)}])"


def count_rows(files: StoredFiles) -> int:
    """How many rows a version reads back through the engine (decrypted in memory when
    sealed): what a restore drill compares with the backup's manifest."""
    [batch] = list(DuckDBEngine(threads=1).stream(files, "SELECT count(*) AS n FROM dataset"))
    return int(batch.column(0)[0].as_py())


#: A connection to the engine, as handed to code outside ``data/`` (privacy, openportal,
#: demo): they work on the connection this module opens and never open DuckDB themselves, so
#: another engine can stand behind these names. A connection is a context manager that
#: closes it.
Connection = duckdb.DuckDBPyConnection
#: What a statement on a ``Connection`` raises when the engine cannot run it.
EngineError = duckdb.Error
#: What it raises when ``Connection.interrupt`` stopped it (a time limit of the caller's).
Interrupted = duckdb.InterruptException


def scratch(threads: int = 2) -> Connection:
    """An in-memory connection over no stored version, for work on rows the caller brings
    (a consent check over an uploaded list, a local file a steward anonymizes, demo files
    generated by SQL); the caller closes it, e.g. ``with scratch() as connection:``."""
    return duckdb.connect(config={"threads": threads})


def opened(files: StoredFiles) -> Connection:
    """A connection with one version's rows as the view ``dataset`` (a release check, an
    extract, a statistical table); the caller closes it, e.g. ``with opened(files) as c:``."""
    return DuckDBEngine().connect(files)


def opened_views(views: dict[str, StoredFiles]) -> Connection:
    """A connection with several versions, each as the view of its name (the open portal's
    datastore); the caller closes it."""
    return DuckDBEngine().connect_views(views)
