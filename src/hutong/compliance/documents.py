"""Official documents rendered from the report data: the rectification notice (整改通知单),
the risk assessment report and a unit's yearly compliance report, as HTML and as PDF.

One Jinja2 template per document over ``reports.py``'s plain data; the PDF is the same HTML
laid out by WeasyPrint (Pango + HarfBuzz), which embeds subsets of the Noto CJK fonts that
Debian's fonts-noto-cjk installs, so the text stays selectable and searchable (decision 0010).
The documents are in Chinese whatever the console's language: they are what is sent and filed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from hutong.compliance import reports
from hutong.identity.authz import Actor

TEMPLATES = Path(__file__).parent / "templates"
Format = Literal["html", "pdf"]
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}
DOCUMENTS = {
    "M2018": "《教育部机关及直属事业单位教育数据管理办法》",
    "N2021": "《教育部等七部门关于加强教育系统数据安全工作的通知》",
}
DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1–99 as written in official documents: 十二, 二十, 四十一."""
    tens, ones = divmod(n, 10)
    if n < 10:
        return DIGITS[n]
    return f"{DIGITS[tens] if tens > 1 else ''}十{DIGITS[ones] if ones else ''}"


def cite(article: str, short: bool = False) -> str:
    """'M2018 §41' → 《…办法》第四十一条; 'N2021 task 9' → 《…通知》重点任务第九项."""
    match = re.fullmatch(r"(M2018) §(\d+)|(N2021) task (\d+)", article.strip())
    if not match:
        return article
    if match.group(1):
        name = "《办法》" if short else DOCUMENTS["M2018"]
        return f"{name}第{chinese_number(int(match.group(2)))}条"
    name = "《通知》" if short else DOCUMENTS["N2021"]
    return f"{name}重点任务第{chinese_number(int(match.group(4)))}项"


def date_zh(value: str | None) -> str:
    """'2026-11-23' → 2026年11月23日 (the date line of a document)."""
    if not value:
        return ""
    year, month, day = value[:10].split("-")
    return f"{year}年{int(month)}月{int(day)}日"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    env.filters["cite"] = cite
    env.filters["date_zh"] = date_zh
    env.filters["cn"] = chinese_number
    return env


def html_of(template: str, data: dict[str, Any]) -> str:
    return environment().get_template(template).render(doc=data)


def pdf_of(html: str) -> bytes:
    """Lay the HTML out on A4 pages with WeasyPrint; fonts are embedded as subsets."""
    from weasyprint import HTML  # loaded on first use: ~0.7 s that only PDF reports need

    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def _render(template: str, data: dict[str, Any], fmt: Format) -> bytes:
    html = html_of(template, data)
    return html.encode() if fmt == "html" else pdf_of(html)


def notice(session: Session, actor: Actor, notice_id: int, fmt: Format) -> tuple[str, bytes]:
    """(file name, bytes) of a 整改通知单; the read is audited as an export."""
    data = reports.notice_document_data(session, actor, notice_id, export=fmt)
    return f"整改通知单-{data['number']}.{fmt}", _render("notice.html", data, fmt)


def assessment(
    session: Session, actor: Actor, assessment_id: int, fmt: Format
) -> tuple[str, bytes]:
    data = reports.assessment_report_data(session, actor, assessment_id, export=fmt)
    return f"风险评估报告-{data['id']}.{fmt}", _render("assessment.html", data, fmt)


def unit_report(
    session: Session, actor: Actor, unit_code: str, year: int | None, fmt: Format
) -> tuple[str, bytes]:
    data = reports.unit_compliance_summary(session, actor, unit_code, year, export=fmt)
    data["trend_chart"] = trend_bars(data["trend"])  # type: ignore[arg-type]
    label = year if year is not None else "近12个月"
    return f"合规报告-{unit_code}-{label}.{fmt}", _render("unit_report.html", data, fmt)


def trend_bars(trend: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """Bars for the report's SVG chart (no script in a PDF): per month, opened and closed
    scaled to the largest month."""
    peak = max(
        [c.get("opened", 0) + c.get("reopened", 0) for c in trend.values()]
        + [c.get("closed", 0) for c in trend.values()]
        + [1]
    )
    return [
        {
            "month": month[5:] + "月",
            "opened": counts.get("opened", 0) + counts.get("reopened", 0),
            "closed": counts.get("closed", 0),
            "opened_h": round(100 * (counts.get("opened", 0) + counts.get("reopened", 0)) / peak),
            "closed_h": round(100 * counts.get("closed", 0) / peak),
        }
        for month, counts in trend.items()
    ]
