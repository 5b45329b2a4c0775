"""Public datasets built the real way: a 主动公开 entry, a version ingested from CSV, and the
release gate passed (check, publisher, security reviewer)."""

from __future__ import annotations

from pathlib import Path

from hutong.catalog.schemas import ItemIn
from hutong.data.ingest import ingest_file
from hutong.openportal import release
from tests.support import entry, published

ENROLMENT_HEADER = ["学校名称", "年级", "性别", "学生人数"]


def enrolment_rows(n: int = 40, small: bool = False) -> list[list[str]]:
    rows = []
    for i in range(n):
        count = 3 if small and i % 10 == 0 else 40 + i
        rows.append([f"第{i // 4 + 1}中学", f"{i % 4 + 7}年级", "1" if i % 2 else "2", str(count)])
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def open_entry(org, name: str = "各校在校生人数", items: list[str] | None = None, **changes):
    """A 主动公开 statistical entry of the steward's unit, without personal information."""
    names = items or ENROLMENT_HEADER
    fields = dict(
        name=name,
        summary=f"{name}：按学校、年级、性别汇总的统计表（公开数据）。",
        classification_code="302",
        format="table",
        share_type="unconditional",
        share_conditions="",
        open_type="proactive",
        open_conditions="",
        open_method="开放平台",
        update_cycle="annual",
        data_kind="statistical",
        grade="general",
        has_pi=False,
        approx_persons=None,
        items=[
            ItemIn(name=n, data_type="数值型", length=12)
            if n.endswith("人数")
            else ItemIn(name=n, data_type="字符型", length=50)
            for n in names
        ],
    )
    return entry(org, **{**fields, **changes})


def public_dataset(db, actors, org, tmp_path: Path, name: str = "各校在校生人数",
                   rows: list[list[str]] | None = None, header: list[str] | None = None,
                   go_public: bool = True) -> str:  # fmt: skip
    """Create, publish, ingest and (by default) release an open entry; returns its code."""
    header = header or ENROLMENT_HEADER
    code = published(db, actors, open_entry(org, name=name, items=header))
    path = write_csv(tmp_path / f"{code.replace('/', '-')}.csv", header, rows or enrolment_rows())
    ingest_file(db, actors["data_steward"], code, path)
    if go_public:
        release_through_gate(db, actors, code)
    return code


def release_through_gate(db, actors, code: str) -> int:
    with db.transaction() as session:
        row = release.submit(session, actors["data_steward"], code)
        assert row.state == release.AWAITING_PUBLISHER, row.check_report
        release_id = row.id
    with db.transaction() as session:
        release.transition(session, actors["publisher"], release_id, "approve", "同意公开")
    with db.transaction() as session:
        release.transition(
            session, actors["security_reviewer"], release_id, "clear", "无个人信息，政策风险低"
        )
    return release_id
