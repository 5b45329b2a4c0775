"""De-identification operators as sqlglot expression builders (去标识化 / 脱敏, N2021 task 8).

Each function wraps a column expression in SQL that masks it, so a whole column is masked in
one vectorized pass inside the engine (DESIGN rule 8), never by a Python loop per row. The
expressions use sqlglot's typed nodes (not engine-specific text), so the same mask emits
DuckDB SQL now and Spark SQL later; ``tests/privacy/test_operators.py`` runs each one through
DuckDB on real values and transpiles it to Spark.

Values arrive as text (ingest stores every column as VARCHAR) or as typed values; operators
that compute on numbers or dates convert with ``TRY_CAST`` / a safe date parse, so a value
that does not convert becomes NULL rather than failing the query or leaking through.
A NULL input gives a NULL output everywhere.
"""

from __future__ import annotations

from sqlglot import exp

from hutong.privacy.keys import IPAD_PARAM, OPAD_PARAM

#: Dates as ingest keeps them: ``2008-05-12``, ``20080512``, ``2008/5/12`` (year, month, day).
DATE_PATTERN = r"^([0-9]{4})[-/]?([0-9]{1,2})[-/]?([0-9]{1,2})$"
DATE_PRECISIONS = ("year", "month")


def _text(value: exp.Expression) -> exp.Expression:
    return exp.cast(value, exp.DataType.Type.TEXT)


def _number(value: exp.Expression) -> exp.Expression:
    return exp.TryCast(this=value, to=exp.DataType.build("DOUBLE"), safe=True)


def _int(n: int | float) -> exp.Expression:
    return exp.Literal.number(n)


def _concat(*parts: exp.Expression) -> exp.Expression:
    result = parts[0]
    for part in parts[1:]:
        result = exp.DPipe(this=result, expression=part, safe=True)
    return result


def _repeat(fill: str, times: exp.Expression) -> exp.Expression:
    return exp.Repeat(this=exp.Literal.string(fill), times=times)


def partial(
    value: exp.Expression, keep_first: int, keep_last: int, fill: str = "*"
) -> exp.Expression:
    """Keep the first ``keep_first`` and last ``keep_last`` characters, fill the rest
    (citizen ID keep 6 + 4: ``110105********002X``). A value too short to hide anything is
    filled entirely, so the mask never shows a whole value."""
    text = _text(value)
    length = exp.Length(this=text.copy())
    hidden = exp.Sub(this=length.copy(), expression=_int(keep_first + keep_last))
    # one concatenation of LEFT, REPEAT and RIGHT; a part that keeps nothing is left out
    parts: list[exp.Expression] = []
    if keep_first:
        parts.append(exp.Left(this=text.copy(), expression=_int(keep_first)))
    parts.append(_repeat(fill, hidden))
    if keep_last:
        parts.append(exp.Right(this=text.copy(), expression=_int(keep_last)))
    return exp.Case(
        ifs=[
            exp.If(
                this=exp.GT(this=length.copy(), expression=_int(keep_first + keep_last)),
                true=_concat(*parts),
            )
        ],
        default=_repeat(fill, length),
    )


def _sha256(value: exp.Expression) -> exp.Expression:
    return exp.SHA2(this=value, length=_int(256))


def pseudonym(value: exp.Expression) -> exp.Expression:
    """Keyed pseudonym: lowercase hex HMAC-SHA-256 of the value's UTF-8 text under the domain
    key whose pads are bound as ``$hutong_pk_ipad`` / ``$hutong_pk_opad`` (see
    ``privacy/keys.py`` for the construction and why the key is a parameter)."""
    message = exp.Encode(this=_text(value), charset=exp.Literal.string("utf-8"))
    inner = _sha256(_concat(exp.Unhex(this=exp.Placeholder(this=IPAD_PARAM)), message))
    return _sha256(_concat(exp.Unhex(this=exp.Placeholder(this=OPAD_PARAM)), exp.Unhex(this=inner)))


def sha256_hash(value: exp.Expression) -> exp.Expression:
    """Unkeyed SHA-256 of the text (hex). Anyone can recompute it from a guessed value, so use
    it for codes, not for identifiers of people (use ``pseudonym``)."""
    return _sha256(_text(value))


def nullify() -> exp.Expression:
    """Suppress the value: a typed NULL (the column stays, its content does not)."""
    return exp.cast(exp.Null(), exp.DataType.Type.TEXT)


def _date_part(text: exp.Expression, group: int) -> exp.Expression:
    pattern = exp.Literal.string(DATE_PATTERN)
    return exp.RegexpExtract(this=text.copy(), expression=pattern, group=_int(group))


def generalize_date(value: exp.Expression, precision: str) -> exp.Expression:
    """A date coarsened to its ``year`` (``2008``) or ``month`` (``2008-05``); a value that is
    not a date becomes NULL. Text operations, not a date parse, so no engine raises on a bad
    value whatever its strictness setting (Spark's ANSI mode); a value that does not match
    extracts as ``''`` in DuckDB and Spark alike, which ``NULLIF`` turns into NULL."""
    if precision not in DATE_PRECISIONS:
        raise ValueError(f"unknown date precision {precision!r}")
    text = _text(value)
    coarse = _date_part(text, 1)
    empty = ""
    if precision == "month":
        month = exp.Pad(
            this=_date_part(text, 2),
            expression=_int(2),
            fill_pattern=exp.Literal.string("0"),
            is_left=True,
        )
        coarse = _concat(coarse, exp.Literal.string("-"), month)
        empty = "-00"
    return exp.Nullif(this=coarse, expression=exp.Literal.string(empty))


def generalize_region(value: exp.Expression, digits: int) -> exp.Expression:
    """An administrative division code cut to its first ``digits`` digits and padded with
    zeros to its own length: 110105 → 110100 (4, city) → 110000 (2, province)."""
    text = _text(value)
    return _concat(
        exp.Substring(this=text.copy(), start=_int(1), length=_int(digits)),
        _repeat("0", exp.Sub(this=exp.Length(this=text.copy()), expression=_int(digits))),
    )


def age_band(value: exp.Expression, width: int) -> exp.Expression:
    """An age as its band of ``width`` years: 17 with width 5 → ``15-19``."""
    low = exp.cast(
        exp.Mul(
            this=exp.Floor(this=exp.Div(this=_number(value), expression=_int(width))),
            expression=_int(width),
        ),
        exp.DataType.Type.BIGINT,
    )
    high = exp.Add(this=low.copy(), expression=_int(width - 1))
    return _concat(_text(low), exp.Literal.string("-"), _text(high))


def top_bottom(value: exp.Expression, low: float | None, high: float | None) -> exp.Expression:
    """Top and bottom coding: values above ``high`` become ``high``, below ``low`` become
    ``low`` (either bound may be absent)."""
    number = _number(value)
    ifs = []
    if high is not None:
        ifs.append(exp.If(this=exp.GT(this=number.copy(), expression=_int(high)), true=_int(high)))
    if low is not None:
        ifs.append(exp.If(this=exp.LT(this=number.copy(), expression=_int(low)), true=_int(low)))
    return exp.Case(ifs=ifs, default=number)


def round_to(value: exp.Expression, base: float) -> exp.Expression:
    """Round to the nearest multiple of ``base`` (halves away from zero): 1234 → 1200 with
    base 100; an integer base gives an integer."""
    rounded = exp.Mul(
        this=exp.Round(this=exp.Div(this=_number(value), expression=_int(base))),
        expression=_int(base),
    )
    target = "BIGINT" if float(base).is_integer() else "DOUBLE"
    return exp.cast(rounded, exp.DataType.build(target))
