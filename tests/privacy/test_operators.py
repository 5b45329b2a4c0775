"""Each de-identification operator runs inside DuckDB on real values, and emits Spark SQL."""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import pyarrow as pa
import pytest
import sqlglot
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import TypeAdapter, ValidationError
from sqlglot import exp

from hutong.privacy import masks
from hutong.privacy.keys import derive
from hutong.privacy.masks import MaskSpec

MASTER = bytes(range(32))
SPEC = TypeAdapter(MaskSpec)


def run(spec: masks._Spec, values: list[object], domain: str = "students") -> list[object]:
    """The masked values, computed by DuckDB over an Arrow column ``x``."""
    connection = duckdb.connect(config={"threads": 1})
    connection.register("t", pa.table({"x": values}))
    sql = f"SELECT {spec.apply(exp.column('x')).sql('duckdb')} AS y FROM t"
    params = derive(MASTER, domain).params() if spec.keyed else {}
    return [row[0] for row in connection.execute(sql, params).fetchall()]


def test_partial_mask_keeps_first_six_and_last_four_of_a_citizen_id():
    values = ["11010519491231002X", "张三", "123456789", None]
    assert run(masks.Partial(keep_first=6, keep_last=4), values) == [
        "110105********002X",
        "**",  # too short to hide anything: filled entirely
        "*********",
        None,
    ]
    assert run(masks.Partial(keep_first=1, keep_last=0), ["欧阳修"]) == ["欧**"]


def test_pseudonym_is_hmac_sha256_under_the_hkdf_domain_key():
    values = ["11010519491231002X", "G11010519491231002X", "张三", ""]
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"hutong/pseudonym/v1\x00students"
    ).derive(MASTER)
    expected = [hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for v in values]
    assert run(masks.Pseudonym(), values) == expected
    assert run(masks.Pseudonym(), [None]) == [None]
    assert derive(MASTER, "students").pseudonym(values[0]) == expected[0]


def test_pseudonyms_link_within_a_domain_and_not_across_domains():
    value = ["11010519491231002X"]
    assert run(masks.Pseudonym(), value, "exchange:A") == run(
        masks.Pseudonym(), value, "exchange:A"
    )
    assert run(masks.Pseudonym(), value, "exchange:A") != run(
        masks.Pseudonym(), value, "exchange:B"
    )


def test_the_key_is_a_bind_parameter_never_sql_text_nor_repr():
    key = derive(MASTER, "students")
    sql = masks.Pseudonym().apply(exp.column("x")).sql("duckdb")
    pads = key.params()
    assert "$hutong_pk_ipad" in sql and "$hutong_pk_opad" in sql
    assert not any(pad in sql for pad in pads.values())
    assert repr(key) == "PseudonymKey(domain='students')"
    assert key._secret.hex() not in repr(key) + str(pads)


def test_hash_and_null():
    assert run(masks.Hash(), ["110105"]) == [hashlib.sha256(b"110105").hexdigest()]
    assert run(masks.Null(), ["110105", None]) == [None, None]


def test_birth_dates_generalize_to_year_or_month():
    values = ["2008-05-12", "20080512", "2008/5/2", "not a date", None]
    assert run(masks.DateTo(to="year"), values) == ["2008", "2008", "2008", None, None]
    assert run(masks.DateTo(to="month"), values) == ["2008-05", "2008-05", "2008-05", None, None]


def test_region_codes_generalize_six_to_four_to_two_digits():
    assert run(masks.RegionTo(digits=4), ["110105", "320102"]) == ["110100", "320100"]
    assert run(masks.RegionTo(digits=2), ["110105", None]) == ["110000", None]


def test_age_bands():
    assert run(masks.AgeBand(width=5), ["17", "15", "20", "x", None]) == [
        "15-19",
        "15-19",
        "20-24",
        None,
        None,
    ]


def test_top_and_bottom_coding_and_rounding():
    values = ["3", "50", "120", None]
    assert run(masks.TopBottom(low=10, high=100), values) == [10, 50, 100, None]
    assert run(masks.TopBottom(high=100), values) == [3, 50, 100, None]
    assert run(masks.Rounding(base=100), ["1234", "1250", "-1250", None]) == [
        1200,
        1300,
        -1300,
        None,
    ]
    assert run(masks.Rounding(base=0.5), ["1.2", "1.3"]) == [1.0, 1.5]


def test_bad_specs_are_refused():
    for bad in (
        {"op": "partial", "keep_first": -1},
        {"op": "top_bottom"},
        {"op": "top_bottom", "low": 5, "high": 1},
        {"op": "region", "digits": 3},
        {"op": "round", "base": 0},
        {"op": "shuffle"},
    ):
        with pytest.raises(ValidationError):
            SPEC.validate_python(bad)


EVERY_SPEC = [
    masks.Clear(),
    masks.Partial(),
    masks.Pseudonym(),
    masks.Hash(),
    masks.Null(),
    masks.DateTo(to="month"),
    masks.RegionTo(digits=4),
    masks.AgeBand(),
    masks.TopBottom(low=0, high=100),
    masks.Rounding(base=10),
]


@pytest.mark.parametrize("spec", EVERY_SPEC, ids=lambda s: s.op)
def test_every_operator_emits_duckdb_and_spark_sql_from_known_functions(spec):
    tree = spec.apply(exp.column("x"))
    # Only functions sqlglot knows (no engine-specific text), so each dialect can render them.
    assert not list(tree.find_all(exp.Anonymous))
    for dialect in ("duckdb", "spark"):
        text = tree.sql(dialect)
        assert sqlglot.parse_one(text, read=dialect).sql(dialect) == text
    assert SPEC.validate_python(spec.model_dump()) == spec
