"""``hutong privacy``: consents imported and checked over a local file, and a local Parquet
file anonymized, through the data engine; what the engine cannot read is refused, not raised."""

from __future__ import annotations

import csv
from collections import Counter

import pyarrow.parquet as pq

from hutong.cli import app
from hutong.core.clock import today_local
from hutong.identity.auth import actor_for
from hutong.identity.service import user_by_name
from hutong.privacy import notices
from tests.cli.support import hutong, runner
from tests.privacy.conftest import citizen, make_system, notice_in
from tests.privacy.test_anonymity import QUASI, students


def test_consents_imported_then_checked_over_a_file(settings, db, org, system, tmp_path):
    system_id = make_system(db, system)
    with db.transaction() as session:
        officer = actor_for(user_by_name(session, "pi.officer"))
        notices.publish(session, officer, notice_in(system_id))
    born = today_local().replace(year=today_local().year - 30)
    people = [citizen(born, seq) for seq in range(1, 11)]
    given = tmp_path / "consents.csv"
    given.write_text(
        "\n".join(["subject_id,purpose"] + [f"{p},enrolment" for p in people[:6]]),
        encoding="utf-8",
    )
    receipts = tmp_path / "receipts.csv"
    imported = hutong(
        settings, "privacy", "import-consents", str(system_id), "1", str(given),
        "--as", "pi.officer", "--receipts", str(receipts),
    )  # fmt: skip
    assert imported.exit_code == 0, imported.output
    assert "已导入 6 项同意" in imported.output
    with receipts.open(encoding="utf-8") as handle:
        assert [row["line"] for row in csv.DictReader(handle)] == [str(n) for n in range(2, 8)]
    assert receipts.stat().st_mode & 0o777 == 0o600

    to_check = tmp_path / "名单.csv"
    to_check.write_text("\n".join(["证件号", *people]), encoding="utf-8")
    args = ["privacy", "check-consents", str(system_id), "enrolment", str(to_check)]
    checked = hutong(settings, *args, "--column", "证件号", "--as", "pi.officer")
    assert checked.exit_code == 0, checked.output
    assert "可处理 6 行，不可处理 4 行" in checked.output

    wrong_column = hutong(settings, *args, "--as", "pi.officer")  # no subject_id column
    assert wrong_column.exit_code == 2 and isinstance(wrong_column.exception, SystemExit)
    assert "无法读取文件 名单.csv，或其中没有“subject_id”列" in wrong_column.output


def anonymize(*args: str):
    return runner.invoke(app, ["privacy", "anonymize", *args])


def test_a_local_parquet_file_is_generalized_to_k(tmp_path):
    source, target = tmp_path / "students.parquet", tmp_path / "k5.parquet"
    pq.write_table(students(), source)
    quasi = [option for column in QUASI for option in ("--quasi", column)]
    result = anonymize(str(source), *quasi, "--k", "5", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert "之前：k=1" in result.output and "之后：k=5" in result.output
    written = pq.read_table(target)
    assert 0 < written.num_rows < 3000
    classes = Counter(zip(*(written.column(c).to_pylist() for c in QUASI), strict=True))
    assert min(classes.values()) >= 5


def test_a_file_that_is_not_parquet_is_refused_without_a_traceback(tmp_path):
    source = tmp_path / "名单.parquet"
    source.write_text("region\n110101\n", encoding="utf-8")
    result = anonymize(str(source), "--quasi", "region")
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "无法把文件 名单.parquet 读作 Parquet" in result.output
    assert "110101" not in result.output
