"""Uploaded files land in a temporary file under the data directory, copied in bounded
chunks, so no request holds a whole upload in memory and the database is not locked while
the bytes arrive."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import UploadFile

CHUNK = 1024 * 1024


@contextmanager
def spooled(upload: UploadFile, data_dir: Path, name: str = "upload.csv") -> Iterator[Path]:
    with tempfile.TemporaryDirectory(dir=data_dir) as folder:
        path = Path(folder) / name
        with path.open("wb") as sink:
            shutil.copyfileobj(upload.file, sink, CHUNK)
        yield path
