"""Bench: the live state of 1,000 jobs through the emulator with 20 ms injected latency, three ways.

* one round trip: foas-tui's client, GetProject (the physical limit of any refresh);
* foas-tui: the app's own refresh (`RefreshScheduler.refresh_once`: BatchGetInstanceRunSummary in chunks
  of <= CHUNK_SIZE names and NAMES_BUDGET URL-encoded characters per project and job type, concurrently, with
  the app's concurrency);
* the official SDK (aliyunsdkcore + aliyunsdkfoas) calling GetInstanceRunSummary job by job, as a naive script
  would: timed on a sample of jobs and extrapolated to all of them (said so in the output);
* the official SDK as a good script would: BatchGetInstanceRunSummary with the app's own batches, from 8
  threads sharing one AcsClient (the strongest baseline), every job really asked, JSON parsed;
* two floors under foas-tui's client CPU: the same signed requests, bodies read and dropped (no retries, call
  log, JSON or rows), same limits and concurrency, sent (a) by a stock httpx.AsyncClient, on httpx's own
  connection pool: HTTP alone for a client written on plain httpx; (b) by a bare httpx.AsyncClient on the
  LaneTransport foas-tui uses (api/lanes.py: one connection per call in flight). What foas-tui spends above
  (b) is its own code; (b) is the HTTP library's share.

Each side's TCP connects are counted (socket.connect in this process) to say whether connections are reused.
The emulator process's own CPU per refresh is read from /proc (Linux) and printed for both sides: it is not
the client's, but the emulator answers the calls one after the other, so it bounds the refresh's wall time.

The emulator runs as a real uvicorn server on a loopback port, in its own process (its CPU is not
foas-tui's; the real service answers from other machines). Goals: foas-tui >= 100x faster than the SDK
loop, >= 1.2x faster than the batched SDK in 8 threads, within 3x of one round trip, <= 20 ms of client CPU.
Usage: python bench/refresh_vs_sdk.py [--jobs 1000] [--sample 100] [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _common import EmulatorProcess, result

from foas_tui.api.client import FoasClient
from foas_tui.api.signing import Credentials
from foas_tui.config import AppConfig
from foas_tui.emulator import DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, EmulatorConfig, create_app
from foas_tui.services.call_log import CallLog
from foas_tui.services.refresh import CHUNK_SIZE, NAMES_BUDGET
from foas_tui.services.session import Session

REGION = "cn-hangzhou"
ROOT = Path(__file__).resolve().parent.parent

def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc; NaN where there is no /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return math.nan


@contextmanager
def counting_connects() -> Iterator[list[int]]:
    """Count TCP connects made in this process (any thread) while the block runs."""
    count = [0]
    lock = threading.Lock()
    original = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        with lock:
            count[0] += 1
        return original(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    try:
        yield count
    finally:
        socket.socket.connect = original  # type: ignore[method-assign]

SDK_THREADS = 8  # the strongest baseline: a script batching from 8 threads (issue 16)


def watched_jobs(emulator: Any) -> list[tuple[str, str, str]]:
    jobs = []
    for project in emulator.store.projects.values():
        for job in project.jobs.values():
            jobs.append((project.name, job.name, str(job.job_type)))
    return sorted(jobs)


async def measure_foas_tui(endpoint: str, jobs: list[tuple[str, str, str]], rounds: int,
                           server_cpu: Any = lambda: math.nan) -> dict[str, Any]:
    config = AppConfig()
    client = FoasClient(Credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET), region_id=REGION, endpoint=endpoint,
                        timeout=config.client.timeout, retries=config.client.retries,
                        max_concurrency=config.client.max_concurrency)
    async with client:
        project = jobs[0][0]
        for _ in range(5):  # warm: connections, code paths
            await client.get_project(project)
        rtts = []
        for _ in range(rounds * 4):
            started = time.perf_counter()
            await client.get_project(project)
            rtts.append(time.perf_counter() - started)
        # The app's own scheduler, configured by the app itself (chunking, concurrency) from the default config.
        from foas_tui.app import FoasApp

        session = Session(client=client, config=config, profile_name="bench", region_id=REGION,
                          endpoint=client.base_url, read_only=True, call_log=CallLog())
        scheduler = FoasApp(session, state_path=None).refresher
        scheduler.watch(jobs)
        calls_before = len(scheduler.batches())
        started = time.perf_counter()
        first = await scheduler.refresh_once()  # the first one also looks up instance start times
        cold = time.perf_counter() - started
        assert first.ok and len(first.rows) == len(jobs), (first.errors[:1], len(first.rows))
        steady, cpu = [], []
        server_started = server_cpu()
        with counting_connects() as connects:
            for _ in range(rounds):
                started, started_cpu = time.perf_counter(), time.process_time()
                again = await scheduler.refresh_once()
                steady.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
                assert again.ok and len(again.rows) == len(jobs)
        server = (server_cpu() - server_started) / rounds
        states = sum(1 for row in again.rows.values() if row.actual_state)
        # The same refresh with as many calls in flight as the SDK baseline has threads: like for like.
        concurrency, batches = scheduler.concurrency, scheduler.batches()
        scheduler.concurrency = scheduler.current_concurrency = SDK_THREADS
        at_sdk_threads = []
        for _ in range(rounds):
            started = time.perf_counter()
            assert (await scheduler.refresh_once()).ok
            at_sdk_threads.append(time.perf_counter() - started)
    return {"rtt": statistics.median(rtts), "cold": cold, "steady": statistics.median(steady),
            "steady_all": steady, "cpu": statistics.median(cpu), "calls": calls_before, "states": states,
            "concurrency": concurrency, "batches": batches, "connects": connects[0] / rounds,
            "server_cpu": server, "at_sdk_threads": statistics.median(at_sdk_threads)}


async def measure_bare_httpx(endpoint: str, batches: list[tuple[str, str, list[str]]], rounds: int,
                             concurrency: int) -> dict[str, Any]:
    """The same BatchGetInstanceRunSummary requests, bodies read and dropped, from two bare clients in
    interleaved rounds: a stock httpx.AsyncClient (httpx's own pool) and one on foas-tui's LaneTransport.
    CPU per round, each."""
    import httpx

    from foas_tui.api.http_client import http_limits
    from foas_tui.api.lanes import LaneTransport
    from foas_tui.api.operations import OPERATIONS
    from foas_tui.api.signing import RoaSigner, build_request

    op = OPERATIONS["BatchGetInstanceRunSummary"]
    signer = RoaSigner(Credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET))
    requests = [build_request(base_url=endpoint, method=op.method, action=op.name, uri_pattern=op.path,
                              region_id=REGION, path_params={"projectName": project},
                              query_params=[("jobNames", ",".join(names)), ("jobType", job_type)], signer=signer)
                for project, job_type, names in batches]
    limit = asyncio.Semaphore(concurrency)
    options = {"timeout": httpx.Timeout(AppConfig().client.timeout, connect=5.0), "follow_redirects": False,
               "limits": http_limits(concurrency, 30.0)}
    clients = {"stock": httpx.AsyncClient(**options),
               "lanes": httpx.AsyncClient(transport=LaneTransport(concurrency, keepalive_expiry=30.0), **options)}

    async def one(http: httpx.AsyncClient, request: Any) -> int:
        async with limit:
            response = await http.send(request, stream=True)
            size = sum([len(chunk) async for chunk in response.aiter_bytes()])
            await response.aclose()
            assert response.status_code == 200, response.status_code
            return size

    cpu: dict[str, list[float]] = {name: [] for name in clients}
    times: dict[str, list[float]] = {name: [] for name in clients}
    try:
        for round_ in range(rounds + 2):  # the first two warm connections and code paths
            for name, http in clients.items():
                started, started_cpu = time.perf_counter(), time.process_time()
                await asyncio.gather(*(one(http, request) for request in requests))
                if round_ >= 2:
                    times[name].append(time.perf_counter() - started)
                    cpu[name].append(time.process_time() - started_cpu)
    finally:
        for http in clients.values():
            await http.aclose()
    return {name: {"cpu": statistics.median(cpu[name]), "steady": statistics.median(times[name])}
            for name in clients}


def measure_sdk(netloc: str, jobs: list[tuple[str, str, str]]) -> dict[str, Any]:
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkfoas.request.v20181111.GetInstanceRunSummaryRequest import GetInstanceRunSummaryRequest

    client = AcsClient(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, REGION)

    def one(project: str, job: str) -> bytes:
        request = GetInstanceRunSummaryRequest()
        request.set_protocol_type("http")
        request.set_endpoint(netloc)
        request.set_projectName(project)
        request.set_jobName(job)
        request.set_instanceId("-1")  # a path parameter: the SDK wants text
        return client.do_action_with_exception(request)

    one(*jobs[0][:2])  # warm
    started = time.perf_counter()
    for project, job, _type in jobs:
        body = one(project, job)
        assert b"RunSummary" in body
    elapsed = time.perf_counter() - started
    return {"sample": len(jobs), "elapsed": elapsed, "per_call": elapsed / len(jobs)}


def measure_sdk_batched(netloc: str, batches: list[tuple[str, str, list[str]]], rounds: int,
                        threads: int = SDK_THREADS, server_cpu: Any = lambda: math.nan) -> dict[str, Any]:
    """The SDK as a good script uses it: the same batches, BatchGetInstanceRunSummary, 8 threads, one client."""
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkfoas.request.v20181111.BatchGetInstanceRunSummaryRequest import BatchGetInstanceRunSummaryRequest

    client = AcsClient(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, REGION)

    def one(batch: tuple[str, str, list[str]]) -> int:
        project, job_type, names = batch
        request = BatchGetInstanceRunSummaryRequest()
        request.set_protocol_type("http")
        request.set_endpoint(netloc)
        request.set_projectName(project)
        request.set_jobNames(",".join(names))
        request.set_jobType(job_type)
        body = json.loads(client.do_action_with_exception(request))
        return len(body["RunSummarys"]["RunSummary"])

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, batches))  # warm: threads, connections
        times, cpu = [], []
        server_started = server_cpu()
        with counting_connects() as connects:
            for _ in range(rounds):
                started, started_cpu = time.perf_counter(), time.process_time()
                answered = sum(pool.map(one, batches))
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
        server = (server_cpu() - server_started) / rounds
    return {"steady": statistics.median(times), "cpu": statistics.median(cpu), "answered": answered,
            "connects": connects[0] / rounds, "threads": threads, "server_cpu": server}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=100, help="jobs the SDK loop really calls (then extrapolated)")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    emulator = create_app(EmulatorConfig(jobs=args.jobs, seed=7))  # the same demo data as the server's
    jobs = watched_jobs(emulator)
    with EmulatorProcess(args.jobs, args.latency_ms) as server:
        def server_cpu() -> float:
            return process_cpu(server.proc.pid)

        ours = asyncio.run(measure_foas_tui(server.endpoint, jobs, args.rounds, server_cpu))
        bare_clients = asyncio.run(measure_bare_httpx(server.endpoint, ours["batches"], args.rounds,
                                                      ours["concurrency"]))
        bare, lanes = bare_clients["stock"], bare_clients["lanes"]
        step = max(1, len(jobs) // args.sample)
        with counting_connects() as sdk_connects:
            sdk = measure_sdk(server.netloc, jobs[::step][: args.sample])
        batched = measure_sdk_batched(server.netloc, ours["batches"], args.rounds, server_cpu=server_cpu)

    sdk_total = sdk["per_call"] * len(jobs)
    speedup = sdk_total / ours["steady"]
    versus_rtt = ours["steady"] / ours["rtt"]
    print(f"emulator process on a loopback port, {args.latency_ms:g} ms latency injected per request, "
          f"{len(jobs)} jobs in {len(emulator.store.projects)} projects")
    print(f"  one round trip (GetProject, foas-tui client):        {ours['rtt'] * 1000:8.1f} ms (median)")
    print(f"  foas-tui refresh of {len(jobs)} jobs ({ours['calls']} BatchGetInstanceRunSummary calls of <= "
          f"{CHUNK_SIZE} names / {NAMES_BUDGET} URL-encoded characters, concurrency {ours['concurrency']}, "
          "as the app sets them):")
    sizes = sorted((len(names) for _, _, names in ours["batches"]), reverse=True)
    print(f"      names per call: {', '.join(map(str, sizes))}")
    print(f"      steady (median of {args.rounds}):                       {ours['steady'] * 1000:8.1f} ms "
          f"({ours['states']} jobs with a state)")
    print(f"      foas-tui's own CPU per refresh (client process):  {ours['cpu'] * 1000:8.1f} ms")
    print(f"      emulator process CPU per refresh (not foas-tui's): {ours['server_cpu'] * 1000:8.1f} ms "
          "(it answers one call at a time)")
    print(f"      the same requests, bare, through the same lanes:   {lanes['cpu'] * 1000:8.1f} ms CPU "
          f"({lanes['steady'] * 1000:.1f} ms): the HTTP library's share of the above")
    print(f"      the same requests from a stock httpx.AsyncClient:  {bare['cpu'] * 1000:8.1f} ms CPU "
          f"({bare['steady'] * 1000:.1f} ms): HTTP alone, for a client on httpx's own pool")
    print(f"      first (also looks up start times, ListInstance):   {ours['cold'] * 1000:8.1f} ms")
    print(f"  official SDK, GetInstanceRunSummary one by one:      {sdk['per_call'] * 1000:8.1f} ms per job; "
          f"{sdk['sample']} jobs took {sdk['elapsed']:.2f} s,")
    print(f"      EXTRAPOLATED to {len(jobs)} jobs:                       {sdk_total * 1000:8.0f} ms")
    print(f"      TCP connects: {sdk_connects[0]} for {sdk['sample'] + 1} calls (the SDK keeps its connections)")
    print(f"  official SDK, BatchGetInstanceRunSummary with the same {len(ours['batches'])} batches from "
          f"{batched['threads']} threads, one AcsClient:")
    print(f"      steady (median of {args.rounds}):                       {batched['steady'] * 1000:8.1f} ms "
          f"({batched['answered']} summaries), CPU {batched['cpu'] * 1000:.1f} ms, "
          f"TCP connects per round {batched['connects']:g}")
    print(f"      emulator process CPU per round (not the SDK's):    {batched['server_cpu'] * 1000:8.1f} ms")
    print(f"  foas-tui TCP connects per steady refresh: {ours['connects']:g} (kept-alive connections)")
    versus_batched = batched["steady"] / ours["steady"]
    print(f"  foas-tui vs the SDK loop: {speedup:.0f}x faster (goal >= 100x): {'OK' if speedup >= 100 else 'MISSED'}")
    print(f"  foas-tui vs the batched SDK in threads: {versus_batched:.2f}x faster (goal >= 1.2x)")
    same = batched["steady"] / ours["at_sdk_threads"]
    print(f"  foas-tui with {SDK_THREADS} calls in flight (the SDK's threads; the app's default is "
          f"{ours['concurrency']}): {ours['at_sdk_threads'] * 1000:.1f} ms, {same:.2f}x the batched SDK")
    print(f"  foas-tui vs one round trip: {versus_rtt:.2f}x (goal <= 3x): {'OK' if versus_rtt <= 3 else 'MISSED'}")
    result("round_trip", ours["rtt"] * 1000, "ms")
    result("refresh_1000_jobs", ours["steady"] * 1000, "ms")
    result("refresh_1000_jobs_first", ours["cold"] * 1000, "ms")
    result("refresh_1000_jobs_client_cpu", ours["cpu"] * 1000, "ms", "<= 20")
    result("bare_httpx_same_calls_client_cpu", bare["cpu"] * 1000, "ms")
    result("bare_lanes_same_calls_client_cpu", lanes["cpu"] * 1000, "ms")
    result("refresh_client_cpu_vs_bare_httpx", ours["cpu"] / bare["cpu"], "x")
    result("refresh_client_cpu_vs_bare_lanes", ours["cpu"] / lanes["cpu"], "x")
    result("refresh_1000_jobs_tcp_connects", ours["connects"], "n")
    result("refresh_1000_jobs_emulator_cpu", ours["server_cpu"] * 1000, "ms")
    result("sdk_loop_1000_jobs_extrapolated", sdk_total * 1000, "ms")
    result("sdk_loop_tcp_connects_per_call", sdk_connects[0] / (sdk["sample"] + 1), "n")
    result("sdk_batched_threads_1000_jobs", batched["steady"] * 1000, "ms")
    result("sdk_batched_threads_1000_jobs_client_cpu", batched["cpu"] * 1000, "ms")
    result("sdk_batched_threads_tcp_connects", batched["connects"], "n")
    result("refresh_speedup_vs_sdk", speedup, "x", ">= 100")
    result("refresh_vs_sdk_batched_threads", versus_batched, "x", ">= 1.2")
    result("refresh_vs_round_trip", versus_rtt, "x", "<= 3")
    result(f"refresh_1000_jobs_at_{SDK_THREADS}_in_flight", ours["at_sdk_threads"] * 1000, "ms")
    result("refresh_vs_sdk_batched_threads_same_concurrency", same, "x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
