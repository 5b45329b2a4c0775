"""``hutong portal``: the release gate (数据公开审核) from the host's shell."""

from __future__ import annotations

import re

from tests.cli.support import hutong
from tests.openportal.builders import public_dataset


def test_release_from_the_command_line(settings, db, actors, org, classes, tmp_path):
    code = public_dataset(db, actors, org, tmp_path, go_public=False)
    submitted = hutong(settings, "portal", "submit", code, "--as", "data.steward")
    assert submitted.exit_code == 0 and "待发布审核" in submitted.output, submitted.output
    number = re.search(r"公开申请 (\d+)", submitted.output).group(1)
    assert hutong(settings, "portal", "step", number, "approve", "--as", "publisher").exit_code == 0
    missing = hutong(settings, "portal", "step", number, "clear", "--as", "security.reviewer")
    assert missing.exit_code == 2 and "risk_note" in missing.output
    cleared = hutong(
        settings, "portal", "step", number, "clear", "--as", "security.reviewer", "--note", "风险低"
    )
    assert "已公开" in cleared.output
    listed = hutong(settings, "portal", "releases", "--as", "publisher", "--state", "public")
    assert code in listed.output
