"""The query engine interface: SQL over one dataset version, streamed as Arrow batches.

DuckDB implements it here; the sharing exchange puts policies in front of it, and a Spark
engine can implement the same interface for data that outgrows one machine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import duckdb
import pyarrow as pa
from fsspec.implementations.local import LocalFileSystem

from hutong.data.access import StoredFiles
from hutong.data.crypto import EncryptedFileSystem
from hutong.data.sql import ident, literal
from hutong.data.validators import install as install_validators

BATCH_ROWS = 65_536
Params = list[object] | dict[str, object]


class Engine(Protocol):
    def stream(
        self, files: StoredFiles, sql: str, params: Params | None = None
    ) -> Iterator[pa.RecordBatch]:
        """Run ``sql`` with the version's rows visible as the view ``dataset``; ``params``
        are positional (``?``) or named (``$name``, e.g. the policy compiler's key pads)."""
        ...


class DuckDBEngine:
    """An in-process DuckDB per query: nothing shared between callers, files read in place."""

    def __init__(self, threads: int = 2, memory_limit: str = "1GB") -> None:
        self.threads = threads
        self.memory_limit = memory_limit

    def connect(self, files: StoredFiles) -> duckdb.DuckDBPyConnection:
        connection = duckdb.connect(
            config={"threads": self.threads, "memory_limit": self.memory_limit}
        )
        install_validators(connection)
        relation = parquet_relation(connection, files)
        connection.execute(f"CREATE VIEW dataset AS SELECT * FROM {relation}")
        return connection

    def connect_views(self, views: dict[str, StoredFiles]) -> duckdb.DuckDBPyConnection:
        """Several versions at once, each as the view of its name (the open portal's SQL over
        public datasets); sealed files of all of them are read through one file system."""
        connection = duckdb.connect(
            config={"threads": self.threads, "memory_limit": self.memory_limit}
        )
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
        self, files: StoredFiles, sql: str, params: Params | None = None
    ) -> Iterator[pa.RecordBatch]:
        connection = self.connect(files)
        try:
            reader = connection.sql(sql, params=params or None).to_arrow_reader(BATCH_ROWS)
            yield from reader
        finally:
            connection.close()


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
