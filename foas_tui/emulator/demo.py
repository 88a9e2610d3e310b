"""Deterministic demo data for the emulator: projects, folders, Blink jobs, packages, queues and clusters."""

from __future__ import annotations

import hashlib
import json
import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from itertools import accumulate
from typing import Any

from foas_tui.emulator import sql_templates as tpl

# 2026-11-26T00:00:00Z: used when build_demo() gets no now_ms, so that output depends on the seed only.
DEFAULT_NOW_MS = 1_795_651_200_000
REGION = "cn-hangzhou"
CST = timezone(timedelta(hours=8))

STREAM_SCENARIOS = ("running", "failing", "restarting", "paused", "stopped", "never_started", "starting",
                    "lagging", "checkpoint_failing")
BATCH_SCENARIOS = ("batch_success", "batch_failed")
SCENARIOS = STREAM_SCENARIOS + BATCH_SCENARIOS

# scenario -> (ExpectState, ActualState) of the job's current instance; None = the job has no instance.
SCENARIO_STATES: dict[str, tuple[str, str] | None] = {
    "running": ("RUNNING", "RUNNING"),
    "failing": ("RUNNING", "RUNNING"),
    "restarting": ("RUNNING", "RUNNING"),
    "lagging": ("RUNNING", "RUNNING"),
    "checkpoint_failing": ("RUNNING", "RUNNING"),
    "paused": ("PAUSED", "PAUSED"),
    "stopped": ("TERMINATED", "TERMINATED"),
    "starting": ("RUNNING", "WAITING"),
    "never_started": None,
    "batch_success": ("SUCCESS", "SUCCESS"),
    "batch_failed": ("FAILED", "FAILED"),
}

_STREAM_WEIGHTS = {"running": 70, "restarting": 7, "lagging": 4, "failing": 2, "checkpoint_failing": 2,
                   "paused": 4, "stopped": 5, "never_started": 4, "starting": 2}
_BATCH_WEIGHTS = {"batch_success": 55, "batch_failed": 15, "never_started": 12, "stopped": 8, "running": 7,
                  "starting": 3}
_ENGINES = (("blink-3.7.10", 50), ("blink-3.6.4", 25), ("blink-3.5.0-hotfix", 15), ("blink-3.4.4", 10))
ENGINE_VERSIONS = ["current--blink-3.7.10", "beta--blink-3.8.0", "blink-3.7.10", "blink-3.6.4",
                   "blink-3.5.0-hotfix", "blink-3.4.4"]

_SUBJECT_CN = {"orders": "订单", "payment": "支付", "refund": "退款", "cart": "加购", "inventory": "库存",
               "login": "登录", "txn": "交易", "device": "设备指纹", "clicks": "广告点击", "impressions": "广告曝光",
               "conversions": "转化", "telemetry": "设备遥测", "alarms": "告警"}
_TEMPLATE_CN = {"etl": "数据清洗入仓", "tumble": "滚动窗口聚合", "hop": "滑动窗口规则", "dim_join": "维表关联打宽",
                "dim_tumble": "维表关联后窗口聚合", "group_agg": "实时累计指标", "stream_join": "双流关联",
                "batch_agg": "离线日汇总", "datastream": "DataStream 作业"}


@dataclass(frozen=True)
class _Spec:
    name: str
    template: str  # one of tpl.TEMPLATES, or "datastream"
    subject: str  # subject name; for datastream the main class
    folder: str
    window: str = "1min"
    source: str = ""  # fixed source connector ("" = random)
    sink: str = ""  # fixed sink connector ("" = random)
    jar: str = ""  # datastream: package name


def _d(name: str, main_class: str, folder: str, jar: str) -> _Spec:
    return _Spec(name, "datastream", main_class, folder, jar=jar)


_PROJECTS: list[dict[str, Any]] = [
    {
        "name": "realtime_dw", "deploy_type": "CELL", "cluster": 0,
        "description": "实时数仓：交易域 ODS→DWD→DWS→ADS 链路",
        "folders": ["/ods", "/ods/kafka", "/ods/kafka/orders", "/ods/datahub", "/ods/datahub/payment", "/dwd",
                    "/dwd/trade", "/dws", "/dws/trade", "/dws/trade/minute", "/ads", "/ads/dashboard", "/batch",
                    "/datastream", "/tmp"],
        "jobs": [
            _Spec("ods_orders_ingest", "etl", "orders", "/ods/kafka/orders", source="kafka", sink="datahub"),
            _Spec("ods_payment_ingest", "etl", "payment", "/ods/datahub/payment", source="datahub"),
            _Spec("ods_refund_ingest", "etl", "refund", "/ods/datahub", source="datahub"),
            _Spec("ods_cart_events_ingest", "etl", "cart", "/ods/kafka", source="kafka"),
            _Spec("dwd_order_detail", "dim_join", "orders", "/dwd/trade", sink="hologres"),
            _Spec("dwd_payment_detail", "dim_join", "payment", "/dwd/trade"),
            _Spec("dwd_order_payment_join", "stream_join", "orders", "/dwd/trade", "1h"),
            _Spec("dws_gmv_1min", "tumble", "orders", "/dws/trade/minute", "1min", sink="hologres"),
            _Spec("dws_shop_gmv_5min", "dim_tumble", "orders", "/dws/trade/minute", "5min"),
            _Spec("dws_refund_rate_10min", "tumble", "refund", "/dws/trade/minute", "10min"),
            _Spec("dws_cart_add_1h", "tumble", "cart", "/dws/trade", "1h"),
            _Spec("ads_realtime_gmv_dashboard", "group_agg", "orders", "/ads/dashboard", sink="hologres"),
            _Spec("ads_shop_refund_board", "group_agg", "refund", "/ads/dashboard", sink="rds"),
            _Spec("dw_inventory_daily", "batch_agg", "inventory", "/batch", sink="rds"),
            _Spec("dw_order_backfill_daily", "batch_agg", "orders", "/batch", sink="hologres"),
            _d("ods_binlog_dedup", "com.acme.realtime.ods.BinlogDedupJob", "/datastream", "ods-binlog-dedup-2.1.0.jar"),
        ],
        "packages": [("ods-binlog-dedup-2.1.0.jar", "JAR", "binlog 去重 DataStream 作业"),
                     ("udf-geo-1.4.2.jar", "JAR", "GeoHash / 行政区划 UDF"),
                     ("blink-udx-common-2.3.0.jar", "JAR", "通用 UDF/UDTF 集合"),
                     ("ip2region-2.7.xdb", "DICTIONARY", "IP 地址库")],
    },
    {
        "name": "risk_control", "deploy_type": "CELL", "cluster": 0,
        "description": "实时风控：登录/交易异常检测与规则引擎",
        "folders": ["/ods", "/ods/events", "/ods/events/login", "/features", "/features/user", "/rules",
                    "/rules/realtime", "/alerts", "/batch", "/datastream"],
        "jobs": [
            _Spec("risk_login_ods_ingest", "etl", "login", "/ods/events/login", source="sls", sink="datahub"),
            _Spec("risk_txn_ods_ingest", "etl", "txn", "/ods/events", source="datahub"),
            _Spec("risk_login_anomaly", "hop", "login", "/rules/realtime", "5min"),
            _Spec("risk_txn_velocity_5min", "hop", "txn", "/rules/realtime", "5min"),
            _Spec("risk_login_fail_1min", "tumble", "login", "/features/user", "1min"),
            _Spec("risk_feature_user_1h", "tumble", "txn", "/features/user", "1h", sink="hologres"),
            _Spec("risk_ip_geo_enrich", "dim_join", "login", "/features"),
            _Spec("risk_device_fingerprint", "dim_join", "device", "/features"),
            _Spec("risk_blacklist_hit", "dim_join", "txn", "/rules/realtime", sink="kafka"),
            _Spec("risk_account_takeover", "stream_join", "login", "/rules/realtime", "10min"),
            _Spec("risk_merchant_chargeback", "group_agg", "txn", "/features", sink="rds"),
            _Spec("risk_high_amount_alert", "etl", "txn", "/alerts", sink="kafka"),
            _Spec("risk_sms_flood_detect", "hop", "device", "/rules", "10min", sink="elasticsearch"),
            _Spec("risk_daily_score_batch", "batch_agg", "txn", "/batch", sink="rds"),
            _d("risk_rule_engine_cep", "com.acme.risk.cep.RuleEngineJob", "/datastream",
               "risk-rules-engine-0.9.7.jar"),
            _d("risk_graph_edges_ingest", "com.acme.risk.graph.EdgeIngestJob", "/datastream",
               "risk-graph-ingest-1.3.0.jar"),
        ],
        "packages": [("risk-rules-engine-0.9.7.jar", "JAR", "CEP 规则引擎"),
                     ("risk-graph-ingest-1.3.0.jar", "JAR", "关系图谱边写入"),
                     ("risk-feature-udfs-0.3.1.zip", "PYTHON", "Python 特征 UDF"),
                     ("risk_rules_v42.json", "DICTIONARY", "规则配置快照")],
    },
    {
        "name": "ads_attribution", "deploy_type": "CELL", "cluster": 1,
        "description": "广告归因：曝光/点击/转化实时归因与投放报表",
        "folders": ["/ods", "/ods/tracking", "/ods/tracking/clicks", "/attribution", "/attribution/last_click",
                    "/report", "/report/minute", "/batch", "/datastream"],
        "jobs": [
            _Spec("ads_click_ingest", "etl", "clicks", "/ods/tracking/clicks", source="kafka", sink="datahub"),
            _Spec("ads_impression_ingest", "etl", "impressions", "/ods/tracking", source="kafka"),
            _Spec("ads_conv_attribution", "stream_join", "conversions", "/attribution/last_click", "1h"),
            _Spec("ads_imp_click_join", "stream_join", "impressions", "/attribution", "10min"),
            _Spec("ads_ctr_1min", "tumble", "impressions", "/report/minute", "1min", sink="hologres"),
            _Spec("ads_campaign_spend_5min", "tumble", "clicks", "/report/minute", "5min"),
            _Spec("ads_budget_pacing", "group_agg", "clicks", "/report", sink="rds"),
            _Spec("ads_creative_rank", "group_agg", "impressions", "/report"),
            _Spec("ads_click_fraud_filter", "hop", "clicks", "/attribution", "10min"),
            _Spec("ads_geo_enrich", "dim_join", "clicks", "/attribution"),
            _Spec("ads_advertiser_spend_1h", "dim_tumble", "clicks", "/report", "1h"),
            _Spec("ads_conv_postback", "etl", "conversions", "/attribution", sink="kafka"),
            _Spec("ads_roi_hourly", "dim_tumble", "conversions", "/report", "1h"),
            _Spec("ads_report_daily", "batch_agg", "clicks", "/batch", sink="rds"),
            _d("ads_attribution_window_engine", "com.acme.ads.attribution.WindowEngineJob", "/datastream",
               "ads-attribution-datastream-1.2.0.jar"),
            _Spec("ads_impression_1min", "tumble", "impressions", "/report/minute", "1min"),
        ],
        "packages": [("ads-attribution-datastream-1.2.0.jar", "JAR", "归因窗口引擎"),
                     ("ads-udf-utm-parser-1.0.3.jar", "JAR", "UTM 参数解析 UDF"),
                     ("attribution_model.py", "PYTHON", "归因模型 Python UDF")],
    },
    {
        "name": "iot_telemetry", "deploy_type": "PUBLIC", "cluster": 1,
        "description": "IoT 设备遥测与告警（共享集群）",
        "folders": ["/ingest", "/ingest/mqtt", "/ingest/mqtt/telemetry", "/monitor", "/monitor/alarms", "/rollup",
                    "/batch", "/datastream"],
        "jobs": [
            _Spec("iot_device_metrics_ingest", "etl", "telemetry", "/ingest/mqtt/telemetry", source="datahub"),
            _Spec("iot_alarm_ingest", "etl", "alarms", "/ingest/mqtt", source="datahub"),
            _Spec("iot_temp_alarm_1min", "tumble", "telemetry", "/monitor/alarms", "1min"),
            _Spec("iot_device_online_stat", "group_agg", "telemetry", "/monitor", sink="hologres"),
            _Spec("iot_battery_low_alert", "hop", "telemetry", "/monitor/alarms", "10min", sink="kafka"),
            _Spec("iot_metrics_downsample_5min", "tumble", "telemetry", "/rollup", "5min"),
            _Spec("iot_site_rollup_1h", "dim_tumble", "telemetry", "/rollup", "1h"),
            _Spec("iot_device_dim_enrich", "dim_join", "telemetry", "/ingest"),
            _Spec("iot_alarm_es_sink", "etl", "alarms", "/monitor/alarms", sink="elasticsearch"),
            _Spec("iot_alarm_telemetry_join", "stream_join", "alarms", "/monitor", "10min"),
            _Spec("iot_alarm_severity_10min", "tumble", "alarms", "/monitor/alarms", "10min"),
            _Spec("iot_alarm_owner_board", "dim_join", "alarms", "/monitor"),
            _Spec("iot_daily_rollup", "batch_agg", "telemetry", "/batch", sink="hologres"),
            _Spec("iot_fleet_health_daily", "batch_agg", "alarms", "/batch", sink="rds"),
            _d("iot_edge_event_dedup", "com.acme.iot.edge.EventDedupJob", "/datastream", "iot-edge-dedup-0.4.2.jar"),
            _Spec("iot_gateway_alarm_count", "group_agg", "alarms", "/monitor"),
        ],
        "packages": [("iot-edge-dedup-0.4.2.jar", "JAR", "边缘事件去重"),
                     ("iot-protocol-udf-0.8.0.jar", "JAR", "私有协议解析 UDF"),
                     ("deploy_hooks.sh", "SCRIPT", "发布钩子脚本")],
    },
]
_PROJECT_WEIGHTS = (35, 25, 25, 15)
_AUTHORS = ("data-platform@acme-retail.com", "risk-dev@acme-retail.com", "growth-eng@acme-retail.com",
            "iot-team@acme-retail.com")
_AGG_TEMPLATES = {"tumble", "hop", "dim_tumble", "group_agg", "stream_join"}


@dataclass
class DemoData:
    """Everything the emulator's store starts from; every item is a plain dict (see build_demo)."""

    projects: list[dict[str, Any]] = field(default_factory=list)
    folders: list[dict[str, Any]] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)
    packages: list[dict[str, Any]] = field(default_factory=list)
    queues: list[dict[str, Any]] = field(default_factory=list)
    project_queues: list[dict[str, Any]] = field(default_factory=list)
    clusters: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    seed: int = 7
    now_ms: int = DEFAULT_NOW_MS


def _alnum(rng: random.Random, n: int) -> str:
    return "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=n))


def _uid(rng: random.Random) -> str:
    return str(rng.randrange(1_000_000_000_000_000, 2_000_000_000_000_000))


class _Picker:
    """Weighted choice with precomputed cumulative weights (random.choices rebuilds them on every call)."""

    def __init__(self, weights: dict[Any, int] | tuple[tuple[Any, int], ...]) -> None:
        items = list(weights.items()) if isinstance(weights, dict) else list(weights)
        self.values = [v for v, _ in items]
        self.cum = list(accumulate(w for _, w in items))

    def __call__(self, rng: random.Random) -> Any:
        return self.values[bisect(self.cum, rng.random() * self.cum[-1])]


_PICK_STREAM = _Picker(_STREAM_WEIGHTS)
_PICK_BATCH = _Picker(_BATCH_WEIGHTS)
_PICK_ENGINE = _Picker(_ENGINES)
_PICK_INTERVAL = _Picker(((60_000, 20), (180_000, 65), (300_000, 15)))
_PICK_PROJECT = _Picker(tuple(zip(range(4), _PROJECT_WEIGHTS, strict=True)))


@lru_cache(maxsize=1024)
def _cst_day(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, CST).strftime("%Y-%m-%d")


def _cst(ms: int) -> str:
    """'yyyy-MM-dd HH:mm:ss' in China Standard Time (cheap: the date part is cached per day)."""
    sec = ms // 1000 + 8 * 3600
    day, rest = divmod(sec, 86_400)
    hh, rest = divmod(rest, 3600)
    return f"{_cst_day(day)} {hh:02d}:{rest // 60:02d}:{rest % 60:02d}"


def _clusters(rng: random.Random, now_ms: int) -> list[dict[str, Any]]:
    out = []
    for i, (name, desc, zone) in enumerate((("prod-hz-realtime", "交易/风控实时计算独享集群", "cn-hangzhou-h"),
                                            ("prod-hz-growth", "广告/IoT 实时计算独享集群", "cn-hangzhou-i"))):
        cid = _alnum(rng, 24)
        created = now_ms - rng.randrange(400, 900) * 86_400_000
        bucket = f"acme-blink-{name}"
        out.append({
            "cluster_id": cid, "display_name": name, "description": desc, "state": "RUNNING",
            "zone_id": zone, "region": REGION, "owner_id": _uid(rng), "operator": _uid(rng),
            "vpc_id": f"vpc-bp1{_alnum(rng, 18)}", "vswitch": f"vsw-bp1{_alnum(rng, 18)}",
            "security_group_id": f"sg-bp1{_alnum(rng, 17)}", "storage_type": "HDFS", "is_mix_deploy": i == 1,
            "user_oss_info": {"endpoint": f"oss-{REGION}.aliyuncs.com",
                              "vpcEndpoint": f"oss-{REGION}-internal.aliyuncs.com",
                              "oxsEndpoint": f"oss-{REGION}-internal.aliyuncs.com",
                              "accessId": None, "accessKey": None, "bucket": bucket},
            "engine_versions": list(ENGINE_VERSIONS),
            "master_spec": "Ecs_8c32g", "slave_spec": "Ecs_16c64g" if i == 0 else "Ecs_32c128g",
            "slave_count": 6 if i == 0 else 4,
            "total_virtual_cores": 0, "total_mb": 0, "allocated_virtual_cores": 0, "allocated_mb": 0,
            "available_virtual_cores": 0, "available_mb": 0,
            "gmt_create": created, "gmt_modified": created + rng.randrange(1, 300) * 86_400_000,
        })
    return out


def _job_code(spec: _Spec, project: str, rng: random.Random, author: str, created_ms: int,
              interval_ms: int, backend: str) -> tuple[str, str]:
    """(code, description) of one job; SQL bodies come from the template cache."""
    if spec.template == "datastream":
        return (tpl.datastream_code(spec.subject, spec.jar, interval_ms, backend),
                f"{spec.subject.rsplit('.', 1)[-1]}：{_TEMPLATE_CN['datastream']}")
    source = spec.source or rng.choice(tpl.SOURCE_CONNECTORS)
    if spec.sink:
        sink = spec.sink
    elif spec.template == "etl":
        sink = rng.choice(("datahub", "kafka", "hologres", "hologres"))
    else:
        sink = rng.choice(("rds", "hologres", "hologres", "elasticsearch", "print"))
    dim = rng.choice(tpl.DIM_CONNECTORS)
    desc = f"{_SUBJECT_CN.get(spec.subject, spec.subject)}{_TEMPLATE_CN[spec.template]}"
    body = tpl.render_body(spec.template, spec.subject, source, sink, dim, spec.window, project)
    return tpl.header(author, _cst(created_ms), desc) + body, desc


def _assign_scenarios(rng: random.Random, jobs: list[dict[str, Any]]) -> None:
    stream = [j for j in jobs if j["job_type"] == "FLINK_STREAM"]
    batch = [j for j in jobs if j["job_type"] == "FLINK_BATCH"]
    forced: dict[int, str] = {}
    for pool, names in ((stream, STREAM_SCENARIOS), (batch, BATCH_SCENARIOS)):
        if len(pool) >= len(names):
            for job, scenario in zip(rng.sample(pool, len(names)), names, strict=True):
                forced[id(job)] = scenario
    for job in jobs:
        pick = _PICK_STREAM if job["job_type"] == "FLINK_STREAM" else _PICK_BATCH
        job["scenario"] = forced.get(id(job)) or pick(rng)
        if job["scenario"] == "never_started":
            job["committed"] = rng.random() < 0.5
        elif job["scenario"] == "stopped":
            job["committed"] = rng.random() < 0.7


def _md5(*parts: object) -> str:
    return hashlib.md5(":".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()


def build_demo(seed: int = 7, jobs: int = 64, now_ms: int | None = None) -> DemoData:
    """Build the demo world. Same (seed, jobs, now_ms) -> identical data; now_ms defaults to DEFAULT_NOW_MS."""
    rng = random.Random(seed)
    now = DEFAULT_NOW_MS if now_ms is None else int(now_ms)
    data = DemoData(seed=seed, now_ms=now)
    data.clusters = _clusters(rng, now)
    folder_id = 33000 + rng.randrange(0, 500)
    project_users: dict[str, list[str]] = {}
    for p in _PROJECTS:
        cluster = data.clusters[p["cluster"]]
        created = now - rng.randrange(200, 700) * 86_400_000
        users = [_uid(rng) for _ in range(3)]
        project_users[p["name"]] = users
        data.projects.append({
            "name": p["name"], "description": p["description"], "deploy_type": p["deploy_type"],
            "cluster_id": cluster["cluster_id"], "region": REGION, "state": "ENABLE", "creator": users[0],
            "manager_ids": ",".join(users[:2]),
            "create_time": created, "modify_time": created + rng.randrange(1, 150) * 86_400_000,
            "global_job_config": "#项目级作业参数，作业开启 enable.project.config 时生效\n"
                                 "blink.job.timeZone=Asia/Shanghai\nblink.checkpoint.mode=EXACTLY_ONCE\n",
        })
        for path in ["/", *p["folders"]]:
            folder_id += 1
            data.folders.append({"project": p["name"], "path": path, "folder_id": folder_id})
        for name, ptype, desc in p["packages"]:
            pcreated = created + rng.randrange(1, 120) * 86_400_000
            data.packages.append({
                "project": p["name"], "name": name, "type": ptype, "oss_bucket": cluster["user_oss_info"]["bucket"],
                "oss_endpoint": f"oss-{REGION}-internal.aliyuncs.com", "oss_owner": users[0],
                "oss_path": f"{_alnum(rng, 24)}/{name}/{_alnum(rng, 24)}.{p['name']}", "origin_name": name,
                "description": desc, "md5": _md5(seed, p["name"], name),
                "tag": json.dumps({"owner": p["name"], "kind": ptype.lower()}, ensure_ascii=False),
                "creator": users[rng.randrange(3)], "create_time": pcreated,
                "modify_time": pcreated + rng.randrange(0, 60) * 86_400_000,
            })
    # Queues: root.default plus one per project on every cluster.
    for ci, cluster in enumerate(data.clusters):
        names = ["root.default"] + [f"root.{p['name']}" for p in _PROJECTS if p["cluster"] == ci]
        for qn in names:
            cu = 10 if qn == "root.default" else rng.choice((48, 64, 96, 128))
            data.queues.append({
                "cluster_id": cluster["cluster_id"], "queue_name": qn, "max_vcore": cu * 100,
                "max_mem_mb": cu * 4096, "min_vcore": cu * 50, "min_mem": cu * 2048, "used_vcore": 0,
                "used_mem": 0, "gpu": 0, "max_gpu": 0, "min_gpu": 0, "used_gpu": 0,
            })
    for p in _PROJECTS:
        cid = data.clusters[p["cluster"]]["cluster_id"]
        data.project_queues.append({"project": p["name"], "cluster_id": cid, "queue_name": f"root.{p['name']}"})
        data.project_queues.append({"project": p["name"], "cluster_id": cid, "queue_name": "root.default"})
    # Jobs: the curated 64 round-robin over the projects, then weighted copies with numbered suffixes.
    curated = sum(len(p["jobs"]) for p in _PROJECTS)
    seen: dict[str, int] = {}
    for i in range(jobs):
        if i < curated:
            pi = i % len(_PROJECTS)
            spec = _PROJECTS[pi]["jobs"][(i // len(_PROJECTS)) % len(_PROJECTS[pi]["jobs"])]
        else:
            pi = _PICK_PROJECT(rng)
            spec = rng.choice(_PROJECTS[pi]["jobs"])
        p = _PROJECTS[pi]
        rep = seen.get(f"{p['name']}/{spec.name}", 0)
        seen[f"{p['name']}/{spec.name}"] = rep + 1
        name = spec.name if rep == 0 else f"{spec.name}_{rep:03d}"
        streaming = spec.template != "batch_agg"
        engine = _PICK_ENGINE(rng)
        backend = "gemini" if engine.startswith("blink-3.7") else "niagara"
        interval = _PICK_INTERVAL(rng)
        mode = "EXACTLY_ONCE" if rng.random() < 0.85 else "AT_LEAST_ONCE"
        created = now - rng.randrange(2 * 86_400_000, 400 * 86_400_000)
        code, desc = _job_code(spec, p["name"], rng, _AUTHORS[pi], created, interval, backend)
        queue = f"root.{p['name']}" if rng.random() < 0.85 else "root.default"
        data.jobs.append({
            "project": p["name"], "name": name, "folder_path": spec.folder,
            "job_type": "FLINK_STREAM" if streaming else "FLINK_BATCH",
            "api_type": "DATASTREAM" if spec.template == "datastream" else "SQL",
            "code": code,
            "properties": tpl.properties(interval, mode, backend, streaming, spec.template in _AGG_TEMPLATES),
            "packages": spec.jar, "queue_name": queue, "cluster_id": data.clusters[p["cluster"]]["cluster_id"],
            "engine_version": engine, "description": desc, "committed": True, "scenario": "running",
        })
    _assign_scenarios(rng, data.jobs)
    _fill_usage(data)
    for cluster in data.clusters:
        for key, value in (("env", "prod"), ("team", "data-platform"), ("cost_center", f"cc-{_alnum(rng, 4)}"),
                           ("billing", "subscription")):
            data.tags.append({"resource_id": cluster["cluster_id"], "resource_type": "cluster",
                              "tag_key": key, "tag_value": value})
    return data


def _fill_usage(data: DemoData) -> None:
    """Queue and cluster usage from the jobs that hold resources (1.25 cores / 2816 MB each, as the spec example)."""
    busy = {"running", "failing", "restarting", "lagging", "checkpoint_failing", "starting"}
    queues = {(q["cluster_id"], q["queue_name"]): q for q in data.queues}
    for job in data.jobs:
        q = queues.get((job["cluster_id"], job["queue_name"]))
        if q is not None and job["scenario"] in busy and q["used_vcore"] + 125 <= q["max_vcore"]:
            q["used_vcore"] += 125
            q["used_mem"] += 2816
    for cluster in data.clusters:
        mine = [q for q in data.queues if q["cluster_id"] == cluster["cluster_id"]]
        cluster["total_virtual_cores"] = sum(q["max_vcore"] for q in mine)
        cluster["total_mb"] = sum(q["max_mem_mb"] for q in mine)
        cluster["allocated_virtual_cores"] = sum(q["used_vcore"] for q in mine)
        cluster["allocated_mb"] = sum(q["used_mem"] for q in mine)
        cluster["available_virtual_cores"] = cluster["total_virtual_cores"] - cluster["allocated_virtual_cores"]
        cluster["available_mb"] = cluster["total_mb"] - cluster["allocated_mb"]

