"""Emulator data side: demo world determinism and shape, SQL validation, runtime payloads against the spec examples."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from pathlib import Path

import pytest

from foas_tui.emulator import runtime as rt
from foas_tui.emulator.demo import SCENARIO_STATES, SCENARIOS, build_demo

SPECS = {op["operation"]: op for op in json.loads((Path(__file__).parent / "data" / "operations.json").read_text())}
JOB_KEYS = {"project", "name", "folder_path", "job_type", "api_type", "code", "properties", "packages", "queue_name",
            "cluster_id", "engine_version", "description", "committed", "scenario"}


def _embedded(operation: str, field: str) -> dict:
    return json.loads(SPECS[operation]["example_json"][field])


@pytest.fixture(scope="module")
def demo():
    return build_demo()


@pytest.fixture(scope="module")
def views(demo):
    out = {}
    for i, job in enumerate(demo.jobs):
        v = rt.instance_view_for(job, 400_000 + i, demo.now_ms, demo.seed)
        if v is not None:
            out.setdefault(job["scenario"], []).append(v)
    return out


def _view(views, scenario: str) -> rt.InstanceView:
    return views[scenario][0]


def _best_of(fn, n: int = 5) -> float:
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


# ---------------------------------------------------------------------------------------------------------------
# Demo world


def test_demo_is_deterministic():
    assert build_demo(7) == build_demo(7)
    assert build_demo(7, now_ms=1_700_000_000_000) == build_demo(7, now_ms=1_700_000_000_000)
    a, b = build_demo(7), build_demo(8)
    assert [j["scenario"] for j in a.jobs] != [j["scenario"] for j in b.jobs] or \
        [c["cluster_id"] for c in a.clusters] != [c["cluster_id"] for c in b.clusters]
    assert a.jobs[0]["code"] != b.jobs[0]["code"] or a.clusters[0]["cluster_id"] != b.clusters[0]["cluster_id"]


def test_demo_counts_nesting_and_references(demo):
    assert len(demo.projects) >= 3
    assert {p["name"] for p in demo.projects} >= {"realtime_dw", "risk_control", "ads_attribution"}
    assert len(demo.jobs) >= 60
    assert {j["scenario"] for j in demo.jobs} == set(SCENARIOS)
    assert sum(j["scenario"] == "running" for j in demo.jobs) > len(demo.jobs) / 3
    assert all(set(j) == JOB_KEYS for j in demo.jobs)
    ids = [f["folder_id"] for f in demo.folders]
    assert len(ids) == len(set(ids))
    folders = {(f["project"], f["path"]) for f in demo.folders}
    for p in demo.projects:
        assert (p["name"], "/") in folders
        assert any(proj == p["name"] and path.count("/") >= 3 for proj, path in folders), p["name"]
        for proj, path in folders:  # every ancestor exists
            if proj == p["name"] and path != "/":
                parent = path.rsplit("/", 1)[0] or "/"
                assert (proj, parent) in folders
    names = [(j["project"], j["name"]) for j in demo.jobs]
    assert len(names) == len(set(names))
    clusters = {c["cluster_id"] for c in demo.clusters}
    assert len(clusters) >= 2 and all(re.fullmatch(r"[a-z0-9]{24}", c) for c in clusters)
    queues = {(q["cluster_id"], q["queue_name"]) for q in demo.queues}
    packages = {(p["project"], p["name"]) for p in demo.packages}
    for j in demo.jobs:
        assert (j["project"], j["folder_path"]) in folders
        assert j["cluster_id"] in clusters and (j["cluster_id"], j["queue_name"]) in queues
        assert j["job_type"] in ("FLINK_STREAM", "FLINK_BATCH") and j["api_type"] in ("SQL", "DATASTREAM")
        if j["api_type"] == "SQL":
            assert j["packages"] == ""
            assert 15 <= len(j["code"].splitlines()) <= 80
        else:
            assert all((j["project"], name) in packages for name in j["packages"].split(","))
        if SCENARIO_STATES[j["scenario"]] is not None and j["scenario"] != "stopped":
            assert j["committed"]
        assert "blink.job.timeZone=Asia/Shanghai" in j["properties"]
    assert all((q["cluster_id"], q["queue_name"]) in queues for q in demo.project_queues)
    assert sum(j["job_type"] == "FLINK_BATCH" for j in demo.jobs) >= 2
    assert sum(j["api_type"] == "DATASTREAM" for j in demo.jobs) >= 2
    assert all(t["resource_id"] in clusters and t["resource_type"] == "cluster" for t in demo.tags)


def test_stream_jobs_carry_real_blink_properties(demo):
    props = rt.parse_properties(next(j for j in demo.jobs if j["job_type"] == "FLINK_STREAM")["properties"])
    assert props["blink.checkpoint.mode"] in ("EXACTLY_ONCE", "AT_LEAST_ONCE")
    assert int(props["blink.checkpoint.interval.ms"]) in (60_000, 180_000, 300_000)
    assert props["state.backend.type"] in ("gemini", "niagara")


def test_ten_thousand_jobs_build_fast():
    build_demo(jobs=200)  # warm the template caches like a second build would
    elapsed = _best_of(lambda: build_demo(seed=11, jobs=10_000), n=2)
    big = build_demo(seed=11, jobs=10_000)
    assert len(big.jobs) == 10_000
    assert len({(j["project"], j["name"]) for j in big.jobs}) == 10_000
    assert elapsed < 2.0, f"10,000 jobs took {elapsed:.2f}s"


# ---------------------------------------------------------------------------------------------------------------
# ValidateJob


def test_every_demo_sql_validates(demo):
    for job in demo.jobs:
        result = rt.validate(job["code"])
        assert isinstance(result, dict), (job["name"], result)
        if job["api_type"] == "SQL":
            assert result["Inputs"]["Input"] and result["Outputs"]["Output"], job["name"]
            for item in result["Inputs"]["Input"] + result["Outputs"]["Output"] + result["Dims"]["Dim"]:
                assert set(item) == {"Name", "Alias", "Type", "Properties", "Workspace"}
                assert item["Type"] == item["Properties"]["type"]
                assert all(v == "******" for k, v in item["Properties"].items() if "password" in k.lower())
        else:
            assert result == {"Inputs": {"Input": []}, "Outputs": {"Output": []}, "Dims": {"Dim": []}}


def test_validate_classifies_dimension_tables(demo):
    job = next(j for j in demo.jobs if "FOR SYSTEM_TIME AS OF" in j["code"])
    result = rt.validate(job["code"])
    dims = [d["Name"] for d in result["Dims"]["Dim"]]
    assert dims and all(d.startswith("dim_") for d in dims)
    assert not any(i["Name"].startswith("dim_") for i in result["Inputs"]["Input"])


def _sql(demo) -> str:
    return next(j["code"] for j in demo.jobs if j["api_type"] == "SQL" and "GROUP BY" in j["code"])


def test_broken_sql_reports_the_line(demo):
    lines = _sql(demo).split("\n")
    n = next(i for i, line in enumerate(lines) if line.strip() == "SELECT")
    lines[n] = "SELEC"
    error = rt.validate("\n".join(lines))
    assert isinstance(error, str)
    assert error.startswith('SQL parse failed. Encountered "SELEC"')
    assert f"at line {n + 1}, column 1" in error


def test_validate_other_errors(demo):
    code = _sql(demo)
    lines = code.split("\n")
    n = max(i for i, line in enumerate(lines) if line.startswith("FROM "))
    unknown = list(lines)
    unknown[n] = "FROM no_such_table"
    error = rt.validate("\n".join(unknown))
    assert isinstance(error, str) and "Object 'no_such_table' not found" in error and f"line {n + 1}," in error
    unbalanced = list(lines)
    unbalanced[n] += " ("
    error = rt.validate("\n".join(unbalanced))
    assert isinstance(error, str) and f'unclosed "(" opened at line {n + 1}' in error
    no_insert = code[:code.index("INSERT INTO")]
    assert "No INSERT INTO" in rt.validate(no_insert)
    assert isinstance(rt.validate(""), str)
    # Comments and string literals do not confuse the checker.
    assert isinstance(rt.validate("-- SELEC FROM nowhere (\n" + code.replace("'print'", "'print' -- ) x")), dict)


# ---------------------------------------------------------------------------------------------------------------
# Checkpoints


def test_checkpoints_match_the_spec_example_keys(views):
    example = _embedded("GetInstanceCheckpoint", "Checkpoints")
    c = rt.checkpoints(_view(views, "running"))
    assert set(c) == set(example)
    assert set(c["counts"]) == set(example["counts"])
    assert set(c["summary"]) == set(example["summary"])
    for key in example["summary"]:
        assert set(c["summary"][key]) == set(example["summary"][key])
    assert set(c["latest"]) == set(example["latest"])
    assert set(c["latest"]["completed"]) == set(example["latest"]["completed"])
    if c["latest"]["restored"] is not None:
        assert set(c["latest"]["restored"]) == set(example["latest"]["restored"])
    assert len(c["history"]) == 10
    for entry in c["history"]:
        if entry["status"] == "COMPLETED":
            assert set(entry) == set(example["history"][0])
        else:
            assert set(example["history"][0]) <= set(entry)
    ids = [e["id"] for e in c["history"]]
    assert ids == sorted(ids, reverse=True)
    counts = c["counts"]
    assert counts["total"] == counts["completed"] + counts["failed"] + counts["in_progress"]
    assert c["latest"]["completed"]["external_path"].endswith(f"/chk-{c['latest']['completed']['id']}")
    assert c["latest"]["completed"]["discarded"] is False


def test_checkpoints_evolve_with_time(views):
    v = _view(views, "running")
    interval = rt.checkpoint_interval_ms(v)
    before = rt.checkpoints(v)
    after = rt.checkpoints(replace(v, now_ms=v.now_ms + 3 * interval))
    assert after["counts"]["total"] == before["counts"]["total"] + 3
    assert after["history"][0]["id"] == before["history"][0]["id"] + 3
    assert after["history"][0]["trigger_timestamp"] > before["history"][0]["trigger_timestamp"]
    assert {e["state_size"] for e in after["history"]} != {e["state_size"] for e in before["history"]}
    assert rt.checkpoints(v) == before  # pure


def test_checkpoint_failing_has_no_recent_completed_checkpoint(views):
    v = _view(views, "checkpoint_failing")
    c = rt.checkpoints(v)
    assert c["history"][0]["status"] == "FAILED"
    assert c["latest"]["failed"]["failure_message"]
    assert c["latest"]["failed"]["failure_timestamp"] > v.now_ms - 5 * 60_000
    completed = c["latest"]["completed"]
    assert completed is None or completed["latest_ack_timestamp"] < v.now_ms - 5 * 60_000
    assert all(e["latest_ack_timestamp"] < v.now_ms - 5 * 60_000 for e in c["history"] if e["status"] == "COMPLETED")


def test_checkpoints_empty_before_start_and_frozen_after_stop(views):
    empty = rt.checkpoints(_view(views, "starting"))
    assert empty["counts"]["total"] == 0 and empty["history"] == [] and empty["latest"]["completed"] is None
    assert rt.checkpoints(_view(views, "batch_success"))["history"] == []
    stopped = _view(views, "stopped")
    assert rt.checkpoints(stopped) == rt.checkpoints(replace(stopped, now_ms=stopped.now_ms + 86_400_000))
    paused = rt.checkpoints(_view(views, "paused"))
    assert paused["latest"]["savepoint"]["is_savepoint"] is True


# ---------------------------------------------------------------------------------------------------------------
# Exceptions


def test_healthy_instance_exceptions_equal_the_spec_example(views):
    example = _embedded("GetInstanceExceptions", "Exceptions")
    healthy = next(v for v in views["running"] if v.failovers == 0)
    e = rt.exceptions(healthy)
    assert {k: e[k] for k in example} == example
    assert e["exceptionHistory"] == {"entries": [], "truncated": False}


def test_failing_instance_exceptions(views):
    v = _view(views, "failing")
    e = rt.exceptions(v)
    entries = e["all-exceptions"]
    assert entries and e["root-exception"] == entries[0]["exception"] and e["timestamp"] == entries[0]["timestamp"]
    assert e["truncated"] is (v.failovers > len(entries))
    stamps = [x["timestamp"] for x in entries]
    assert stamps == sorted(stamps, reverse=True) and stamps[0] <= v.now_ms
    for x in entries:
        assert set(x) == {"exception", "task", "location", "timestamp"}
        lines = x["exception"].split("\n")
        assert 20 <= len(lines) <= 60
        assert any(line.startswith("\tat org.apache.flink.") for line in lines)
        assert re.search(r"\(\d+/\d+\)$", x["task"])
        assert re.fullmatch(r"[\w.-]+:\d+", x["location"])
    history = e["exceptionHistory"]["entries"]
    assert history and set(history[0]) >= {"exceptionName", "stacktrace", "timestamp", "taskName", "location",
                                           "taskManagerId", "failureLabels"}
    assert history[0]["stacktrace"].startswith(history[0]["exceptionName"])
    assert any("Caused by: " in x["exception"] for x in entries) or len(entries) < 3
    assert v.last_error_message == e["root-exception"].split("\n")[0]


def test_exception_count_grows_with_failovers(views):
    v = _view(views, "restarting")
    assert len(rt.exceptions(replace(v, failovers=1, scenario="running"))["all-exceptions"]) == 1
    assert len(rt.exceptions(replace(v, failovers=5, scenario="running"))["all-exceptions"]) == 5
    failing = _view(views, "failing")
    later = replace(failing, now_ms=failing.now_ms + 30 * 60_000)
    assert rt.failure_state(later)[0] > rt.failure_state(failing)[0]  # keeps failing over


@pytest.mark.parametrize("target", [50_000, 1_000_000, 10_000_000])
def test_exceptions_of_size(views, target):
    payload = rt.exceptions_of_size(_view(views, "failing"), target)
    size = len(json.dumps(payload))
    assert abs(size - target) <= target * 0.1
    assert payload["all-exceptions"] and payload["truncated"] is True


def test_payloads_are_fast(views):
    for v in (_view(views, "failing"), _view(views, "restarting"), _view(views, "lagging")):
        rt.checkpoints(v), rt.exceptions(v)  # warm the per-job caches (SQL analysis, DAG)
        later = replace(v, now_ms=v.now_ms + 61_000)
        assert _best_of(lambda later=later: rt.checkpoints(later)) < 0.005
        assert _best_of(lambda later=later: rt.exceptions(later)) < 0.005


# ---------------------------------------------------------------------------------------------------------------
# Metrics, delay


def _query(v: rt.InstanceView, start: int, end: int, *names: str) -> dict:
    return {"start": start, "end": end, "limit": "avg:sample:50",
            "queries": [{"downsample": "20s-avg", "metric": name.format(p=v.project, j=v.job_name),
                         "granularity": "20s", "aggregator": "max"} for name in names]}


def test_metric_points(views):
    v = _view(views, "running")
    start, end = v.now_ms - 2 * 3_600_000 + 123, v.now_ms - 456
    result = rt.metrics(v, _query(v, start, end, "blink.{p}.{j}.delay", "fetched_delay", "inputTps", "outputTps",
                                  "failover_rate", "Status.JVM.Memory.Heap.Used"))
    assert [m["metricName"] for m in result][:2] == [f"blink.{v.project}.{v.job_name}.delay", "fetched_delay"]
    for m in result:
        assert set(m) == {"metricName", "dps", "summary", "tags"} and m["tags"] == {}
        assert 100 <= len(m["dps"]) <= 121
        for key, value in m["dps"].items():
            assert re.fullmatch(r"\d{10}", key) and start <= int(key) * 1000 <= end
            assert isinstance(value, (str, float, int))
            float(value)  # Java notation like '4.929E+8' parses too
        assert isinstance(m["summary"], (int, float))
    keys = [int(k) for k in result[0]["dps"]]
    assert all(b - a == 60 for a, b in zip(keys, keys[1:], strict=False))
    assert rt.metrics(v, json.dumps(_query(v, start, end, "delay"))) == rt.metrics(v, _query(v, start, end, "delay"))


def test_metric_scenarios(views):
    lag = _view(views, "lagging")
    delay = rt.metrics(lag, _query(lag, lag.now_ms - 3_600_000, lag.now_ms, "delay"))[0]
    values = [float(x) for x in delay["dps"].values()]
    assert min(values) > 180_000 and values[-1] > values[0]
    assert rt.input_delay(lag) > 180_000
    assert rt.input_delay(_view(views, "running")) < 180_000
    failing = _view(views, "failing")
    rate = rt.metrics(failing, _query(failing, failing.now_ms - 3_600_000, failing.now_ms, "task_failover.rate"))[0]
    assert max(float(x) for x in rate["dps"].values()) > 0
    healthy = next(v for v in views["running"] if v.failovers == 0)
    rate = rt.metrics(healthy, _query(healthy, healthy.now_ms - 3_600_000, healthy.now_ms, "failover_rate"))[0]
    assert all(float(x) == 0 for x in rate["dps"].values())
    long = rt.metrics(healthy, _query(healthy, healthy.now_ms - 24 * 3_600_000, healthy.now_ms, "delay"))[0]
    assert len(long["dps"]) <= 121
    assert rt.metrics(_view(views, "starting"), _query(healthy, 0, healthy.now_ms, "delay"))[0]["dps"] == {}
    assert rt.input_delay(_view(views, "stopped")) == 0


# ---------------------------------------------------------------------------------------------------------------
# Plans and the other instance payloads


def test_plan_json_is_a_dag(demo):
    for job in demo.jobs:
        plan = rt.plan_json(job["name"], job["code"], 4, demo.seed)
        ids = [n["id"] for n in plan["nodes"]]
        assert 3 <= len(ids) <= 8 and len(ids) == len(set(ids)), job["name"]
        assert plan["nodes"][0]["pact"] == "Source" and plan["nodes"][-1]["pact"] == "Sink"
        assert set(plan["global"][0]) >= {"jobManagerMinCpuCores", "jobManagerMinMemoryCores"}
        indegree = dict.fromkeys(ids, 0)
        out: dict[int, list[int]] = {i: [] for i in ids}
        for link in plan["links"]:
            assert link["source"] in out and link["target"] in out
            assert link["ship_strategy"] in ("FORWARD", "HASH", "REBALANCE")
            out[link["source"]].append(link["target"])
            indegree[link["target"]] += 1
        ready, seen = [i for i in ids if indegree[i] == 0], 0
        while ready:
            node = ready.pop()
            seen += 1
            for t in out[node]:
                indegree[t] -= 1
                if indegree[t] == 0:
                    ready.append(t)
        assert seen == len(ids), f"cycle in {job['name']}"
        res = rt.plan_resource(plan)
        assert res["Cores"] > 0 and res["MemoryGB"] > 0
    assert rt.plan_json("x", "not sql at all", 2, 1)["nodes"]  # falls back to a template


def test_detail_config_resource_final_state(views):
    detail_example = _embedded("GetInstanceDetail", "Detail")
    config_example = _embedded("GetInstanceConfig", "Config")
    v = _view(views, "running")
    d = rt.detail(v)
    assert set(d) == set(detail_example)
    assert set(d["timestamps"]) == set(detail_example["timestamps"])
    assert set(d["status-counts"]) == set(detail_example["status-counts"])
    assert set(d["vertices"][0]) == set(detail_example["vertices"][0])
    assert set(d["vertices"][0]["metrics"]) == set(detail_example["vertices"][0]["metrics"])
    assert d["state"] == "RUNNING" and d["end-time"] == -1 and d["now"] == v.now_ms
    assert sum(d["status-counts"].values()) == len(d["vertices"])
    assert "-&gt;" in json.dumps(d["plan"]) or len(d["vertices"]) == 1
    assert rt.detail(_view(views, "stopped"))["state"] == "CANCELED"
    c = rt.config(v)
    assert set(c) == set(config_example)
    assert set(c["execution-config"]) == set(config_example["execution-config"])
    user = c["execution-config"]["user-config"]
    assert all(isinstance(x, str) for x in user.values())
    assert user["__inner__jobName__"] == v.job_name
    assert user["blink.checkpoint.interval.ms"] == str(rt.checkpoint_interval_ms(v))
    assert not any(k.startswith("sts") for k in user)
    r = rt.resource(v)
    assert r["AllocatedVirtualCores"] > 0 and r["AllocatedMB"] > 0
    assert rt.resource(_view(views, "stopped"))["AllocatedMB"] == 0
    assert rt.final_state(v) == "RUNNING"
    assert rt.final_state(_view(views, "batch_success")) == "FINISHED"
    assert rt.final_state(_view(views, "starting")) == "ACCEPTED"


def test_autoscale(views, demo):
    with_plans = [v for vs in views.values() for v in vs if rt.autoscale_plan_list(v)]
    assert with_plans
    v = with_plans[0]
    names = rt.autoscale_plan_list(v)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", n) for n in names) and names == sorted(names)
    content = rt.autoscale_plan_content(v, names[-1])
    assert content["nodes"] and content["autoConfig"]["result"]["attemptId"] == len(names)
    with pytest.raises(KeyError):
        rt.autoscale_plan_content(v, "1999-01-01 00:00:00")
    latest = rt.latest_autoscale_plan(demo.jobs[0]["name"], demo.seed)
    assert latest["nodes"] and latest == rt.latest_autoscale_plan(demo.jobs[0]["name"], demo.seed)


def test_runtime_reads_no_clock(views, monkeypatch):
    v = _view(views, "failing")
    expected = (rt.checkpoints(v), rt.exceptions(v), rt.detail(v), rt.config(v))

    def boom() -> float:
        raise AssertionError("runtime read the clock")

    monkeypatch.setattr(time, "time", boom)
    monkeypatch.setattr(time, "monotonic", boom)
    assert (rt.checkpoints(v), rt.exceptions(v), rt.detail(v), rt.config(v)) == expected
    rt.metrics(v, _query(v, v.now_ms - 600_000, v.now_ms, "delay"))
