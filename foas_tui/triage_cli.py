"""`foas-tui triage`: the triage board without a screen, for cron, monitoring checks and `jq`.

    foas-tui --demo triage --json | jq '.findings[] | select(.severity == "critical")'
    foas-tui triage --profile prod-hz,prod-sh --json --fail-on warning     # exit 1 when anything is ≥ warning
    foas-tui triage --profile all --watch 60 --json                        # one JSON document per line per minute

Read-only whatever the profile says (triage only reads). The document's fields are described in the README
("Headless triage"); exit codes: 0 nothing at or above --fail-on, 1 something is, 2 bad usage or credentials,
3 the scan failed for every profile.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

# Here, not imported from services.triage_report: building the parser must not load the triage services
# (every start of the TUI builds it). tests/test_triage_cli.py checks they agree.
FAIL_ON = ("critical", "warning", "info", "never")
EXIT_USAGE, EXIT_SCAN_FAILED = 2, 3

if TYPE_CHECKING:
    from foas_tui.config import AppConfig
    from foas_tui.services.filter_query import Query
    from foas_tui.services.triage_gather import TriageScope


class ProfileChoiceError(Exception):
    """`--profile` names nothing usable; the message says what to do."""


def add_triage_parser(subparsers: Any) -> argparse.ArgumentParser:
    triage = subparsers.add_parser(
        "triage", help="scan every project of the profile(s) and print what is broken (text or JSON)",
        description="Scan every project of one or several profiles, score each online job's health and print "
                    "the findings, worst first. Read-only. Exit codes: 0 nothing at or above --fail-on, 1 "
                    "something is, 2 bad usage or credentials, 3 the scan failed for every profile.",
    )
    # The global options again (default SUPPRESS keeps a value given before `triage`): both
    # `foas-tui --demo triage` and `foas-tui triage --demo` work.
    suppress = argparse.SUPPRESS
    triage.add_argument("--profile", "-p", default=suppress,
                        help="profile, several separated by commas (prod-hz,prod-sh), or `all`")
    triage.add_argument("--demo", action="store_true", default=suppress, help="scan the built-in emulator")
    triage.add_argument("--demo-jobs", type=int, default=suppress, metavar="N", help="jobs in the demo")
    triage.add_argument("--region", default=suppress, help="region id (overrides the profiles')")
    triage.add_argument("--endpoint", default=suppress, help="endpoint host or URL (overrides the profiles')")
    triage.add_argument("--json", action="store_true", help="print one JSON document (see the README)")
    triage.add_argument("--compact", action="store_true", help="JSON on one line (always so with --watch)")
    triage.add_argument("--fail-on", choices=FAIL_ON, default="critical",
                        help="exit 1 when a job is at or above this severity (default critical)")
    triage.add_argument("--watch", type=float, metavar="SECONDS",
                        help="scan again every SECONDS (≥ 1) and print each result (JSON: one document a line)")
    triage.add_argument("--count", type=int, metavar="N", help="with --watch: stop after N scans")
    triage.add_argument("--all", action="store_true", help="list healthy jobs too")
    triage.add_argument("--filter", metavar="QUERY",
                        help="keep the jobs the `/` filter language selects, e.g. 'severity:critical "
                             "profile:prod' or 'delay>5m | state:failed'")
    triage.add_argument("--project", action="append", metavar="NAME",
                        help="only this project (repeat or separate by commas); default every project")
    triage.set_defaults(handler=run_triage)
    return triage


# --- profiles -----------------------------------------------------------------------------------------


def profile_names(value: str | None) -> list[str] | None:
    """`a,b` → [a, b]; `all` → every saved profile; None/"" → None (the usual single-profile resolution)."""
    if value is None or not value.strip():
        return None
    names = list(dict.fromkeys(n.strip() for n in value.split(",") if n.strip()))
    if names == ["all"]:
        from foas_tui.credentials import ProfileStore

        names = [profile.name for profile in ProfileStore().list()]
        if not names:
            raise ProfileChoiceError("--profile all: there is no saved profile; add one with "
                                     "`foas-tui profile add NAME --region REGION`")
    elif "all" in names:
        raise ProfileChoiceError("--profile all stands alone (it already means every saved profile)")
    return names


def build_scopes(names: Sequence[str | None], options: Any, config: AppConfig) -> list[TriageScope]:
    """One read-only client per profile (credentials from the profile's secret store, as the app does)."""
    from foas_tui.api.client import FoasClient
    from foas_tui.credentials import resolve_credentials
    from foas_tui.services.triage_gather import TriageScope

    scopes = []
    for name in names:
        resolved = resolve_credentials(
            profile=name, region=getattr(options, "region", None), endpoint=getattr(options, "endpoint", None),
            access_key_id=getattr(options, "access_key_id", None), read_only=True,
            default_profile=config.default_profile,
        )
        client = FoasClient(
            resolved.credentials, region_id=resolved.region_id, endpoint=resolved.endpoint, read_only=True,
            timeout=config.client.timeout, retries=config.client.retries,
            max_concurrency=config.client.max_concurrency, max_response_bytes=config.client.max_response_bytes,
        )
        scopes.append(TriageScope(resolved.profile_name or name or str(resolved.source), resolved.region_id, client))
    return scopes


def demo_scope(jobs: int, config: AppConfig, hostile: bool = False) -> TriageScope:
    from foas_tui.emulator import EmulatorConfig, create_app, demo_client
    from foas_tui.services.triage_gather import TriageScope

    emulator = create_app(EmulatorConfig(jobs=jobs, hostile=hostile))
    client = demo_client(emulator, read_only=True, timeout=config.client.timeout, retries=config.client.retries)
    return TriageScope("demo", client.region_id, client)


# --- the command ----------------------------------------------------------------------------------------


def _config(err: TextIO) -> AppConfig:
    from foas_tui.config import AppConfig, ConfigError, load_config

    try:
        return load_config()
    except ConfigError as error:
        print(f"foas-tui: {error}; using the default thresholds", file=err)
    except Exception as error:  # an unusable settings file must not stop a monitoring check
        print(f"foas-tui: cannot load the config ({error}); using the default thresholds", file=err)
    return AppConfig()


def run_triage(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    watch = getattr(args, "watch", None)
    if watch is not None and not watch >= 1:
        print("foas-tui: --watch takes a number of seconds, at least 1 (e.g. --watch 60)", file=err)
        return EXIT_USAGE
    if args.count is not None and (args.count < 1 or watch is None):
        print("foas-tui: --count N (N ≥ 1) goes with --watch", file=err)
        return EXIT_USAGE
    config = _config(err)
    query = None
    if args.filter:
        from foas_tui.services.filter_query import TRIAGE_ALIASES, TRIAGE_FIELDS, FilterError, parse_query

        try:
            query = parse_query(args.filter, TRIAGE_FIELDS, TRIAGE_ALIASES)
        except FilterError as error:
            print(f"foas-tui: --filter {args.filter!r}: {error.message}", file=err)
            return EXIT_USAGE
    try:
        if getattr(args, "demo", False):
            scopes = [demo_scope(getattr(args, "demo_jobs", 64) or 64, config,
                                 hostile=bool(getattr(args, "hostile_text", False)))]
        else:
            names = profile_names(getattr(args, "profile", None))
            scopes = build_scopes(names or [None], args, config)
    except Exception as error:  # no credentials, unknown profile, no keyring: a sentence, never a traceback
        print(f"foas-tui: {error}", file=err)
        return EXIT_USAGE
    projects = [p.strip() for value in (args.project or []) for p in value.split(",") if p.strip()] or None
    state = {"code": 0}
    try:
        asyncio.run(_scan_loop(scopes, args, config, query, projects, out, err, state))
    except KeyboardInterrupt:
        pass  # --watch stopped by the operator: the exit code of the last scan
    except BrokenPipeError:  # `| head` closed the pipe: stop quietly, as other Unix tools do
        if out is sys.stdout:
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
    return state["code"]


async def _scan_loop(scopes: list[TriageScope], args: argparse.Namespace, config: AppConfig, query: Query | None,
                     projects: list[str] | None, out: TextIO, err: TextIO, state: dict[str, int]) -> None:
    from foas_tui.services.triage import Thresholds, filter_record
    from foas_tui.services.triage_gather import MultiGatherer
    from foas_tui.services.triage_report import SCHEMA, document, iso, text_lines

    gatherer = MultiGatherer(scopes, thresholds=Thresholds.from_config(config.triage),
                             concurrency=max(1, min(8, config.client.max_concurrency)), projects=projects)
    scans = 0
    try:
        while True:
            try:
                report = await gatherer.gather()
            except Exception as error:  # every profile failed: say so, in the format asked for
                text = getattr(error, "message", None) or str(error) or type(error).__name__
                doc: dict[str, Any] = {"schema": SCHEMA, "generated_at": iso(gatherer.gatherers[0].now() * 1000),
                                       "fail_on": args.fail_on, "status": "error", "exit_code": EXIT_SCAN_FAILED,
                                       "errors": [f"scan failed: {text}"], "findings": []}
                print(f"foas-tui: triage scan failed: {text}", file=err)
            else:
                rows = report.rows if query is None else [r for r in report.rows if query.matches(filter_record(r))]
                doc = document(report, fail_on=args.fail_on, include_healthy=args.all, rows=rows)
            state["code"] = int(doc["exit_code"])
            if args.json:
                compact = args.compact or args.watch is not None
                print(json.dumps(doc, separators=(",", ":")) if compact else json.dumps(doc, indent=2), file=out)
            elif doc.get("status") != "error":
                print("\n".join(text_lines(doc)), file=out)
            out.flush()
            scans += 1
            if args.watch is None or (args.count is not None and scans >= args.count):
                return
            await asyncio.sleep(args.watch)
    finally:
        for scope in scopes:
            await scope.client.aclose()
