"""Controlled vocabularies of the exchange, each value with its Chinese label."""

from __future__ import annotations

from enum import StrEnum

from hutong.catalog.vocab import LABELS, Labelled


class AppStatus(Labelled):
    """States of a share application (``applications.py`` holds the transitions)."""

    SUBMITTED = "submitted"  # awaiting the provider; the 10-working-day clock runs
    INFO_REQUESTED = "info_requested"  # the provider asked for more; the clock is paused
    SECURITY_REVIEW = "security_review"  # 网信办 reviews PI and important/core data
    AWAITING_DOCUMENTS = "awaiting_documents"  # agreement / provincial approval / assessment
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


OPEN_STATES = frozenset(
    {
        AppStatus.SUBMITTED,
        AppStatus.INFO_REQUESTED,
        AppStatus.SECURITY_REVIEW,
        AppStatus.AWAITING_DOCUMENTS,
    }
)


class PurposeCategory(Labelled):
    """Why a unit needs the data (M2018 §19–20: a stated purpose, used for nothing else)."""

    ADMINISTRATION = "administration"  # 履职管理
    STATISTICS = "statistics"  # 统计分析
    DECISION = "decision"  # 决策支持
    SUPERVISION = "supervision"  # 监督检查
    VERIFICATION = "verification"  # 信息核验
    RESEARCH = "research"  # 科学研究
    PUBLIC_SERVICE = "public_service"  # 公共服务


class DocumentKind(Labelled):
    """Gate documents recorded before a grant (M2018 §21, N2021 tasks 9 and 10)."""

    AGREEMENT = "agreement"  # 共享安全保密协议
    PROVINCIAL_APPROVAL = "provincial_approval"  # 省级教育行政部门批准
    CHILD_ASSESSMENT = "child_assessment"  # 儿童信息安全评估与责任书


class GrantStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # the catalog version in force no longer allows it
    REVOKED = "revoked"


#: What a consumer reads for a grant's state (``grants.state``).
GRANT_STATES_ZH = {
    "active": "有效",
    "pending": "未到生效日期",
    "suspended": "已暂停",
    "revoked": "已撤销",
    "expired": "已过期",
}


class RequestStatus(StrEnum):
    """External-provision requests and correction reports: open until answered."""

    OPEN = "open"
    APPROVED = "approved"
    REFUSED = "refused"
    ANSWERED = "answered"


LABELS[AppStatus] = {
    AppStatus.SUBMITTED: "待提供方答复",
    AppStatus.INFO_REQUESTED: "待补充材料",
    AppStatus.SECURITY_REVIEW: "待安全审核",
    AppStatus.AWAITING_DOCUMENTS: "待签署协议/批准",
    AppStatus.GRANTED: "已授权",
    AppStatus.REFUSED: "不予共享",
    AppStatus.WITHDRAWN: "已撤回",
}
LABELS[PurposeCategory] = {
    PurposeCategory.ADMINISTRATION: "履职管理",
    PurposeCategory.STATISTICS: "统计分析",
    PurposeCategory.DECISION: "决策支持",
    PurposeCategory.SUPERVISION: "监督检查",
    PurposeCategory.VERIFICATION: "信息核验",
    PurposeCategory.RESEARCH: "科学研究",
    PurposeCategory.PUBLIC_SERVICE: "公共服务",
}
LABELS[DocumentKind] = {
    DocumentKind.AGREEMENT: "共享安全保密协议",
    DocumentKind.PROVINCIAL_APPROVAL: "省级教育行政部门批准",
    DocumentKind.CHILD_ASSESSMENT: "儿童信息安全评估及责任书",
}
