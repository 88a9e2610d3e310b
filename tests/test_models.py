"""Response models: every documented example parses, wrappers, casing and embedded JSON are handled, and no
dict body can make validation fail."""

from __future__ import annotations

import json
import pickle
import random
import types
from functools import cache
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from foas_tui.api import models
from foas_tui.api.models import (
    RESPONSE_MODELS,
    ApiType,
    BatchGetInstanceRunSummaryResponse,
    CheckpointStats,
    ClusterState,
    DeployType,
    Embedded,
    FoasModel,
    GetInstanceCheckpointResponse,
    GetInstanceExceptionsResponse,
    GetInstanceMetricResponse,
    GetJobResponse,
    GetRefPackageJobResponse,
    InstanceState,
    Job,
    JobType,
    ListJobResponse,
    ListTagResourcesResponse,
    PagedResponse,
    RunSummary,
    Unwrap,
    normalize_key,
    parse_response,
)

OPERATIONS: list[dict[str, Any]] = json.loads((Path(__file__).parent / "data" / "operations.json").read_text())
SPECS = {op["operation"]: op for op in OPERATIONS}
NAMES = sorted(SPECS)


def example(operation: str) -> dict[str, Any]:
    return json.loads(json.dumps(SPECS[operation]["example_json"]))  # a private copy


# --- every operation, every documented example ---------------------------------------------------


def test_registry_has_one_model_per_operation() -> None:
    assert sorted(RESPONSE_MODELS) == NAMES
    assert len(RESPONSE_MODELS) == 67
    for name, model in RESPONSE_MODELS.items():
        assert model.__name__ == f"{name}Response"
        assert issubclass(model, FoasModel)
        assert getattr(models, model.__name__) is model


@pytest.mark.parametrize("operation", NAMES)
def test_documented_example_parses_and_round_trips(operation: str) -> None:
    body = example(operation)
    parsed = parse_response(operation, body)
    assert isinstance(parsed, RESPONSE_MODELS[operation])
    assert parsed.request_id == (body.get("RequestId") or body.get("requestId"))
    model = type(parsed)
    assert model.model_validate(parsed.model_dump()) == parsed
    assert model.model_validate(json.loads(parsed.model_dump_json())) == parsed
    assert body == example(operation)  # the input is not mutated


def _list_model(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(model class inside the annotation or None, whether it is a list)."""
    origin = get_origin(annotation)
    if origin is list:
        (item,) = get_args(annotation)
        return (item if isinstance(item, type) and issubclass(item, BaseModel) else None), True
    if origin in (Union, types.UnionType):
        inner = [arg for arg in get_args(annotation) if arg is not type(None)]
        return _list_model(inner[0]) if len(inner) == 1 else (None, False)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


@pytest.mark.parametrize("operation", NAMES)
def test_every_documented_response_field_is_modelled(operation: str) -> None:
    """Each path of the spec (`Jobs.Job[].JobName`, `JobInOut.Dims.Dim[].Alias` ...) maps onto a typed field,
    and list wrappers (`Job` in `Jobs.Job[]`) are the ones the model unwraps."""
    for path in SPECS[operation]["response_fields"]:
        current: type[BaseModel] | None = RESPONSE_MODELS[operation]
        wrapper: str | None = None
        for raw in path.split("."):
            segment = raw.removesuffix("[]")
            if wrapper is not None and normalize_key(segment) == normalize_key(wrapper):
                wrapper = None
                continue
            assert current is not None, f"{path}: nothing to descend into at {segment!r}"
            name = current.__foas_fields__.get(normalize_key(segment))  # type: ignore[attr-defined]
            assert name is not None, f"{path}: {segment!r} is not a field of {current.__name__}"
            field = current.model_fields[name]
            current, is_list = _list_model(field.annotation)
            unwrap = next((meta for meta in field.metadata if isinstance(meta, Unwrap)), None)
            wrapper = unwrap.item_key if is_list and unwrap is not None else None


# --- explicit checks on the important examples -----------------------------------------------------


def test_get_ref_package_job_unwraps_jobs_and_paging() -> None:
    parsed = GetRefPackageJobResponse.model_validate(example("GetRefPackageJob"))
    assert (parsed.page_index, parsed.page_size, parsed.total_count, parsed.total_page) == (1, 10, 1, 1)
    assert parsed.items is parsed.jobs and len(parsed.items) == 1
    job = parsed.items[0]
    assert isinstance(job, Job)
    assert job.job_name == "job1" and job.project_name == "bayes_team"
    assert job.job_type is JobType.FLINK_STREAM and job.api_type is ApiType.DATASTREAM
    assert job.is_committed is True and job.folder_id == 10148 and job.modify_time == 1583722910000
    assert job.package_names == ["blink_test_datastream.jar"]
    assert job.code is not None and job.code.startswith("blink.main.class=")
    plan = job.plan_json.value
    assert plan is not None and job.plan_json.error is None and job.plan_json.raw.startswith("{")
    assert [node.id for node in plan.nodes][:2] == [1, 2]
    assert plan.nodes[1].predecessors[0].ship_strategy == "FORWARD"
    assert (1, 2) in plan.edges


@pytest.mark.parametrize(
    "jobs",
    [
        {"Job": [{"JobName": "a"}, {"JobName": "b"}]},
        [{"JobName": "a"}, {"jobName": "b"}],
        {"job": [{"job_name": "a"}, {"JOBNAME": "b"}]},
        json.dumps({"Job": [{"JobName": "a"}, {"JobName": "b"}]}),
        {"Job": [{"JobName": "a"}, "junk", 3, None, {"JobName": "b"}]},
    ],
)
def test_list_wrapper_forms(jobs: Any) -> None:
    parsed = ListJobResponse.model_validate({"RequestId": "r", "Jobs": jobs, "TotalCount": "2"})
    assert [job.job_name for job in parsed.items] == ["a", "b"]
    assert parsed.total_count == 2


@pytest.mark.parametrize(
    ("jobs", "names"),
    [
        ({"Job": {"JobName": "only"}}, ["only"]),  # XML-style single element
        ({"JobName": "only"}, ["only"]),  # the object itself
        ({"Job": []}, []),
        ({"Job": None}, []),
        ({}, []),
        (None, []),
        ("", []),
        ("not json", []),
        (42, []),
    ],
)
def test_list_wrapper_single_missing_and_junk(jobs: Any, names: list[str]) -> None:
    assert [job.job_name for job in ListJobResponse.model_validate({"Jobs": jobs}).items] == names
    assert ListJobResponse.model_validate({}).items == []


def test_batch_run_summaries() -> None:
    parsed = BatchGetInstanceRunSummaryResponse.model_validate(example("BatchGetInstanceRunSummary"))
    assert parsed.request_id == "1CA9A8E9-F398-493F-83CA-A92A38501B47"
    (summary,) = parsed.run_summaries
    assert isinstance(summary, RunSummary)
    assert summary.id == 214650 and summary.job_name == "ss2" and summary.input_delay == 0
    assert summary.actual_state == "RUNNING" and summary.actual_state is InstanceState.RUNNING
    assert summary.expect_state is InstanceState.RUNNING
    assert summary.engine_job_handler == "application_1561366511517_113805|a10928cec91de395ff3d7593f7ff46c5"
    assert summary.last_error_time is None and summary.last_error_message is None


def test_checkpoints_embedded_json() -> None:
    parsed = GetInstanceCheckpointResponse.model_validate(example("GetInstanceCheckpoint"))
    assert parsed.checkpoints.ok
    stats = parsed.checkpoints.value
    assert isinstance(stats, CheckpointStats)
    assert stats.counts is not None
    counts = stats.counts
    assert (counts.restored, counts.total, counts.in_progress) == (1, 61440, 0)
    assert (counts.completed, counts.failed) == (61440, 0)
    assert stats.summary is not None and stats.summary.end_to_end_duration is not None
    assert (stats.summary.end_to_end_duration.min, stats.summary.end_to_end_duration.max) == (9, 981)
    assert stats.summary.state_size is not None and stats.summary.state_size.avg == 4384
    latest = stats.latest
    assert latest is not None and latest.completed is not None and latest.restored is not None
    assert latest.completed.id == 61440 and latest.completed.status == "COMPLETED"
    assert latest.savepoint is None and latest.failed is None
    assert latest.restored.id == 7965 and latest.restored.restore_timestamp == 1600879950869
    assert [entry.id for entry in stats.history] == list(range(61440, 61430, -1))
    first = stats.history[0]
    assert first.class_ == "completed" and first.is_savepoint is False and first.discarded is False
    assert first.trigger_timestamp == 1610505450869 and first.latest_ack_timestamp == 1610505450883
    assert first.state_size == 4384 and first.num_subtasks == 1 and first.num_acknowledged_subtasks == 1
    assert first.external_path is not None and first.external_path.endswith("/chk-61440")
    assert all(entry.discarded for entry in stats.history[1:])
    assert parsed.model_dump()["checkpoints"] == example("GetInstanceCheckpoint")["Checkpoints"]  # raw text back


def test_checkpoint_failure_fields() -> None:
    text = json.dumps({"counts": {"failed": "1"}, "latest": {"failed": {
        "@class": "failed", "id": 7, "status": "FAILED", "failure_timestamp": 1610505450869,
        "failure_message": "Checkpoint expired before completing."}}, "history": {"not": "a list"}})
    stats = GetInstanceCheckpointResponse.model_validate({"Checkpoints": text}).checkpoints.value
    assert stats is not None and stats.counts is not None and stats.counts.failed == 1
    assert stats.latest is not None and stats.latest.failed is not None
    assert stats.latest.failed.failure_message == "Checkpoint expired before completing."
    assert stats.latest.failed.status == "FAILED" and stats.latest.failed.failure_timestamp == 1610505450869
    assert [entry.model_extra for entry in stats.history] == [{"not": "a list"}]  # one object for a list


def test_exceptions_documented_example() -> None:
    parsed = GetInstanceExceptionsResponse.model_validate(example("GetInstanceExceptions"))
    exceptions = parsed.exceptions.value
    assert exceptions is not None
    assert exceptions.root_exception is None and exceptions.timestamp is None
    assert exceptions.all_exceptions == [] and exceptions.truncated is False
    assert exceptions.exception_history is None
    assert exceptions.history == []


def test_exceptions_legacy_form_is_normalized() -> None:
    root = "java.lang.RuntimeException: boom\n\tat com.example.Job.run(Job.java:12)"
    body = {"Exceptions": json.dumps({
        "root-exception": root, "timestamp": 1610505455432, "truncated": True,
        "all-exceptions": [{"exception": "java.io.IOException: disk full\n\tat x.y(Z.java:1)",
                            "task": "Sink: Print (1/1)", "location": "host-1:42", "timestamp": 1610505455000}],
    })}
    exceptions = GetInstanceExceptionsResponse.model_validate(body).exceptions.value
    assert exceptions is not None and exceptions.truncated is True
    history = exceptions.history
    assert [entry.exception_name for entry in history] == ["java.lang.RuntimeException", "java.io.IOException"]
    assert history[0].stacktrace == root and history[0].timestamp == 1610505455432
    assert history[1].task_name == "Sink: Print (1/1)" and history[1].location == "host-1:42"
    assert history[1].timestamp == 1610505455000


def test_exceptions_history_form_wins() -> None:
    body = {"Exceptions": {  # already decoded, and with both forms
        "root-exception": "old", "all-exceptions": [],
        "exceptionHistory": {"truncated": False, "entries": [{
            "exceptionName": "org.apache.flink.util.FlinkException", "stacktrace": "org.apache.flink...",
            "timestamp": 1700000000000, "taskName": "Source: kafka (1/2)", "location": "tm-1:6121",
            "endpoint": "tm-1:6121", "taskManagerId": "tm-1", "failureLabels": {"type": "user"},
            "concurrentExceptions": [{"exceptionName": "java.lang.Error", "timestamp": "1700000000001"}]}]}}}
    parsed = GetInstanceExceptionsResponse.model_validate(body)
    assert parsed.exceptions.raw is None and parsed.exceptions.error is None
    assert parsed.exceptions.value is not None
    (entry,) = parsed.exceptions.value.history
    assert entry.exception_name == "org.apache.flink.util.FlinkException"
    assert entry.task_name == "Source: kafka (1/2)" and entry.location == "tm-1:6121"
    assert entry.task_manager_id == "tm-1" and entry.failure_labels == {"type": "user"}
    assert entry.concurrent_exceptions[0].exception_name == "java.lang.Error"
    assert entry.concurrent_exceptions[0].timestamp == 1700000000001


def test_instance_metric_points_with_java_scientific_notation() -> None:
    parsed = GetInstanceMetricResponse.model_validate(example("GetInstanceMetric"))
    assert parsed.request_id == "4D7AB7CF-4EF2-4635-9137-51803CD71DAD"  # camelCase "requestId"
    (metric,) = parsed.metrics  # bare camelCase "metrics" list
    assert metric.metric_name == "blink.bayes_team.ss2.delay"
    assert metric.summary == 494400448 and metric.tags == {}
    assert metric.points == [
        (1574247000, 492900000.0), (1574247600, 493500160.0), (1574248200, 494100352.0),
        (1574248800, 494700544.0), (1574249400, 495300736.0), (1574250000, 495900896.0),
    ]


def test_metric_points_sorted_and_junk_skipped() -> None:
    dps = {"1574244700": 2, "1574244620": "1.5E0", "x": 1, "1574244800": "NaN", "1574244900": None, "1574244999": "?"}
    body = {"Metrics": {"Metric": [{"MetricName": "m", "Dps": dps}]}}
    (metric,) = GetInstanceMetricResponse.model_validate(body).metrics
    assert metric.points == [(1574244620, 1.5), (1574244700, 2.0)]
    cluster = parse_response("GetClusterMetrics", example("GetClusterMetrics"))
    points = cluster.metrics[0].points  # type: ignore[attr-defined]
    assert len(points) == 9 and points == sorted(points) and points[0] == (1574244620, 3675.839599609375)


def test_get_job_camel_case() -> None:
    parsed = GetJobResponse.model_validate(example("GetJob"))
    assert parsed.request_id == "2C6E2F4C-2FA1-4159-87DA-676DB15F4826"
    job = parsed.job
    assert job is not None
    assert job.job_name == "datastream_enable" and job.project_name == "bayes_team"
    assert job.job_type is JobType.FLINK_STREAM and job.api_type is ApiType.DATASTREAM
    assert job.is_committed is True and job.folder_id == 26808 and job.job_id == "rd8r1lgccsnnchh9fqwukw6e"
    assert job.file_id == "75724"  # a String per the table, a number in the example
    assert job.create_time == 1595493794000 and job.modify_time == 1597743765000
    assert job.plan_json == Embedded() and job.description is None


def test_start_job_instance_id() -> None:
    parsed = parse_response("StartJob", example("StartJob"))
    assert parsed.instance_id == 415854  # type: ignore[attr-defined]
    assert parsed.request_id == "5313EF6E-6E3F-45DB-8E33-20DA279D8F3F"  # type: ignore[attr-defined]


def test_cluster_engine_versions() -> None:
    parsed = parse_response("GetClusterEngineVersions", example("GetClusterEngineVersions"))
    assert parsed.engine_versions == ["current--blink-3.4.4"]  # type: ignore[attr-defined]
    for versions in ({"EngineVersion": "current--blink-3.4.4"}, ["current--blink-3.4.4"], "current--blink-3.4.4"):
        again = parse_response("GetClusterEngineVersions", {"EngineVersions": versions})
        assert again.engine_versions == ["current--blink-3.4.4"]  # type: ignore[attr-defined]


def test_validate_job_in_out() -> None:
    in_out = parse_response("ValidateJob", example("ValidateJob")).job_in_out  # type: ignore[attr-defined]
    assert [(t.type, t.alias, t.properties, t.workspace) for t in in_out.outputs] == [
        ("rds", "result_infor", {"type": "rds"}, "")]
    assert [(t.type, t.alias, t.workspace) for t in in_out.dims] == [("ots", "phoneNumber", None)]
    assert [(t.type, t.alias) for t in in_out.inputs] == [("datahub", "datahub_input1")]


def test_list_tag_resources_token_paging() -> None:
    parsed = ListTagResourcesResponse.model_validate(example("ListTagResources"))
    assert parsed.success is True and parsed.http_status_code == 200 and parsed.code == "<code>"
    assert parsed.next_token == "<token>"
    assert [(t.resource_id, t.resource_type, t.tag_key, t.tag_value) for t in parsed.items] == [
        ("<resource id>", "<resource type>", "<key>", "<value>")]
    wrapped = ListTagResourcesResponse.model_validate(
        {"Data": {"TagResources": {"TagResource": [{"TagKey": "k"}]}, "NextToken": ""}})
    assert [t.tag_key for t in wrapped.items] == ["k"] and wrapped.next_token == ""
    assert ListTagResourcesResponse.model_validate({"RequestId": "r"}).items == []
    assert parse_response("TagResources", example("TagResources")).data is True  # type: ignore[attr-defined]


def test_paged_responses_expose_items_and_paging() -> None:
    for operation, count in [("ListInstance", 2), ("ListPackage", 4), ("ListCluster", 2), ("ListProject", 2),
                             ("GetRefPackageJob", 1), ("ListJob", 0)]:
        parsed = parse_response(operation, example(operation))
        assert isinstance(parsed, PagedResponse)
        assert len(parsed.items) == count, operation
    listed = parse_response("ListInstance", example("ListInstance"))
    assert isinstance(listed, PagedResponse)
    assert (listed.page_index, listed.page_size, listed.total_count, listed.total_page) == (1, 10, 15, 2)
    first, second = listed.items
    assert first.priority == 5 and first.package_names == [] and first.actual_state is InstanceState.RUNNING
    assert first.plan_json.value.global_[0]["jobManagerMemoryInMB"] == 1024
    assert first.plan_json.value.nodes[0].heap_memory == 252
    assert second.plan_json.value.links[2].ship_strategy == "HASH"
    assert "resourceSettings" in second.plan_json.value.model_extra  # Blink extras kept


def test_other_embedded_payloads() -> None:
    instance = parse_response("GetInstance", example("GetInstance")).instance  # type: ignore[attr-defined]
    assert instance.auto_scale_params.value.is_on_off is False and instance.auto_scale_params.value.max_cu is None
    assert instance.plan_json == Embedded(raw="")  # "" is "no plan", not an error
    assert instance.input_delay == -99999999 and instance.starter == "239960377092765296"

    details = parse_response("GetClusterDetails", example("GetClusterDetails")).details  # type: ignore[attr-defined]
    assert details.state is ClusterState.STARTING and details.is_mix_deploy is False
    assert details.user_oss_info.value.bucket == "flink-test-oss-beijing"
    assert details.user_oss_info.value.access_key is None
    assert details.user_vswitch_list.value == ["vsw-uf6v128q9khll8e9ucyhj"]

    (queue,) = parse_response("GetClusterQueueInfo", example("GetClusterQueueInfo")).queues  # type: ignore[attr-defined]
    assert queue.external_info.value.max_vcore == 600 and queue.external_info.value.name == "root.cloudpay_dev"
    assert queue.resource("max_mem") == 24576

    config = parse_response("GetInstanceConfig", example("GetInstanceConfig")).config.value  # type: ignore[attr-defined]
    assert config.jid == "166845b9753a86282144c59d0c3d82b7"
    assert config.execution_config.execution_mode == "PIPELINED"
    assert config.execution_config.job_parallelism == -1 and config.execution_config.object_reuse_mode is True
    assert config.execution_config.user_config["blink.checkpoint.interval.ms"] == "180000"
    assert "user_config" not in repr(config.execution_config)  # may carry sts credentials

    detail = parse_response("GetInstanceDetail", example("GetInstanceDetail")).detail.value  # type: ignore[attr-defined]
    assert detail.state == "CANCELED" and detail.is_stoppable is False and detail.duration == 9625504605
    assert detail.timestamps["RUNNING"] == 1600879950869 and detail.status_counts["CANCELED"] == 1
    (vertex,) = detail.vertices
    assert vertex.parallelism == 1 and vertex.status == "CANCELED" and vertex.start_time == 1600880000174
    assert vertex.tasks["CANCELED"] == 1 and vertex.metrics["tps"] == -1.0
    assert detail.plan.nodes[0].id == vertex.id and detail.plan.nodes[0].inputs == []


def test_queue_overflow_reads_external_info() -> None:
    (queue,) = parse_response("GetClusterQueueInfo", {"Queues": {"Queue": [{
        "MaxMem": -9999, "ExternalInfo": '{"maxMem": 99999999999}'}]}}).queues  # type: ignore[attr-defined]
    assert queue.max_mem == -9999 and queue.resource("max_mem") == 99999999999


# --- enums, embedded JSON, casing, extras, lenient scalars -----------------------------------------


def test_unknown_enum_values_are_kept() -> None:
    summary = RunSummary.model_validate({"ActualState": "DEGRADED", "ExpectState": "running"})
    assert summary.actual_state == "DEGRADED" and isinstance(summary.actual_state, InstanceState)
    assert not summary.actual_state.is_known and str(summary.actual_state) == "DEGRADED"
    assert summary.expect_state is InstanceState.RUNNING and summary.expect_state.is_known
    assert json.loads(summary.model_dump_json())["actual_state"] == "DEGRADED"
    assert RunSummary.model_validate(summary.model_dump()) == summary
    assert InstanceState("DEGRADED") == "DEGRADED" and InstanceState("UNKNOWN") is InstanceState.UNKNOWN
    project = parse_response("GetProject", {"Project": {"DeployType": "cell", "State": "DISABLE"}})
    assert project.project.deploy_type is DeployType.CELL  # type: ignore[attr-defined]
    assert project.project.state == "DISABLE"  # type: ignore[attr-defined]
    assert Job.model_validate({"JobType": 7, "ApiType": None}).job_type == "7"


def test_malformed_embedded_json_keeps_raw_text() -> None:
    bad = '{"counts": {"total": 3}'
    parsed = GetInstanceCheckpointResponse.model_validate({"RequestId": "r", "Checkpoints": bad})
    assert parsed.request_id == "r"
    assert parsed.checkpoints.value is None and parsed.checkpoints.raw == bad
    assert parsed.checkpoints.error is not None and "JSON" in parsed.checkpoints.error
    assert not parsed.checkpoints.ok
    assert parsed.model_dump()["checkpoints"] == bad


def test_embedded_json_of_the_wrong_shape_keeps_raw_text() -> None:
    parsed = GetInstanceCheckpointResponse.model_validate({"Checkpoints": "[1, 2]"})
    assert parsed.checkpoints.value is None and parsed.checkpoints.raw == "[1, 2]"
    assert parsed.checkpoints.error is not None
    decoded = GetInstanceCheckpointResponse.model_validate({"Checkpoints": [1, 2]})
    assert decoded.checkpoints.value is None and decoded.checkpoints.raw == "[1,2]"
    jobs = ListJobResponse.model_validate({"Jobs": {"Job": [{"JobName": "j", "PlanJson": "{a:b}"}]}}).items
    assert jobs[0].job_name == "j" and jobs[0].plan_json.raw == "{a:b}" and jobs[0].plan_json.error


def test_embedded_accepts_decoded_objects_and_nothing() -> None:
    decoded = GetInstanceCheckpointResponse.model_validate({"Checkpoints": {"counts": {"total": 5}}})
    assert decoded.checkpoints.ok and decoded.checkpoints.raw is None
    assert decoded.checkpoints.value.counts.total == 5  # type: ignore[union-attr]
    assert decoded.model_dump()["checkpoints"] == {"counts": {"restored": None, "total": 5, "in_progress": None,
                                                              "completed": None, "failed": None},
                                                   "summary": None, "latest": None, "history": []}
    for nothing in (None, "", "  ", "null"):
        empty = GetInstanceCheckpointResponse.model_validate({"Checkpoints": nothing}).checkpoints
        assert empty.value is None and empty.error is None
    assert GetInstanceCheckpointResponse.model_validate({}).checkpoints == Embedded()


@pytest.mark.parametrize("key", ["RequestId", "requestId", "request_id", "REQUESTID", "request-id", "Request_Id"])
def test_any_key_casing(key: str) -> None:
    assert parse_response("ModifyInstanceState", {key: "r"}).request_id == "r"  # type: ignore[attr-defined]


def test_pascal_and_camel_case_payloads_agree() -> None:
    pascal = {"RequestId": "r", "Job": {"JobName": "j", "IsCommitted": True, "CreateTime": 1, "JobType": "FLINK_BATCH"}}
    camel = {"requestId": "r", "job": {"jobName": "j", "isCommitted": True, "createTime": 1, "jobType": "FLINK_BATCH"}}
    assert GetJobResponse.model_validate(pascal) == GetJobResponse.model_validate(camel)
    assert parse_response("GetInstanceFinalState", {"Finalstate": "RUNNING"}).final_state == "RUNNING"  # type: ignore[attr-defined]


def test_unknown_fields_are_kept() -> None:
    body = {"RequestId": "r", "HostId": "foas.cn-shanghai.aliyuncs.com", "Job": {"JobName": "j", "NewField": [1]}}
    parsed = GetJobResponse.model_validate(body)
    assert parsed.model_extra == {"HostId": "foas.cn-shanghai.aliyuncs.com"}
    assert parsed.job is not None and parsed.job.model_extra == {"NewField": [1]}
    assert parsed.model_dump()["HostId"] == "foas.cn-shanghai.aliyuncs.com"
    operation = "GetInstanceHistoryAutoScalePlanContent"
    error_body = parse_response(operation, example(operation))
    assert error_body.model_extra["Code"] == "InvalidinstanceId"  # type: ignore[index]
    duplicate = GetJobResponse.model_validate({"RequestId": "a", "requestId": "b"})
    assert duplicate.request_id == "a" and duplicate.model_extra == {"requestId": "b"}
    exact = GetJobResponse.model_validate({"RequestId": "a", "request_id": "b"})
    assert exact.request_id == "b" and exact.model_extra == {"RequestId": "a"}


def test_lenient_scalars() -> None:
    summary = RunSummary.model_validate({
        "Id": "214650", "InputDelay": "4.929E+8", "LastErrorTime": "1.548397575E12", "JobName": 12,
        "ExpectState": ["x"], "EngineJobHandler": {"a": 1}})
    assert summary.id == 214650 and summary.input_delay == 492900000 and summary.last_error_time == 1548397575000
    assert summary.job_name == "12" and summary.expect_state is None
    assert summary.engine_job_handler == '{"a":1}'
    junk = RunSummary.model_validate({"Id": "abc", "InputDelay": 1e400, "LastErrorTime": [], "JobName": None})
    assert (junk.id, junk.input_delay, junk.last_error_time, junk.job_name) == (None, None, None, None)
    job = Job.model_validate({"IsCommitted": "TRUE", "FolderId": 3.0, "CreateTime": "1599794335000"})
    assert job.is_committed is True and job.folder_id == 3 and job.create_time == 1599794335000
    assert Job.model_validate({"IsCommitted": "maybe"}).is_committed is None
    resource = parse_response("CalcPlanJsonResource", {"PlanJsonResource": {"Cores": "5", "MemoryGB": 10**400}})
    assert resource.plan_json_resource.cores == 5.0 and resource.plan_json_resource.memory_gb is None  # type: ignore[attr-defined]
    nested = GetJobResponse.model_validate({"Job": "not an object"})
    assert nested.job is None
    assert GetJobResponse.model_validate({"Job": '{"JobName": "from text"}'}).job.job_name == "from text"  # type: ignore[union-attr]


def test_list_items_given_as_json_text_and_embedded_given_as_objects() -> None:
    jobs = ListJobResponse.model_validate({"Jobs": ['{"JobName": "t"}', "{bad"]}).items
    assert [job.job_name for job in jobs] == ["t"]
    plan = models.PlanJson(nodes=[{"id": 1}], links=[{"source": 1, "target": 2}])
    job = Job(job_name="j", plan_json=plan)  # constructor with Python objects
    assert job.plan_json == Embedded(plan) and job.plan_json.value.edges == [(1, 2)]  # type: ignore[union-attr]
    assert Job(plan_json=job.plan_json).plan_json is job.plan_json
    assert Job.model_validate(job.model_dump()) == job


def test_models_support_json_schema_pickle_and_copy() -> None:
    for model in RESPONSE_MODELS.values():
        assert model.model_json_schema()["type"] == "object"
    parsed = BatchGetInstanceRunSummaryResponse.model_validate(
        {"RunSummarys": {"RunSummary": [{"ActualState": "DEGRADED", "Id": 1}]}})
    assert pickle.loads(pickle.dumps(parsed)) == parsed
    checkpoints = GetInstanceCheckpointResponse.model_validate(example("GetInstanceCheckpoint"))
    assert pickle.loads(pickle.dumps(checkpoints)) == checkpoints == checkpoints.model_copy(deep=True)


@pytest.mark.parametrize("body", [None, [], ["RequestId"], "RequestId", 3, 1.5, True, "[1]", b"x"])
def test_non_object_body_raises_validation_error(body: Any) -> None:
    with pytest.raises(ValidationError):
        ListJobResponse.model_validate(body)


def test_object_json_text_body_is_accepted() -> None:
    assert ListJobResponse.model_validate('{"RequestId": "r"}').request_id == "r"


# --- fuzzing: any dict validates, only ValidationError ever escapes ---------------------------------
#
# Bodies are shaped after the models: each key is some spelling of a field of the model (or an odd key),
# each value junk or, for fields holding models, a nested body in one of the forms the models accept
# (object, list, JSON text, wrapper). Two generators: hypothesis strategies (shrinkable, a few hundred
# examples over randomly chosen models) and a cheap seeded generator for a 50-body sweep over every model.

_ODD_TEXT = ["", " ", "4.929E+8", "1599794335000", "-1", "NaN", "-Infinity", "true", "FALSE", "{", "[", "{}", "[]",
             "null", '{"a": [1, {"b": null}]}', "[1,2", "RUNNING", "running", "DEGRADED", "x" * 100_000, "9" * 5000,
             '{"nodes": "x", "links": [1]}', '"quoted"', "[a,b]", "[" * 5000 + "]" * 5000, "\x00\ud7ff", "é中"]
_ODD_KEYS = ["", "_", "-", "@class", "__class__", "__dict__", "model_fields", "__pydantic_extra__", "items", "copy"]
_ODD_NUMBERS = [0, -1, 2**31, 2**63, -(2**64), 10**400, 0.5, -0.0, 1e308, float("nan"), float("inf"), -float("inf")]
_SCALAR_POOL = [None, True, False, *_ODD_NUMBERS, *_ODD_TEXT]


def _spellings(name: str) -> list[str]:
    pascal = "".join(part[:1].upper() + part[1:] for part in name.split("_"))
    return [name, pascal, pascal[:1].lower() + pascal[1:], name.upper(), name.replace("_", "-")]


@cache
def _fields(model: type[BaseModel]) -> list[tuple[list[str], list[tuple[type[BaseModel], str]]]]:
    """Per field: its spellings, and the models it can hold (through Optional, list, Embedded) with the
    list wrapper's item key."""
    out = []
    for name, field in model.model_fields.items():
        unwrap = next((meta for meta in field.metadata if isinstance(meta, Unwrap)), None)
        nested, stack = [], [field.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                nested.append((annotation, (unwrap.item_key if unwrap else None) or "Item"))
            else:
                stack.extend(get_args(annotation))
        out.append((_spellings(name), nested))
    return out


_SCALARS = st.one_of(st.sampled_from(_SCALAR_POOL), st.integers(), st.floats(), st.text(max_size=8))
_JUNK = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(st.tuples(st.one_of(st.text(max_size=6), st.sampled_from(_ODD_KEYS)), inner), max_size=3).map(dict)),
    max_leaves=4,
)


@cache
def _shaped(model: type[BaseModel], depth: int = 0) -> st.SearchStrategy[dict[Any, Any]]:
    entries = [st.tuples(st.sampled_from(_ODD_KEYS), _JUNK)]
    for spellings, nested in _fields(model):
        values = [_JUNK]
        if depth < 2:
            for sub_model, item_key in nested:
                sub = _shaped(sub_model, depth + 1)
                values += [sub, st.lists(sub, max_size=2), sub.map(json.dumps),
                           st.lists(sub, max_size=2).map(lambda items, k=item_key: {k: items})]
        entries.append(st.tuples(st.sampled_from(spellings), st.one_of(values)))
    return st.lists(st.one_of(entries), max_size=5 if depth == 0 else 3).map(dict)


def _random_junk(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth >= 2 or roll < 0.6:
        if roll < 0.45:
            return rng.choice(_SCALAR_POOL)
        if roll < 0.52:
            return rng.randint(-(2**70), 2**70)
        return "".join(rng.choice("aZ_-@ 0.9E+{}[]\"\\é中\x00") for _ in range(rng.randint(0, 12)))
    if roll < 0.8:
        return [_random_junk(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice([*_ODD_KEYS, "k", "Job", "Id"]): _random_junk(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def _random_body(model: type[BaseModel], rng: random.Random, depth: int = 0) -> dict[str, Any]:
    fields = _fields(model)
    body: dict[str, Any] = {}
    for _ in range(rng.randint(0, 8 if depth == 0 else 4)):
        if rng.random() < 0.1:
            body[rng.choice(_ODD_KEYS)] = _random_junk(rng)
            continue
        spellings, nested = rng.choice(fields)
        value: Any = _random_junk(rng)
        if nested and depth < 3 and rng.random() < 0.7:
            sub_model, item_key = rng.choice(nested)
            form = rng.randrange(4)
            if form == 0:
                value = _random_body(sub_model, rng, depth + 1)
            elif form == 1:
                value = [_random_body(sub_model, rng, depth + 1) for _ in range(rng.randint(0, 3))]
            elif form == 2:
                value = json.dumps(_random_body(sub_model, rng, depth + 1))
            else:
                value = {item_key: [_random_body(sub_model, rng, depth + 1) for _ in range(rng.randint(0, 2))]}
        body[rng.choice(spellings)] = value
    return body


def _exercise(obj: Any, seen: set[int] | None = None) -> None:
    """Touch every property and nested value, as a UI would."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, Embedded):
        repr(obj)
        _exercise(obj.value, seen)
    elif isinstance(obj, BaseModel):
        repr(obj)
        for klass in type(obj).__mro__:
            if not issubclass(klass, FoasModel) or klass is FoasModel:
                continue
            for name, attr in vars(klass).items():
                if isinstance(attr, property):
                    _exercise(getattr(obj, name), seen)
        for name in type(obj).model_fields:
            _exercise(getattr(obj, name), seen)
    elif isinstance(obj, list | tuple):
        for item in obj:
            _exercise(item, seen)


def _check_dict_body(model: type[FoasModel], body: dict[Any, Any]) -> None:
    parsed = model.model_validate(body)  # never raises for a dict
    _exercise(parsed)
    again = model.model_validate(json.loads(parsed.model_dump_json()))
    assert isinstance(again, model)
    model.model_validate(parsed.model_dump())


FUZZ = settings(
    deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@pytest.mark.parametrize("operation", NAMES)
@settings(FUZZ, max_examples=50)
@given(seed=st.integers(min_value=0, max_value=2**64 - 1))
def test_fuzz_sweep_every_model(operation: str, seed: int) -> None:
    model = RESPONSE_MODELS[operation]
    body = _random_body(model, random.Random(seed))
    note(f"body={body!r:.2000}")
    _check_dict_body(model, body)


@settings(FUZZ, max_examples=300)
@given(data=st.data(), operation=st.sampled_from(NAMES))
def test_fuzz_shaped_bodies(data: st.DataObject, operation: str) -> None:
    model = RESPONSE_MODELS[operation]
    _check_dict_body(model, data.draw(_shaped(model), label="body"))


@settings(FUZZ, max_examples=100)
@given(body=_JUNK, operation=st.sampled_from(NAMES))
def test_fuzz_any_body_validates_or_raises_validation_error(body: Any, operation: str) -> None:
    try:
        parsed = RESPONSE_MODELS[operation].model_validate(body)
    except ValidationError:
        assert not isinstance(body, dict)
    else:
        _exercise(parsed)
