"""Command line: `foas-tui [--demo] [--profile P] ...`, `foas-tui profile ...`, `foas-tui emulator ...`.

Parses arguments only; the app, the emulator and keyring are imported lazily by the chosen command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from foas_tui import __version__

EPILOG = """\
examples:
  foas-tui --demo                      try it on the built-in emulator (no cloud account)
  foas-tui profile add prod --region cn-shanghai
  foas-tui --profile prod --read-only  browse production without any risk of changing it
  foas-tui emulator --port 8123        run the emulator as a real HTTP server
  foas-tui --demo triage --json | jq   what is broken, as JSON (exit 1 on critical; see --fail-on)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="foas-tui",
        description="Terminal UI for Alibaba Cloud Realtime Compute (foas, managed Flink/Blink).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"foas-tui {__version__}")
    parser.add_argument("--demo", action="store_true", help="run on the embedded emulator with demo data")
    parser.add_argument("--demo-jobs", type=int, default=64, metavar="N", help="jobs in the demo (default 64)")
    parser.add_argument("--profile", "-p", help="profile name (see `foas-tui profile list`); several separated by "
                        "commas, or `all`: the triage board merges them (the first is the main screen's)")
    parser.add_argument("--region", help="region id, e.g. cn-hangzhou (overrides the profile)")
    parser.add_argument("--endpoint", help="endpoint host or URL (overrides the region's default)")
    parser.add_argument("--access-key-id", help="AccessKey ID; the secret is then asked for (never on argv)")
    parser.add_argument("--read-only", action="store_true", help="refuse every mutating operation")
    parser.add_argument("--log-file", metavar="PATH", help="write a debug log (mode 0600, secrets redacted)")
    parser.add_argument("--hostile-text", action="store_true",
                        help="with --demo: fill names, descriptions, code and errors with escape sequences, "
                             "markup and other hostile text (a robustness check)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    from foas_tui.emulator.server import add_emulator_parser
    from foas_tui.profile_cli import add_profile_parser
    from foas_tui.triage_cli import add_triage_parser

    add_profile_parser(sub)
    add_emulator_parser(sub).add_argument(
        "--hostile-text", action="store_true",
        help="answer with escape sequences, markup and other hostile text in names, descriptions and errors")
    add_triage_parser(sub)
    serve = sub.add_parser("serve", help="serve the TUI in a web browser (textual-serve)")
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default loopback only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--public-url", metavar="URL",
                       help="the URL the browser uses when it differs from host:port (an SSH tunnel on another "
                            "local port, a reverse proxy); default $FOAS_TUI_SERVE_PUBLIC_URL or http://HOST:PORT")
    serve.add_argument("app_args", nargs=argparse.REMAINDER, help="arguments for the app, e.g. --demo")
    serve.set_defaults(handler=_serve)
    return parser


def _serve(args: argparse.Namespace) -> int:
    from foas_tui.serve import serve

    return serve(args.host, args.port, args.app_args, url=args.public_url)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.log_file:
        from foas_tui.logging_setup import configure_file_logging

        try:
            configure_file_logging(args.log_file)
        except OSError as err:
            print(f"foas-tui: cannot write the log file {args.log_file}: {err.strerror or err}. "
                  "Pick a writable path for --log-file.", file=sys.stderr)
            return 2
    handler = getattr(args, "handler", None)
    if handler is None and args.hostile_text and not args.demo:
        print("foas-tui: --hostile-text works on the demo emulator only; add --demo.", file=sys.stderr)
        return 2
    if handler is not None:
        return int(handler(args) or 0)
    from foas_tui.app_launch import run_app

    return int(run_app(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
