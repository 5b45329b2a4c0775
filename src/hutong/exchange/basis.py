"""Who a grant is for and on what legal basis: the named users or API clients of the
consumer unit it is restricted to (issue 6), and — where the legal basis is consent — the
collection notice purpose whose consents decide which rows it returns (N2021 task 8).

The provider names both when approving; they are checked against the identity registry and
the system's current notice, and the consent basis becomes the policy view's join against
the consent ledger (``privacy/consented.py``) each time a query compiles.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hutong.catalog.models import Resource
from hutong.core.errors import InvalidInput
from hutong.exchange.models import Grant
from hutong.exchange.schemas import ConsentBasisIn
from hutong.identity.models import ApiClient, User
from hutong.policy.grant import ConsentFilter
from hutong.privacy import consented, ledger, notices


def recipients(
    session: Session, unit_id: int, users: Sequence[str], clients: Sequence[str]
) -> tuple[list[str], list[str]]:
    """The named users and API clients, each of the consumer unit (else refused)."""
    users, clients = sorted(set(users)), sorted(set(clients))
    known = set(
        session.scalars(
            select(User.username).where(User.unit_id == unit_id, User.username.in_(users))
        )
    )
    known_clients = set(
        session.scalars(
            select(ApiClient.client_id).where(
                ApiClient.unit_id == unit_id, ApiClient.client_id.in_(clients)
            )
        )
    )
    if set(users) - known:
        raise InvalidInput(
            "指定的用户不是申请单位的用户",
            "a named user is not of the consumer unit",
            field="users",
        )
    if set(clients) - known_clients:
        raise InvalidInput(
            "指定的接入系统不属于申请单位",
            "a named API client is not of the consumer unit",
            field="clients",
        )
    return users, clients


def consent_basis(session: Session, resource: Resource, basis: ConsentBasisIn) -> dict:
    """A consent basis as stored on the grant: the purpose and categories must be in the
    system's current collection notice, the subject item in the entry."""
    notices.system_by_id(session, basis.system_id)
    notice = notices.latest(session, basis.system_id)
    purposes = {p.get("code") for p in notice.purposes} if notice else set()
    if basis.purpose not in purposes:
        raise InvalidInput(
            "该信息系统的收集使用规则中没有此处理目的",
            "the system's collection notice names no such purpose",
            field="approval.consent.purpose",
        )
    if notice is not None and set(basis.categories) - set(notice.categories):
        raise InvalidInput(
            "敏感个人信息类别不在收集使用规则中",
            "a category is not in the system's collection notice",
            field="approval.consent.categories",
        )
    if basis.subject_item not in {item.name for item in resource.items}:
        raise InvalidInput(
            "标识个人的信息项不属于该信息资源",
            "the subject item is not in the entry",
            field="approval.consent.subject_item",
        )
    return basis.model_dump()


def on_grant(grant: Grant) -> ConsentBasisIn | None:
    if grant.consent_system_id is None:
        return None
    return ConsentBasisIn(
        system_id=grant.consent_system_id,
        purpose=grant.consent_purpose,
        categories=grant.consent_categories,
        subject_item=grant.consent_subject_item,
    )


def consent_filter(session: Session, grant: Grant) -> tuple[ConsentFilter | None, dict[str, str]]:
    """The policy view's consent condition as the ledger stands now, and the consent key's
    bind parameters; (None, {}) when the grant's basis is not consent."""
    basis = on_grant(grant)
    if basis is None:
        return None, {}
    current = ledger.consent_set(session, basis.system_id, basis.purpose, basis.categories)
    found = ConsentFilter(
        subject_item=basis.subject_item,
        files=tuple(str(p) for p in current.files),
        wanted=consented.wanted(basis.purpose, basis.categories),
        baseline=current.baseline,
    )
    return found, consented.params(current.key)
