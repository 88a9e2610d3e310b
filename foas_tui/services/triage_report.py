"""The headless triage document: a triage report as plain JSON data with stable field names (README "Headless
triage"), and the exit status a monitoring check reads from it. Pure functions, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from foas_tui.services.triage import SEVERITY_RANK, JobHealth
from foas_tui.services.triage_gather import ScopeResult, TriageReport
from foas_tui.text import safe_str

SCHEMA = "foas-tui/triage/v1"
FAIL_ON = ("critical", "warning", "info", "never")
EXIT_OK, EXIT_FOUND, EXIT_USAGE, EXIT_SCAN_FAILED = 0, 1, 2, 3


def iso(ms: float | None) -> str | None:
    """Epoch milliseconds as ISO 8601 UTC (`2026-01-01T00:00:00Z`), None for None."""
    if ms is None:
        return None
    stamp = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).replace(microsecond=0)
    return stamp.isoformat().replace("+00:00", "Z")


def finding_json(row: JobHealth) -> dict[str, Any]:
    """One job of the report: who, how bad, why, since when."""
    s = row.summary
    reasons = [{"kind": f.kind, "severity": f.severity_word, "text": f.reason, "since": iso(f.since_ms)}
               for f in sorted(row.findings, key=lambda f: (-SEVERITY_RANK[f.severity_word], -f.weight))]
    return {
        "profile": s.profile,
        "region": s.region,
        "project": s.project,
        "job": s.job_name,
        "job_type": s.job_type,
        "instance_id": s.instance_id,
        "severity": row.severity,
        "health": row.score,
        "reasons": reasons,
        "reason": row.reason,
        "expected_state": s.expect_state or None,
        "actual_state": s.actual_state or None,
        "delay_seconds": round(s.input_delay_ms / 1000, 3) if s.input_delay_ms is not None and s.alive else None,
        "last_error": s.last_error_message or None,
        "last_error_at": iso(s.last_error_ms),
        "since": iso(row.since_ms),
    }


def worst_severity(rows: Sequence[JobHealth]) -> str:
    return max((row.severity for row in rows), key=SEVERITY_RANK.__getitem__, default="ok")


def exit_code(rows: Sequence[JobHealth], fail_on: str) -> int:
    """1 when a job is at or above `fail_on` (critical > warning > info), else 0; `never` is always 0."""
    if fail_on == "never":
        return EXIT_OK
    bar = SEVERITY_RANK[fail_on]
    return EXIT_FOUND if any(SEVERITY_RANK[row.severity] >= bar for row in rows) else EXIT_OK


def scope_json(scope: ScopeResult) -> dict[str, Any]:
    return {"profile": scope.profile, "region": scope.region, "projects": scope.projects, "jobs": scope.jobs,
            "deep_checked": scope.deep_checked, "errors": list(scope.errors), "failed": scope.failed}


def document(report: TriageReport, *, fail_on: str, include_healthy: bool = False,
             rows: Sequence[JobHealth] | None = None) -> dict[str, Any]:
    """The whole JSON document for one scan. `rows`: the (filtered) rows to list, default the report's."""
    rows = list(report.rows if rows is None else rows)
    listed = rows if include_healthy else [row for row in rows if row.findings]
    counts = {level: 0 for level in ("critical", "warning", "info", "ok")}
    for row in rows:
        counts[row.severity] += 1
    scopes = getattr(report, "scopes", None) or []
    return {
        "schema": SCHEMA,
        "generated_at": iso(report.generated_ms),
        "fail_on": fail_on,
        "status": worst_severity(rows),
        "exit_code": exit_code(rows, fail_on),
        "counts": counts,
        "projects": report.projects,
        "jobs": report.jobs,
        "scopes": [scope_json(scope) for scope in scopes],
        "errors": list(report.errors),
        "findings": [finding_json(row) for row in listed],
    }


def text_lines(doc: dict[str, Any]) -> list[str]:
    """The document for a terminal: one line per job, worst first, then the errors (names and messages come
    from the service: through the door, so no escape sequence reaches the terminal)."""
    scopes = safe_str(", ".join(f"{s['profile']}@{s['region']}" for s in doc["scopes"]) or "-", 400)
    counts = doc["counts"]
    lines = [f"triage {doc['generated_at']} · {scopes} · {doc['projects']} project(s) · {doc['jobs']} job(s) · "
             f"{counts['critical']} critical, {counts['warning']} warning, {counts['info']} info"]
    multi = len(doc["scopes"]) > 1
    for item in doc["findings"]:
        where = f"{item['profile']}:" if multi else ""
        lines.append(f"{item['severity'].upper():<8} {item['health']:>3}  "
                     + safe_str(f"{where}{item['project']}/{item['job']}  {item['reason']}", 400))
    lines.extend("error: " + safe_str(error, 400) for error in doc["errors"])
    return lines
