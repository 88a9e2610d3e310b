"""Hostile text for the emulator: names, descriptions, code and errors an attacker (or a broken service) could send.

`foas-tui --demo --hostile-text` and `foas-tui emulator --hostile-text` turn it on; tests use it through
`EmulatorConfig(hostile=True)` (see tests/helpers/hostile.py). Everything stays deterministic and the emulator
stays functional: names are the demo names with a payload appended (still unique), and every cross-reference
(folders, queues, packages of a job) is renamed together before the store is loaded.

What the service could return and this fills:
  project / folder / job / package / queue / cluster names and descriptions, tag keys and values, job SQL,
  properties, plan JSON (generated from the hostile names and code), instance last-error messages (and so the
  exception traces and checkpoint paths derived from them), and the Message of every error answer.

Each payload carries a marker so a test can find it in raw terminal output: the OSC 52 clipboard write always
carries the base64 `SElKQUNL` ("HIJACK"), the OSC 2 title `PWNED`, the OSC 8 link `HOSTILE-OSC8`, the DCS
`HOSTILE-DCS`, bare controls are labelled (`NUL\\0`, `BEL\\a` ...). Lone surrogates cannot pass through the
emulator's UTF-8 encoder, so the store holds `SURROGATE_MARK` and `HostileEmulator` writes it on the wire as
the JSON escape `\\ud800`: a JSON parser then hands the client a str with a lone surrogate, as a real body could.
"""

from __future__ import annotations

import json
from typing import Any

from foas_tui.emulator.app import Emulator

# --- the payloads -----------------------------------------------------------------------------------

ESC = "\x1b"
CSI_CLEAR = f"{ESC}[2J{ESC}[H"  # erase the screen, cursor home
OSC52_CLIPBOARD = f"{ESC}]52;c;SElKQUNL\x07"  # write "HIJACK" to the clipboard
OSC2_TITLE = f"{ESC}]2;PWNED\x07"  # set the window title
OSC8_LINK = f"{ESC}]8;;https://evil.example/HOSTILE-OSC8{ESC}\\click me{ESC}]8;;{ESC}\\"
DCS = f"{ESC}P1$qHOSTILE-DCS{ESC}\\"  # device control string (DECRQSS-like)
C1_CSI = "\x9b2J"  # 8-bit CSI: erase screen on terminals that honour C1
C1_OSC = "\x9d2;PWNED-C1\x9c"  # 8-bit OSC title, ended by 8-bit ST
CONTROLS = "NUL\x00DEL\x7fBEL\x07BS\x08\x08"
CR_OVERWRITE = "deleting everything\rALL GOOD           "  # CR: the second half overwrites the first
MARKUP_CLICK = "[@click=app.quit]x[/]"
MARKUP_LINK = "[link=a:b]y[/link]"
MARKUP_CLOSE = "a[/]b"
MARKUP_UNCLOSED = "orders[2"
MARKUP_BOLD = "[bold"
# Without "/": names go into URL paths, where the client (rightly) refuses a "/" it cannot send.
MARKUP_CLICK_OPEN = "[@click=app.quit]x"
MARKUP_LINK_OPEN = "[link=a:b]y"
OSC8_NAME = f"{ESC}]8;;HOSTILE-OSC8{ESC}\\click me{ESC}]8;;{ESC}\\"
ZERO_WIDTH = "zero\u200bwidth"
RLO = "\u202etxt.exe\u202c"  # right-to-left override: shows "exe.txt"
ISOLATE = "\u2066iso\u2069"  # left-to-right isolate
SURROGATE_MARK = "\U000f0800"  # private-use stand-in; written as the JSON escape \ud800 on the wire
SURROGATE_WIRE = b"\\ud800"
LONG_LEN = 10_000

ESCAPES = (CSI_CLEAR, OSC52_CLIPBOARD, OSC2_TITLE, OSC8_LINK, DCS, C1_CSI, C1_OSC, CONTROLS, CR_OVERWRITE)
MARKUP = (MARKUP_CLICK, MARKUP_LINK, MARKUP_CLOSE, MARKUP_UNCLOSED, MARKUP_BOLD)
INVISIBLE = (ZERO_WIDTH, RLO, ISOLATE)
# Safe inside a path segment or a queue name (no "/" and no ","): names of projects, folders, jobs, packages ...
NAME_SAFE = (OSC2_TITLE, OSC52_CLIPBOARD, CSI_CLEAR, MARKUP_CLICK_OPEN, C1_CSI, MARKUP_UNCLOSED, CONTROLS, RLO, DCS,
             OSC8_NAME, ZERO_WIDTH, C1_OSC, MARKUP_BOLD, ISOLATE, CR_OVERWRITE, MARKUP_LINK_OPEN)
ALL = ESCAPES + MARKUP + INVISIBLE
SALAD = " | ".join(ALL)  # every payload at once (descriptions, properties, error messages)


def long_text(prefix: str = "HOSTILE-LONG-") -> str:
    """A 10,000-character string (a prefix, then a repeating pattern) with an OSC title in the middle."""
    body = (prefix + "0123456789" * (LONG_LEN // 10))[: LONG_LEN // 2]
    return (body + OSC2_TITLE + body)[:LONG_LEN]


def _cycle(items: tuple[str, ...], i: int) -> str:
    return items[i % len(items)]


# --- the demo data, poisoned before it is loaded ------------------------------------------------------

def poison_demo(data: Any) -> Any:
    """Rewrite `demo.build_demo()` output in place (and return it): hostile text wherever the service answers."""
    _projects(data)
    _folders(data)
    _queues(data)
    _packages(data)
    _jobs(data)
    for i, cluster in enumerate(data.clusters):
        cluster["display_name"] += _cycle((MARKUP_CLICK_OPEN, OSC2_TITLE), i)
        cluster["description"] += " " + SALAD
    for i, tag in enumerate(data.tags):
        tag["tag_value"] += _cycle(NAME_SAFE, i)
        if i % 4 == 3:
            tag["tag_key"] += _cycle(NAME_SAFE, i + 5)
    return data


def _rename_project(data: Any, old: str, new: str) -> None:
    for group in (data.projects, data.folders, data.packages, data.jobs, data.project_queues):
        for item in group:
            if item.get("name" if group is data.projects else "project") == old:
                item["name" if group is data.projects else "project"] = new


def _projects(data: Any) -> None:
    renames = {1: MARKUP_CLICK_OPEN + OSC2_TITLE, 3: CSI_CLEAR + RLO}  # projects 0 and 2 keep their names
    for i, project in enumerate(list(data.projects)):
        project["description"] = f"{project['description']} {SALAD}" if i != 2 else long_text("PROJECT-")
        project["global_job_config"] += f"hostile.note={SALAD}\nhostile{OSC52_CLIPBOARD}.key=1\n"
        if i in renames:
            _rename_project(data, project["name"], project["name"] + renames[i])


def _folders(data: Any) -> None:
    # Rename one folder segment per project; every folder below it and every job in it moves along.
    seen: dict[str, int] = {}
    renames: dict[tuple[str, str], str] = {}
    for folder in data.folders:
        path = folder["path"]
        if path.count("/") != 1 or path == "/":
            continue
        n = seen.get(folder["project"], 0)
        seen[folder["project"]] = n + 1
        if n in (0, 2):  # the first and third top-level folders
            renames[(folder["project"], path)] = path + _cycle(NAME_SAFE, len(renames))

    def moved(project: str, path: str) -> str:
        for (p, old), new in renames.items():
            if p == project and (path == old or path.startswith(old + "/")):
                return new + path[len(old):]
        return path

    for folder in data.folders:
        folder["path"] = moved(folder["project"], folder["path"])
    for job in data.jobs:
        job["folder_path"] = moved(job["project"], job["folder_path"])


def _queues(data: Any) -> None:
    # Each project's own queue gets a payload; root.default stays (jobs and CreateJob fall back on it).
    renames: dict[tuple[str, str], str] = {}
    for i, queue in enumerate(data.queues):
        if queue["queue_name"] != "root.default":
            new = queue["queue_name"] + _cycle(NAME_SAFE, i + 3)
            renames[(queue["cluster_id"], queue["queue_name"])] = new
            queue["queue_name"] = new
    for item in (*data.project_queues, *data.jobs):
        item["queue_name"] = renames.get((item["cluster_id"], item["queue_name"]), item["queue_name"])


def _packages(data: Any) -> None:
    used = {name for job in data.jobs for name in str(job.get("packages") or "").split(",") if name}
    for i, pkg in enumerate(data.packages):
        pkg["description"] = f"{pkg['description']} {_cycle(ALL, i)} {_cycle(ALL, i + 7)}"
        pkg["tag"] = json.dumps({"owner": pkg["project"], "note": _cycle(ALL, i + 3)}, ensure_ascii=False)
        if pkg["name"] not in used:  # a job's package list names it: keep those, so the jobs still start
            pkg["name"] = pkg["origin_name"] = pkg["name"] + _cycle(NAME_SAFE, i)
        pkg["oss_path"] += _cycle(NAME_SAFE, i + 1)


def _jobs(data: Any) -> None:
    # One name the client cannot address at all ("/" in it: the app must say so, not crash), one lone surrogate.
    names = NAME_SAFE + (SURROGATE_MARK, MARKUP_CLOSE)
    for i, job in enumerate(data.jobs):
        job["description"] = f"{job['description']} {_cycle(ALL, i)} {_cycle(ALL, i + 5)}"
        job["code"] = (f"-- {_cycle(ALL, i)}\n-- {_cycle(ALL, i + 1)}\n{job['code']}\n-- end {_cycle(ALL, i + 2)}\n")
        job["properties"] = (f"{job['properties'].rstrip()}\n# {_cycle(ALL, i + 3)}\n"
                             f"hostile.note={_cycle(ALL, i + 4)}\nhostile{_cycle(NAME_SAFE, i)}.key=1\n")
        if i == 5:
            job["name"] += long_text("JOBNAME-")
            job["description"] = long_text("JOBDESC-")
        elif i % 3 == 0:
            job["name"] += _cycle(names, i // 3)


# --- the running store: last errors of instances ----------------------------------------------------

def poison_store(store: Any) -> None:
    """Hostile last-error messages on every instance that has one (exceptions and checkpoints derive from them);
    plan JSON generated on request from the hostile names and code (the demo leaves it empty)."""
    for project in store.projects.values():
        for job in project.jobs.values():
            job.plan_json = None
            if job.committed_version is not None:
                job.committed_version["plan_json"] = None
    for n, inst in enumerate(store.instances.values()):
        if inst.error_message:
            extra = long_text("LASTERROR-") if n % 7 == 3 else SALAD
            inst.error_message = f"{inst.error_message} {extra} {SURROGATE_MARK}"
        if inst.version.get("plan_json") == "":
            inst.version["plan_json"] = None


# --- the wire: lone surrogates and hostile error messages --------------------------------------------

class HostileEmulator(Emulator):
    """The emulator with two wire-level tricks: `SURROGATE_MARK` goes out as the JSON escape `\\ud800`, and every
    error answer's Message (and Recommend) carries hostile text after the real one (`hostile_errors`)."""

    hostile_errors = True

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await super().__call__(scope, receive, send)
            return
        start: dict[str, Any] = {}

        async def rewriting_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)  # held until the body is known: Content-Length changes
                return
            if message["type"] == "http.response.body" and start:
                body = self._rewrite(int(start.get("status", 200)), message.get("body", b""))
                headers = [(k, str(len(body)).encode() if k.lower() == b"content-length" else v)
                           for k, v in start.get("headers", [])]
                await send({**start, "headers": headers})
                start.clear()
                message = {**message, "body": body}
            await send(message)

        await super().__call__(scope, receive, rewriting_send)

    def _rewrite(self, status: int, body: bytes) -> bytes:
        if status >= 400 and self.hostile_errors:
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            if isinstance(data, dict) and "Message" in data:
                data["Message"] = f"{data['Message']} {SALAD} {SURROGATE_MARK}"
                data["Recommend"] = f"{data.get('Recommend', '')}{OSC8_LINK}{MARKUP_LINK}"
                body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return body.replace(SURROGATE_MARK.encode("utf-8"), SURROGATE_WIRE)


def hostile_markers() -> dict[str, str]:
    """Payload name -> a substring that proves the payload reached the terminal as a live sequence."""
    return {
        "CSI erase screen": "\x1b[2J",
        "OSC 52 clipboard": "\x1b]52;",
        "OSC 2 title": "\x1b]2;PWNED",
        "OSC 8 link": "\x1b]8;;HOSTILE-OSC8",
        "OSC 8 link (URL)": "\x1b]8;;https://evil.example",
        "[link=a:b] markup as a live link": ";a:b\x1b\\",
        "DCS": "\x1bP1$q",
        "C1 CSI": "\x9b",
        "C1 OSC": "\x9d",
        "C1 ST": "\x9c",
        "NUL": "\x00",
        "DEL": "\x7f",
        "BEL": "BEL\x07",
        "backspace": "\x08",
        "carriage return": "everything\r",
    }
