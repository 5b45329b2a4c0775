"""``hutong disclosure``: requests for disclosure (依申请公开) from the host's shell."""

from __future__ import annotations

from hutong.identity.authz import public_actor
from hutong.openportal import disclosure
from tests.cli.support import hutong
from tests.openportal.test_disclosure import application


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
