"""Typed domain errors, each with a Chinese and an English message (DESIGN rule 4).

Services raise these; ``web/problems.py`` maps them once to RFC 9457 problem+json and
``cli.py`` prints them. Messages never carry personal information (DESIGN rule 6):
callers pass field names and codes, not values typed by people.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class HutongError(Exception):
    """Base of every error a user can cause; ``status`` is the HTTP status it maps to."""

    status = 400
    code = "bad-request"

    def __init__(self, zh: str, en: str, *, field: str | None = None, **extra: object) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        self.field = field
        self.extra = extra
        #: Work that must survive the rollback this error causes, such as the audit event of
        #: a denied action or a failed login; ``Database.transaction`` runs each in a new
        #: transaction after rolling back the failed one.
        self.after_rollback: list[Callable[[Any], None]] = []

    def message(self, lang: str = "zh") -> str:
        return self.en if lang.startswith("en") else self.zh


class InvalidInput(HutongError):
    status = 422
    code = "invalid-input"


class ImportRejected(InvalidInput):
    """A file import with errors: every problem is listed, and nothing was imported."""

    code = "import-rejected"

    def __init__(self, problems: list[dict[str, object]]) -> None:
        first = problems[0]
        super().__init__(
            f"导入失败，共 {len(problems)} 处错误，未导入任何数据。第一处：{first['message']}",
            f"import rejected with {len(problems)} errors; nothing was imported",
            field=str(first.get("column") or ""),
        )
        self.problems = problems


class NotFound(HutongError):
    status = 404
    code = "not-found"


class Conflict(HutongError):
    status = 409
    code = "conflict"


class AuthenticationFailed(HutongError):
    status = 401
    code = "authentication-failed"


class SecondFactorRequired(AuthenticationFailed):
    code = "second-factor-required"


class PasswordChangeRequired(HutongError):
    status = 403
    code = "password-change-required"


class AccountLocked(HutongError):
    status = 423
    code = "account-locked"


class PermissionDenied(HutongError):
    status = 403
    code = "permission-denied"


class TooManyRequests(HutongError):
    """A rate limit (the open portal's anonymous API and downloads); HTTP adds Retry-After."""

    status = 429
    code = "rate-limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"请求过于频繁，请 {retry_after} 秒后再试",
            f"too many requests; retry after {retry_after} s",
            retry_after=retry_after,
        )
        self.retry_after = retry_after


class SeparationOfDuties(HutongError):
    """三员分立 (N2021 task 6): one account may not hold two of the three officer roles."""

    status = 409
    code = "separation-of-duties"


class UnauditedChange(RuntimeError):
    """A programming error: a transaction changed data without writing its audit event."""
