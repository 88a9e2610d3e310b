"""End to end through FoasClient: folder, job, update, commit, start, pause, resume, stop, offline, delete.

In-process (httpx.ASGITransport, a fake clock advanced between steps) and over a real loopback port
(uvicorn in a thread, real time with short state changes).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from foas_tui.api import errors
from foas_tui.api.client import FoasClient
from foas_tui.api.signing import Credentials
from foas_tui.emulator import (
    DEMO_ACCESS_KEY_ID,
    DEMO_ACCESS_KEY_SECRET,
    EmulatorConfig,
    FakeClock,
    create_app,
    demo_client,
)
from foas_tui.emulator.server import ServerThread

PROJECT = "realtime_dw"
CODE_V1 = "CREATE TABLE src (a INT) WITH (type = 'datahub');\nINSERT INTO src SELECT a FROM src;"
CODE_V2 = "CREATE TABLE src (a INT, b INT) WITH (type = 'datahub');\nINSERT INTO src SELECT a, b FROM src;"

Tick = Callable[[], Awaitable[None]]


async def wait_for(client: FoasClient, job: str, actual: str, tick: Tick, limit: int = 200) -> None:
    for _ in range(limit):
        summary = (await client.get_instance_run_summary(PROJECT, job, -1)).run_summary
        if summary is not None and summary.actual_state == actual:
            return
        await tick()
    raise AssertionError(f"{job} never reached {actual}")


async def lifecycle(client: FoasClient, tick: Tick) -> None:
    job = "e2e_orders_etl"
    folder_id = (await client.create_folder(PROJECT, "/e2e")).folder_id
    assert folder_id
    await client.create_job(PROJECT, api_type="SQL", cluster_id="", code=CODE_V1, engine_version="current",
                            job_name=job, job_type="FLINK_STREAM", plan_json="", queue_name="root.default",
                            folder_id=folder_id, description="created by the e2e test")
    await client.update_job(PROJECT, job, code=CODE_V2)
    got = (await client.get_job(PROJECT, job)).job
    assert got is not None and got.code == CODE_V2 and got.folder_id == folder_id and not got.is_committed

    with pytest.raises(errors.ConflictError):
        await client.start_job(PROJECT, job)  # not committed yet
    await client.commit_job(PROJECT, job)
    assert (await client.get_job(PROJECT, job)).job.is_committed  # type: ignore[union-attr]

    instance_id = (await client.start_job(PROJECT, job)).instance_id
    assert instance_id and instance_id > 0
    await wait_for(client, job, "RUNNING", tick)

    await client.modify_instance_state(PROJECT, job, -1, "PAUSED")
    await wait_for(client, job, "PAUSED", tick)
    with pytest.raises(errors.ConflictError):
        await client.offline_job(PROJECT, job)  # a paused job is not stopped
    await client.modify_instance_state(PROJECT, job, -1, "RUNNING")
    await wait_for(client, job, "RUNNING", tick)
    await client.modify_instance_state(PROJECT, job, instance_id, "TERMINATED")
    await wait_for(client, job, "TERMINATED", tick)

    instance = (await client.get_instance(PROJECT, job, instance_id)).instance
    assert instance is not None and instance.code == CODE_V2 and instance.end_time is not None
    with pytest.raises(errors.ConflictError):
        await client.delete_job(PROJECT, job)  # still online
    await client.offline_job(PROJECT, job)
    await client.delete_job(PROJECT, job)
    with pytest.raises(errors.NotFoundError):
        await client.get_job(PROJECT, job)
    await client.delete_folder(PROJECT, "/e2e")


async def test_lifecycle_in_process_with_a_fake_clock() -> None:
    clock = FakeClock(1_795_651_200.0)
    emulator = create_app(EmulatorConfig(jobs=16, clock=clock))

    async def tick() -> None:
        clock.advance(emulator.store.step_ms / 1000 / 2)

    async with demo_client(emulator) as client:
        await lifecycle(client, tick)
    assert emulator.calls["ModifyInstanceState"] == 3


async def test_lifecycle_over_a_real_port() -> None:
    emulator = create_app(EmulatorConfig(jobs=16, step_seconds=0.2))

    async def tick() -> None:
        await asyncio.sleep(0.05)

    with ServerThread(emulator) as server:
        client = FoasClient(Credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET), region_id="cn-hangzhou",
                            endpoint=server.endpoint, timeout=5, retries=0)
        async with client:
            await lifecycle(client, tick)
    assert emulator.calls["StartJob"] == 2  # one refused (not committed), one started


async def test_json_bodies_end_to_end() -> None:
    clock = FakeClock(1_795_651_200.0)
    emulator = create_app(EmulatorConfig(jobs=16, clock=clock))

    async def tick() -> None:
        clock.advance(emulator.store.step_ms / 1000 / 2)

    async with demo_client(emulator, body_format="json") as client:
        await lifecycle(client, tick)


# Every operation through FoasClient and the emulator: tests/test_spec_round_trip.py (response fields too).
