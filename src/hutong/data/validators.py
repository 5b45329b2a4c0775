"""Identifier and code-list checks as DuckDB SQL functions, so a whole column is validated in one
vectorized pass (DESIGN rule 8; M2018 §10). Each mirrors its single-value twin in
``core/identifiers.py``; tests hold the two to the same answers.

Most are SQL macros. The 公民身份号码 check (also inside 全国学籍号 G + ID) is the costliest and runs
on every student and teacher row, so it is a NumPy function over whole Arrow vectors instead:
the 17 digits become a matrix and the MOD 11-2 sum one matrix product (about four times the
speed of the macro, ``bench/bench_ingest.py``).

Install them on a connection with ``install(connection)``, then use e.g.
``SELECT count(*) FILTER (WHERE NOT hutong_citizen_id_ok(身份证件号)) FROM t``.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from duckdb.sqltypes import BOOLEAN, VARCHAR

from hutong.core.identifiers import CITIZEN_CHECK, CITIZEN_WEIGHTS, PROVINCES, SCHOOL_CATEGORIES

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
#: GB/T 3304 民族 codes 01–56 (plus 97 其他, 98 外国血统中国籍人士).
ETHNICITY_CODES = [f"{n:02d}" for n in range(1, 57)] + ["97", "98"]
#: GB/T 2261.1 性别 codes.
SEX_CODES = ["0", "1", "2", "9"]
#: A number written out in decimal notation: optional sign, digits, optional fraction.
DECIMAL = r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)"
#: How 日期时间型 and 时间型 values may be written (ISO 8601 and the usual Chinese spreadsheet forms).
DATETIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y%m%d%H%M%S",
]
TIME_FORMATS = ["%H:%M:%S", "%H:%M"]
#: The words a 逻辑型 value may be, in lower case (the catalog workbook reads the same words).
BOOLEAN_WORDS = ["是", "否", "true", "false", "1", "0", "y", "n", "yes", "no", "t", "f"]


def _sql_list(values: object) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"  # type: ignore[attr-defined]


def _weighted(length: int, weights: tuple[int, ...], digit: str) -> str:
    terms = " + ".join(
        f"({digit.format(i=i + 1)}) * {w}" for i, w in zip(range(length), weights, strict=True)
    )
    return f"({terms})"


MACROS = {
    "hutong_date_ok": """(s) AS try_strptime(s, '%Y%m%d') IS NOT NULL
        AND try_strptime(s, '%Y%m%d') BETWEEN DATE '1900-01-01' AND current_date""",
    # The check character (ISO 7064 MOD 11-2) of the first 17 digits of a 公民身份号码.
    "hutong_citizen_check": f"""(s) AS substr('{CITIZEN_CHECK}',
        ({_weighted(17, CITIZEN_WEIGHTS, "ascii(substr(s, {i}, 1)) - 48")}) % 11 + 1, 1)""",
    "hutong_school_code_ok": f"""(s) AS s IS NOT NULL AND regexp_full_match(s, '[0-9]{{10}}')
        AND list_contains({_sql_list(SCHOOL_CATEGORIES)}, substr(s, 1, 2))
        AND list_contains({_sql_list(PROVINCES)}, substr(s, 3, 2))""",
    "hutong_student_no_ok": """(s) AS CASE
        WHEN s IS NULL OR length(s) <> 19 THEN false
        WHEN substr(s, 1, 1) = 'G' THEN hutong_citizen_id_ok(substr(s, 2))
        WHEN substr(s, 1, 1) = 'J' THEN regexp_full_match(substr(s, 2), '[0-9]{18}')
        WHEN substr(s, 1, 1) = 'L' THEN regexp_full_match(substr(s, 2), '[0-9]{18}')
             AND try_strptime(substr(s, 8, 8), '%Y%m%d') IS NOT NULL
        ELSE false END""",
    "hutong_uscc_ok": f"""(s) AS CASE
        WHEN s IS NULL OR NOT regexp_full_match(s, '[0-9A-HJ-NPQRTUWXY]{{18}}') THEN false
        ELSE substr('{USCC_ALPHABET}',
            (31 - ({_weighted(17, USCC_WEIGHTS, "instr('" + USCC_ALPHABET + "', substr(s, {i}, 1)) - 1")}) % 31) % 31 + 1, 1)
            = substr(s, 18, 1)
        END""",
    "hutong_any_date_ok": """(s) AS coalesce(try_strptime(s, '%Y-%m-%d'), try_strptime(s, '%Y%m%d'),
        try_strptime(s, '%Y/%m/%d')) IS NOT NULL""",
    "hutong_mobile_ok": "(s) AS s IS NOT NULL AND regexp_full_match(s, '1[3-9][0-9]{9}')",
    "hutong_email_ok": r"""(s) AS s IS NOT NULL AND regexp_full_match(s, '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+')""",
    # Luhn check of bank card numbers (16–19 digits), the rightmost digit first.
    "hutong_luhn_ok": """(s) AS s IS NOT NULL AND regexp_full_match(s, '[0-9]{16,19}') AND list_sum(list_transform(
        range(length(s)), lambda i: CASE WHEN i % 2 = 1
            THEN (ascii(substr(s, length(s) - i, 1)) - 48) * 2 - CASE WHEN (ascii(substr(s, length(s) - i, 1)) - 48) * 2 > 9 THEN 9 ELSE 0 END
            ELSE ascii(substr(s, length(s) - i, 1)) - 48 END)) % 10 = 0""",
    "hutong_ethnicity_ok": f"(s) AS list_contains({_sql_list(ETHNICITY_CODES)}, s)",
    "hutong_sex_ok": f"(s) AS list_contains({_sql_list(SEX_CODES)}, s)",
    # Value types of information items (rules.TYPES). Each judges one aspect, so a failing value
    # gets every reason that applies; an aspect that does not apply (the digits of a value that
    # is no number) passes, the type check having failed already.
    "hutong_length_ok": "(s, n) AS length(s) <= n",
    "hutong_integer_ok": "(s) AS regexp_full_match(s, '[+-]?[0-9]+')",
    "hutong_decimal_ok": f"(s) AS regexp_full_match(s, '{DECIMAL}')",
    "hutong_float_ok": f"(s) AS regexp_full_match(s, '{DECIMAL}([eE][+-]?[0-9]+)?')",
    # Significant digits before the point, and digits after it (an exponent is not a digit).
    "hutong_int_digits": "(s) AS length(ltrim(regexp_extract(s, '^[+-]?([0-9]*)', 1), '0'))",
    "hutong_decimals": "(s) AS length(regexp_extract(s, '[.]([0-9]*)', 1))",
    "hutong_digits_ok": "(s, n) AS hutong_int_digits(s) + hutong_decimals(s) <= n",
    "hutong_int_digits_ok": "(s, n) AS hutong_int_digits(s) <= n",
    "hutong_decimals_ok": "(s, n) AS hutong_decimals(s) <= n",
    "hutong_at_least": "(s, bound) AS coalesce(TRY_CAST(s AS DOUBLE) >= bound, true)",
    "hutong_at_most": "(s, bound) AS coalesce(TRY_CAST(s AS DOUBLE) <= bound, true)",
    "hutong_datetime_ok": f"(s) AS try_strptime(s, {_sql_list(DATETIME_FORMATS)}) IS NOT NULL",
    "hutong_time_ok": f"(s) AS try_strptime(s, {_sql_list(TIME_FORMATS)}) IS NOT NULL",
    "hutong_boolean_ok": f"(s) AS list_contains({_sql_list(BOOLEAN_WORDS)}, lower(s))",
}


def install(connection: duckdb.DuckDBPyConnection) -> None:
    """Define (or redefine) every check on this connection, dependencies first."""
    with suppress(duckdb.NotImplementedException):  # already there on this connection
        connection.create_function(
            "hutong_citizen_id_ok",
            citizen_ids_ok,
            [VARCHAR],
            BOOLEAN,
            type="arrow",
            null_handling="special",
            side_effects=False,
        )
    for name, body in MACROS.items():
        connection.execute(f"CREATE OR REPLACE MACRO {name}{body}")


_WEIGHTS = np.array(CITIZEN_WEIGHTS, dtype=np.int64)
_CHECK_CHARS = np.frombuffer(CITIZEN_CHECK.encode(), dtype=np.uint8)
_PROVINCE = np.zeros(100, dtype=bool)
_PROVINCE[[int(code) for code in PROVINCES]] = True
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def citizen_ids_ok(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """GB 11643 validity of each value (NULL → false): 18 characters, a known province prefix,
    a real birth date between 1900 and today, and the ISO 7064 MOD 11-2 check character."""
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    verdict = np.zeros(len(values), dtype=bool)
    shaped = np.nonzero(pc.fill_null(pc.binary_length(values), 0).to_numpy() == 18)[0]
    if len(shaped) == 0:
        return pa.array(verdict)
    picked = values.take(pa.array(shaped)).cast(pa.large_binary())
    offsets = np.frombuffer(picked.buffers()[1], dtype=np.int64)[picked.offset :]
    raw = np.frombuffer(picked.buffers()[2], dtype=np.uint8)
    chars = raw[offsets[0] : offsets[len(picked)]].reshape(-1, 18)
    digits = chars[:, :17].astype(np.int64) - 48
    ok = ((digits >= 0) & (digits <= 9)).all(axis=1)
    last = np.where(chars[:, 17] == ord("x"), ord("X"), chars[:, 17])
    ok &= _CHECK_CHARS[(digits @ _WEIGHTS) % 11] == last
    ok &= _PROVINCE[np.clip(digits[:, 0] * 10 + digits[:, 1], 0, 99)]
    year = digits[:, 6:10] @ np.array([1000, 100, 10, 1])
    month, day = digits[:, 10] * 10 + digits[:, 11], digits[:, 12] * 10 + digits[:, 13]
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    last_day = _MONTH_DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
    today = date.today()
    born = year * 10_000 + month * 100 + day
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= last_day)
    ok &= (year >= 1900) & (born <= today.year * 10_000 + today.month * 100 + today.day)
    verdict[shaped] = ok
    return pa.array(verdict)
