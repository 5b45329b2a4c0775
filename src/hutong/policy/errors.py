"""Why a query over shared data is refused: typed errors with Chinese and English messages
(DESIGN rule 4), mapped to 4xx problem+json by ``web/problems.py``.

Messages name the offending construct (a function, table or item name the consumer wrote),
never a value from the data, and never the pseudonym key."""

from __future__ import annotations

from hutong.core.errors import HutongError

MAX_NAME = 64


def _name(text: str) -> str:
    return text if len(text) <= MAX_NAME else text[:MAX_NAME] + "…"


class QueryRefused(HutongError):
    """Base of every refusal of a consumer's query."""

    status = 400
    code = "query-refused"


class QuerySyntax(QueryRefused):
    code = "query-syntax"

    def __init__(self) -> None:
        super().__init__("SQL 无法解析", "the SQL cannot be parsed", field="sql")


class HiddenCharacters(QueryRefused):
    """Control, zero-width or bidirectional characters that could make the text read
    differently from what runs (N2021 task 6: least privilege must be what it looks like)."""

    code = "hidden-characters"

    def __init__(self, codepoint: int) -> None:
        super().__init__(
            f"SQL 含有不可见或控制字符 U+{codepoint:04X}",
            f"the SQL contains the invisible or control character U+{codepoint:04X}",
            field="sql",
        )


class _NamesWhat(QueryRefused):
    """A refusal whose message names the construct: each template holds ``{}``."""

    zh_template = en_template = "{}"

    def __init__(self, what: str, field: str = "sql") -> None:
        name = _name(what)
        super().__init__(self.zh_template.format(name), self.en_template.format(name), field=field)


class NotOneSelect(_NamesWhat):
    """Only one read-only SELECT: no DDL, DML, PRAGMA, SET, ATTACH, COPY, INSTALL, LOAD."""

    code = "not-one-select"
    zh_template = "只允许一条只读 SELECT 语句（收到：{}）"
    en_template = "only one read-only SELECT statement is allowed (got: {})"


class ForbiddenSource(_NamesWhat):
    """Anything but the granted dataset: other tables, catalogs, files, table functions."""

    status = 403
    code = "forbidden-source"
    zh_template = "只能查询授权的数据集 dataset，不允许：{}"
    en_template = "only the granted dataset `dataset` may be queried, not: {}"


class ForbiddenFunction(_NamesWhat):
    status = 403
    code = "forbidden-function"
    zh_template = "不允许使用函数 {}"
    en_template = "the function {} is not allowed"


class ForbiddenConstruct(_NamesWhat):
    code = "forbidden-construct"
    zh_template = "不允许的 SQL 结构：{}"
    en_template = "SQL construct not allowed: {}"


class ItemNotGranted(_NamesWhat):
    """A reference to an item the grant does not expose: refused, not silently dropped."""

    status = 403
    code = "item-not-granted"
    zh_template = "信息项 {} 不在授权范围内"
    en_template = "the item {} is not granted"

    def __init__(self, item: str) -> None:
        super().__init__(item, field=_name(item))


class InvalidQuery(QueryRefused):
    """A structured query or cursor that does not hold together."""

    status = 422
    code = "invalid-query"

    def __init__(self, zh: str, en: str, field: str) -> None:
        super().__init__(zh, en, field=field)


class GrantNotInForce(HutongError):
    status = 403
    code = "grant-not-in-force"

    def __init__(self) -> None:
        super().__init__("授权不在有效期内", "the grant is not in force", field="grant")


class VolumeExhausted(HutongError):
    status = 429
    code = "volume-exhausted"

    def __init__(self) -> None:
        super().__init__(
            "今日可查询的行数已用完", "the grant's rows for today are used up", field="grant"
        )
