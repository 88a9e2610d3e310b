"""`foas-tui profile ...`: add, list, remove, test, import-aliyun, set-default.

Each command prints for humans and returns an exit code; a secret is never read from argv.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from foas_tui.config import ConfigError
from foas_tui.credentials import (
    STORE_KINDS,
    CredentialError,
    CredentialFlags,
    Profile,
    ProfileStore,
    ResolvedCredentials,
    Secret,
    SecretStore,
    SecretStoreUnavailable,
    StoreFactory,
    StoreKind,
    check_profile_name,
    import_aliyun,
    mask_id,
    resolve_credentials,
    save_profile,
    store_kind_from_env,
    terminal_store_factory,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130

ClientFactory = Callable[[ResolvedCredentials], Any]
"""Builds an async client with `.list_project(page_size=1)` (and optionally `.aclose()`)."""


@dataclass
class ProfileContext:
    """What the commands need from outside; tests swap any part."""

    profiles: ProfileStore
    store_factory: StoreFactory
    make_client: ClientFactory


def default_client_factory(resolved: ResolvedCredentials) -> Any:
    from foas_tui.api.client import FoasClient

    return FoasClient(
        resolved.credentials,
        region_id=resolved.region_id,
        endpoint=resolved.endpoint,
        read_only=resolved.read_only,
    )


def _out(text: str = "") -> None:
    print(text, file=sys.stdout)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


# --- reading what the user types ------------------------------------------------------------------


def _read_secret(args: argparse.Namespace) -> str:
    if args.secret_stdin:
        secret = sys.stdin.readline().strip()
    else:
        secret = getpass.getpass(f"AccessKey secret for profile {args.name} (hidden): ").strip()
    if not secret:
        raise CredentialError("no AccessKey secret given; nothing was saved")
    return secret


def _read_access_key_id(args: argparse.Namespace) -> str:
    key_id = args.access_key_id
    if not key_id:
        if args.secret_stdin:
            raise CredentialError("--secret-stdin needs --access-key-id (stdin carries only the secret)")
        key_id = input("AccessKey ID: ")
    key_id = key_id.strip()
    if not key_id or any(c.isspace() for c in key_id):
        raise CredentialError("the AccessKey ID must be non-empty and without spaces")
    return key_id


# --- commands -------------------------------------------------------------------------------------


def cmd_add(args: argparse.Namespace, ctx: ProfileContext) -> int:
    name = check_profile_name(args.name)
    region = args.region.strip()
    if not region:
        raise CredentialError("--region must not be empty")
    kind = args.store or store_kind_from_env()
    store = ctx.store_factory(kind)
    try:
        store.check()  # before anything is typed: a headless box must not cost the operator their secret
    except SecretStoreUnavailable as err:
        _err(f"foas-tui: cannot keep a secret in the {store.describe()}: nothing was asked and nothing saved.\n{err}")
        if kind == "keyring":
            _err(f"With the encrypted file: foas-tui profile add {name} --region {region} --store cryptfile")
        return EXIT_ERROR
    key_id = _read_access_key_id(args)
    secret = _read_secret(args)
    profile = Profile(
        name=name,
        region_id=region,
        access_key_id=key_id,
        endpoint=args.endpoint or None,
        read_only=args.read_only,
        store=kind,
    )

    def same_store(wanted: StoreKind) -> SecretStore:
        return store if wanted == kind else ctx.store_factory(wanted)  # the checked (opened) store is reused

    made_default = save_profile(ctx.profiles, profile, Secret(secret), same_store)
    _out(f"Saved profile {name}: {mask_id(key_id)} in {region}; secret in {store.describe()}.")
    if made_default:
        _out(f"{name} is now the default profile.")
    return EXIT_OK


def _secret_status(profile: Profile, ctx: ProfileContext, failures: dict[str, SecretStoreUnavailable]) -> str:
    if profile.store in failures:
        return "unknown"
    try:
        return "set" if ctx.store_factory(profile.store).has_secret(profile.name) else "not set"
    except SecretStoreUnavailable as err:
        failures[profile.store] = err
        return "unknown"


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def cmd_list(args: argparse.Namespace, ctx: ProfileContext) -> int:
    content = ctx.profiles.load()
    if not content.profiles:
        _out(f"No profiles in {ctx.profiles.path}. Add one: foas-tui profile add NAME --region REGION")
        return EXIT_OK
    failures: dict[str, SecretStoreUnavailable] = {}
    rows = [["", "NAME", "REGION", "ENDPOINT", "ACCESS KEY ID", "READ-ONLY", "STORE", "SECRET"]]
    for name in sorted(content.profiles):
        p = content.profiles[name]
        rows.append(
            [
                "*" if name == content.default else "",
                name,
                p.region_id,
                p.endpoint or "-",
                mask_id(p.access_key_id),
                "yes" if p.read_only else "no",
                p.store,
                _secret_status(p, ctx, failures),
            ]
        )
    for line in _table(rows):
        _out(line)
    for kind, err in failures.items():
        _err(f"Secret status of {kind} profiles is unknown: {err.summary} ({err.reason}).")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace, ctx: ProfileContext) -> int:
    profile = ctx.profiles.get(args.name)
    try:
        ctx.store_factory(profile.store).delete(profile.name)
    except SecretStoreUnavailable as err:
        if not args.force:
            _err(f"{err}\nProfile {profile.name} kept; use --force to remove the entry anyway.")
            return EXIT_ERROR
        _err(f"Warning: the secret may remain in the {profile.store} store: {err.summary}.")
    ctx.profiles.remove(profile.name)
    _out(f"Removed profile {profile.name}.")
    return EXIT_OK


async def _probe(client: Any) -> Any:
    try:
        return await client.list_project(page_size=1)
    finally:
        close = getattr(client, "aclose", None)
        if close is not None:
            await close()


def cmd_test(args: argparse.Namespace, ctx: ProfileContext) -> int:
    from foas_tui.api.errors import FoasError

    resolved = resolve_credentials(
        CredentialFlags(profile=args.name), profiles=ctx.profiles, store_factory=ctx.store_factory
    )
    for warning in resolved.warnings:
        _err(f"Warning: {warning}")
    who = f"profile {args.name} ({mask_id(resolved.credentials.access_key_id)}, {resolved.region_id})"
    try:
        result = asyncio.run(_probe(ctx.make_client(resolved)))
    except FoasError as err:
        _err(f"FAILED: {who}: {err}")
        return EXIT_FAILED
    total = getattr(result, "total_count", None)
    count = f", {total} project(s) visible" if total is not None else ""
    _out(f"OK: {who}: ListProject answered{count}.")
    return EXIT_OK


def cmd_import_aliyun(args: argparse.Namespace, ctx: ProfileContext) -> int:
    result = import_aliyun(
        args.path,
        args.source_name,
        args.as_name,
        store=args.store,
        profiles=ctx.profiles,
        store_factory=ctx.store_factory,
    )
    p = result.profile
    _out(
        f"Imported aliyun profile {result.source_name} ({result.mode}) from {result.path} as {p.name}: "
        f"{mask_id(p.access_key_id)} in {p.region_id}; secret in {ctx.store_factory(p.store).describe()}."
    )
    if result.made_default:
        _out(f"{p.name} is now the default profile.")
    for warning in result.warnings:
        _err(f"Warning: {warning}")
    return EXIT_OK


def cmd_set_default(args: argparse.Namespace, ctx: ProfileContext) -> int:
    ctx.profiles.set_default(args.name)
    _out(f"{args.name} is now the default profile.")
    return EXIT_OK


# --- argparse -------------------------------------------------------------------------------------


class _RefuseSecret(argparse.Action):
    """Hidden `--secret` & co.: argv is visible to every user of the host (`ps`), so say how instead."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: Any, values: Any, option: Any = None) -> None:
        parser.error(
            f"{option} is not accepted: secrets are never read from the command line. "
            "Type it at the hidden prompt, or pipe it with --secret-stdin."
        )


def _add_parser(sub: Any) -> None:
    p = sub.add_parser("add", help="add or replace a profile (the secret is prompted for, never an argument)")
    p.add_argument("name", help="profile name (letters, digits, . _ -)")
    p.add_argument("--region", required=True, help="region id, e.g. cn-hangzhou")
    p.add_argument("--endpoint", help="endpoint URL (default: derived from the region)")
    p.add_argument("--access-key-id", help="AccessKey ID (prompted for if omitted)")
    p.add_argument("--read-only", action="store_true", help="refuse mutating calls with this profile")
    p.add_argument("--store", choices=STORE_KINDS, help="where the secret goes (default: keyring)")
    p.add_argument("--secret-stdin", action="store_true", help="read the secret from the first line of stdin")
    for flag in ("--secret", "--access-key-secret", "--security-token", "--sts-token"):
        p.add_argument(flag, nargs="?", action=_RefuseSecret, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.set_defaults(profile_handler=cmd_add)


def add_profile_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `profile` and its subcommands on an argparse subparsers object; returns the `profile` parser.

    After parsing, `args.handler(args)` (that is `run_profile_command`) runs the chosen subcommand.
    """
    parser = subparsers.add_parser("profile", help="manage credential profiles")
    parser.set_defaults(handler=run_profile_command)
    sub = parser.add_subparsers(dest="profile_command", metavar="COMMAND", required=True)
    _add_parser(sub)
    sub.add_parser("list", help="list profiles (masked key ids, never secrets)").set_defaults(profile_handler=cmd_list)
    p = sub.add_parser("remove", help="remove a profile and its secret")
    p.add_argument("name")
    p.add_argument("--force", action="store_true", help="remove the entry even if the secret store fails")
    p.set_defaults(profile_handler=cmd_remove)
    p = sub.add_parser("test", help="call ListProject with a profile")
    p.add_argument("name")
    p.set_defaults(profile_handler=cmd_test)
    p = sub.add_parser("import-aliyun", help="import an AK or StsToken profile from ~/.aliyun/config.json")
    p.add_argument("--name", dest="source_name", help="aliyun profile to import (default: its current)")
    p.add_argument("--as", dest="as_name", help="name of the foas-tui profile (default: the same)")
    p.add_argument("--path", help="aliyun config file (default: ~/.aliyun/config.json)")
    p.add_argument("--store", choices=STORE_KINDS, help="where the secret goes (default: keyring)")
    p.set_defaults(profile_handler=cmd_import_aliyun)
    p = sub.add_parser("set-default", help="make a profile the default")
    p.add_argument("name")
    p.set_defaults(profile_handler=cmd_set_default)
    return parser


def run_profile_command(
    args: argparse.Namespace,
    *,
    make_client: ClientFactory | None = None,
    profiles: ProfileStore | None = None,
    store_factory: StoreFactory | None = None,
) -> int:
    """Run the parsed subcommand; credential and config errors print a message and return 2."""
    ctx = ProfileContext(
        profiles or ProfileStore(),
        store_factory or terminal_store_factory,
        make_client or default_client_factory,
    )
    try:
        return args.profile_handler(args, ctx)
    except (CredentialError, ConfigError) as err:
        _err(f"foas-tui: {err}")
        return EXIT_ERROR
    except EOFError:
        _err("foas-tui: no input; nothing was saved")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err("foas-tui: interrupted")
        return EXIT_INTERRUPTED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="foas-tui")
    add_profile_parser(parser.add_subparsers(dest="command", required=True))
    return parser


def main(argv: Sequence[str] | None = None, **kwargs: Any) -> int:
    """`main(["profile", "list"])`: parse and run; keyword arguments go to `run_profile_command`."""
    args = build_parser().parse_args(argv)
    return run_profile_command(args, **kwargs)
