"""Cluster pulse: GetClusterMetrics and GetClusterQueueInfo of every cluster (Pilot over the emulator).

From the seed: GetClusterMetrics takes a metricJson with queries such as `<clusterId>.system.cpu.user`;
GetClusterQueueInfo gives each queue's Used/Max vCores and memory."""

from __future__ import annotations

import pytest
from test_viewers_support import ViewerApp, until, utc  # noqa: F401  (utc is a fixture)
from textual.widgets import DataTable

from foas_tui.screens.cluster_pulse import ClusterPulseScreen
from foas_tui.services.cluster_pulse import ClusterPulse, QueueUse

pytestmark = pytest.mark.usefixtures("utc")


def test_short_of_names_cpu_memory_and_full_queues() -> None:
    pulse = ClusterPulse("c1", "prod", "RUNNING", cpu=[40.0, 91.0], mem_used=950.0, mem_total=1000.0,
                         queues=[QueueUse("root.etl", 95, 100, 10, 4096), QueueUse("root.bi", 10, 100, 10, 4096)])
    assert pulse.short_of() == ["CPU 91%", "memory 95%", "queue root.etl 95% used"]
    assert ClusterPulse("c2", "", "", cpu=[20.0], queues=[QueueUse("q", 1, 100, None, None)]).short_of() == []


async def test_pulse_shows_every_cluster_and_names_a_full_queue() -> None:
    app = ViewerApp()
    store = app.emulator.store
    # make the busiest queue full: its maximum is what its running jobs already use
    busiest = max((q for c in store.clusters.values() for q in c.queues.values()),
                  key=lambda q: store.queue_usage(q)[0])
    used, _mem = store.queue_usage(busiest)
    assert used > 0
    busiest.max_vcore = used
    async with app.run_test(size=(160, 40)) as pilot:
        screen = ClusterPulseScreen()
        await app.push_screen(screen)
        await until(pilot, lambda: screen.pulses is not None)
        pulses = screen.pulses
        assert {p.cluster_id for p in pulses} == set(store.clusters)
        assert all(p.cpu and not p.errors for p in pulses)
        first = pulses[0]  # the cluster short of something comes first
        assert first.cluster_id == busiest.cluster_id
        assert f"queue {busiest.name} 100% used" in first.short_of()
        table = screen.query_one("#pulse-table", DataTable)
        verdict = str(table.get_row_at(0)[len(table.columns) - 1])
        assert verdict.startswith("short of") and busiest.name in verdict
        assert "short of resources" in str(screen.query_one("#pulse-summary").render())
        assert busiest.name in str(screen.query_one("#pulse-queues").render())
        # The CPU trend is drawn on a 0-100 % scale: a cluster under 50 % never reaches the top block.
        for row, pulse in enumerate(pulses):
            if max(pulse.cpu) < 50:
                trend = str(table.get_row_at(row)[3])
                assert "█" not in trend and "▇" not in trend, (pulse.cpu[-3:], trend)
        assert "GetClusterMetrics" in app.calls and "GetClusterQueueInfo" in app.calls
