"""Text encodings of uploaded files: UTF-8 (with or without BOM), else GB18030 (a superset of
GBK, which Excel in China often saves), converted to UTF-8 in bounded memory."""

from __future__ import annotations

import codecs
from pathlib import Path

from hutong.core.errors import InvalidInput

SAMPLE = 4 * 1024 * 1024
CHUNK = 1024 * 1024


def detect(path: Path) -> str:
    """'utf-8', 'utf-8-sig' or 'gb18030', judged on the first megabytes."""
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE)
    if not sample:
        raise InvalidInput("文件为空", "the file is empty", field="file")
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise InvalidInput(
        "无法识别文件编码（支持 UTF-8、GBK、GB18030）",
        "unknown text encoding (UTF-8, GBK and GB18030 are supported)",
        field="file",
    )


def to_utf8(source: Path, target: Path, encoding: str) -> None:
    """Stream-convert a file to UTF-8 without a BOM; a bad byte anywhere is a clear error."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with source.open("rb") as reader, target.open("w", encoding="utf-8", newline="") as writer:
        while chunk := reader.read(CHUNK):
            try:
                writer.write(decoder.decode(chunk))
            except UnicodeDecodeError as error:
                raise InvalidInput(
                    f"第 {offset + error.start + 1} 字节处的内容不是 {encoding} 编码",
                    f"byte {offset + error.start + 1} is not valid {encoding}",
                    field="file",
                ) from None
            offset += len(chunk)
        writer.write(decoder.decode(b"", final=True))
