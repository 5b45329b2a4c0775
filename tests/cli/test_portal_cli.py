"""``hutong portal …`` and ``hutong disclosure …``: the release gate and disclosure requests
from the host's shell."""

from __future__ import annotations

import re

from hutong.identity.authz import public_actor
from hutong.openportal import disclosure
from tests.cli.test_cli import hutong
from tests.openportal.builders import public_dataset
from tests.openportal.test_disclosure import application


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


def test_disclosure_from_the_command_line(settings, db, org, actors):
    with db.transaction() as session:
        number = disclosure.submit(session, public_actor(), application()).tracking_no
    listed = hutong(settings, "disclosure", "list", "--as", "publisher")
    assert number[:12] in listed.output and "11010519491231002X" not in listed.output
    extended = hutong(settings, "disclosure", "step", number, "extend", "--as", "publisher",
                      "--days", "10", "--reason", "需协调多个部门", "--approver", "王处长")  # fmt: skip
    assert extended.exit_code == 0 and "办理中" in extended.output
    answered = hutong(settings, "disclosure", "step", number, "decide", "--as", "publisher",
                      "--decision", "disclose", "--answer", "见附件")  # fmt: skip
    assert "已答复" in answered.output
