"""``hutong data``: ingest with refusal and quarantine, and the quarantined rows as CSV."""

from __future__ import annotations

from tests.cli.support import hutong


def test_data_ingest_command(settings, db, org, classes, actors, tmp_path):
    from hutong.catalog import service
    from tests.support import entry

    with db.transaction() as session:
        code = service.create(
            session,
            actors["data_steward"],
            entry(
                org,
                items=[
                    {"name": "学校标识码", "data_type": "字符型"},
                    {"name": "学校名称", "data_type": "字符型"},
                ],
            ),
        ).code
    path = tmp_path / "学校.csv"
    path.write_text(
        "学校标识码,学校名称\n4111010001,北京大学\n4199010001,不存在的学校\n", encoding="gbk"
    )
    refused = hutong(settings, "data", "ingest", code, str(path), "--as", "data.steward")
    assert refused.exit_code == 2 and "第 3 行“学校标识码”" in refused.output.replace("\n", "")
    result = hutong(
        settings,
        "data",
        "ingest",
        code,
        str(path),
        "--as",
        "data.steward",
        "--on-invalid",
        "quarantine",
    )
    assert result.exit_code == 0, result.output
    assert (
        "已发布第 1 版" in result.output
        and "隔离 1 行" in result.output
        and "gb18030" in result.output
    )
    assert "主要原因：“学校标识码”学校标识码无效" in result.output
    assert f"hutong data rejects {code} 1 --as data.steward" in result.output
    rejects = tmp_path / "rejects.csv"
    written = hutong(
        settings, "data", "rejects", code, "1", "--as", "data.steward", "--out", str(rejects)
    )
    assert written.exit_code == 0, written.output
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("行号,错误,") and lines[1].startswith("3,学校标识码：学校标识码无效")
    nothing_valid = tmp_path / "bad.csv"
    nothing_valid.write_text("学校标识码,学校名称\n1211010001,某校\n", encoding="utf-8")
    refused = hutong(
        settings,
        "data",
        "ingest",
        code,
        str(nothing_valid),
        "--as",
        "data.steward",
        "--on-invalid",
        "quarantine",
    )
    assert refused.exit_code == 2
    assert "全部 1 行均未通过校验，未发布新版本" in refused.output.replace("\n", "")
