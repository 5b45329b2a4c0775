"""Functions a consumer's SQL may call: sqlglot node types, so every allowed function is one
sqlglot can render for each engine (DuckDB now, Spark later), and nothing that reads files,
settings, the environment or the catalog (``read_csv``, ``getenv``, ``current_setting``,
``duckdb_tables`` …) is on it. A name sqlglot does not know (``exp.Anonymous``) is refused."""

from __future__ import annotations

from sqlglot import exp

AGGREGATES = (
    exp.Count, exp.CountIf, exp.Sum, exp.Avg, exp.Min, exp.Max, exp.ApproxDistinct,
    exp.Stddev, exp.StddevPop, exp.StddevSamp, exp.Variance, exp.VariancePop, exp.Median, exp.Corr,
    exp.PercentileCont, exp.PercentileDisc,
)  # fmt: skip
WINDOWS = (
    exp.RowNumber, exp.Rank, exp.DenseRank, exp.Ntile, exp.PercentRank, exp.CumeDist,
    exp.Lag, exp.Lead, exp.FirstValue, exp.LastValue,
)  # fmt: skip
SCALARS = (
    exp.Cast, exp.TryCast, exp.Case, exp.If, exp.Coalesce, exp.Nullif, exp.Greatest, exp.Least,
    exp.Abs, exp.Round, exp.Floor, exp.Ceil, exp.Sqrt, exp.Ln, exp.Log, exp.Exp, exp.Pow,
    exp.Sign,
    exp.Upper, exp.Lower, exp.Length, exp.Substring, exp.Trim, exp.Concat, exp.ConcatWs,
    exp.Left, exp.Right, exp.StrPosition, exp.StartsWith, exp.Pad, exp.Replace,
    exp.RegexpLike, exp.RegexpExtract, exp.RegexpReplace,
    exp.Extract, exp.Year, exp.Month, exp.Day, exp.DateTrunc, exp.TimestampTrunc,
    exp.DateDiff, exp.DateAdd, exp.CurrentDate, exp.StrToDate, exp.TimeToStr,
    exp.TsOrDsToDate,
)  # fmt: skip
#: Operators sqlglot models as functions (``a AND b``, ``EXISTS (…)``, ``x ** 2``).
OPERATORS = (exp.And, exp.Or, exp.Xor, exp.Exists, exp.Pow, exp.RegexpFullMatch, exp.RegexpILike)
ALLOWED: tuple[type[exp.Func], ...] = AGGREGATES + WINDOWS + SCALARS + OPERATORS


def function_name(node: exp.Func) -> str:
    return node.name if isinstance(node, exp.Anonymous) else node.sql_name()


def allowed(node: exp.Func) -> bool:
    return type(node) in ALLOWED
