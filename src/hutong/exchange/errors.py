"""Why the exchange refuses: typed errors (zh + en), mapped once to problem+json."""

from __future__ import annotations

from hutong.core.errors import HutongError


class NotShareable(HutongError):
    """不予共享 entries cannot be applied for; the refusal cites the entry's legal basis
    (M2018 §17)."""

    status = 403
    code = "not-shareable"

    def __init__(self, legal_basis: str) -> None:
        basis = legal_basis.strip()[:300]
        super().__init__(
            f"该信息资源不予共享，依据：{basis}",
            f"this resource is not shared; legal basis: {basis}",
            field="resource_code",
        )


class GrantUnknown(HutongError):
    """No grant of that code for the caller's unit and resource (a forged or foreign code
    reads the same as a missing one)."""

    status = 403
    code = "grant-unknown"

    def __init__(self) -> None:
        super().__init__(
            "没有适用的共享授权", "no sharing grant applies to this request", field="grant"
        )


class GrantRevoked(HutongError):
    status = 403
    code = "grant-revoked"

    def __init__(self) -> None:
        super().__init__("该共享授权已被撤销", "the grant has been revoked", field="grant")


class GrantSuspended(HutongError):
    """The catalog version now in force no longer allows the grant (``grants.suspend_unfit``)."""

    status = 403
    code = "grant-suspended"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"该共享授权已暂停：{reason[:300]}",
            "the grant is suspended: the catalog entry changed and no longer allows it",
            field="grant",
        )


class RateLimited(HutongError):
    status = 429
    code = "rate-limited"

    def __init__(self) -> None:
        super().__init__(
            "调用过于频繁，请一分钟后再试",
            "too many calls under this grant; retry in a minute",
            field="grant",
        )


class OnlineOnly(HutongError):
    """用而不存: an online-only grant serves pages, never files to keep (M2018 §22)."""

    status = 403
    code = "online-only"

    def __init__(self) -> None:
        super().__init__(
            "该授权仅限在线查询（用而不存），不能导出文件",
            "the grant is online-only: results are served, files are not delivered",
            field="format",
        )


class GateOpen(HutongError):
    """A grant cannot be issued while a required document or review is missing."""

    status = 409
    code = "gate-open"
