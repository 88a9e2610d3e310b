"""Blink SQL, DataStream and properties templates for the emulator's demo jobs (rendered bodies are cached)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

ROLE_ARN = "acs:ram::1709064687573327:role/aliyunstreamdefaultrole"
# Column names that Blink SQL needs in backticks.
_RESERVED = {"name", "value", "partition", "offset", "timestamp", "level", "action", "result", "type", "date"}


@dataclass(frozen=True)
class Subject:
    """One business event stream: its columns, event-time column and the columns the queries use."""

    name: str
    columns: tuple[tuple[str, str], ...]
    time_col: str
    key: str
    measure: str
    distinct: str
    filter: str
    dim: str
    dim_columns: tuple[tuple[str, str], ...]
    join_col: str
    dim_attrs: tuple[str, ...]


SUBJECTS: dict[str, Subject] = {s.name: s for s in (
    Subject(
        "orders",
        (("order_id", "BIGINT"), ("user_id", "BIGINT"), ("shop_id", "BIGINT"), ("item_id", "BIGINT"),
         ("category_id", "INT"), ("amount", "DECIMAL(18,2)"), ("order_status", "VARCHAR"),
         ("province", "VARCHAR"), ("gmt_create", "TIMESTAMP")),
        "gmt_create", "shop_id", "amount", "user_id", "order_status <> 'CANCELLED'",
        "dim_shop", (("id", "BIGINT"), ("shop_name", "VARCHAR"), ("seller_id", "BIGINT"),
                     ("city", "VARCHAR"), ("shop_level", "INT")),
        "shop_id", ("shop_name", "city")),
    Subject(
        "payment",
        (("payment_id", "BIGINT"), ("order_id", "BIGINT"), ("user_id", "BIGINT"), ("pay_channel", "VARCHAR"),
         ("pay_amount", "DECIMAL(18,2)"), ("pay_status", "VARCHAR"), ("pay_time", "TIMESTAMP")),
        "pay_time", "pay_channel", "pay_amount", "user_id", "pay_status = 'SUCCESS'",
        "dim_user", (("id", "BIGINT"), ("user_level", "INT"), ("register_city", "VARCHAR"),
                     ("is_vip", "BOOLEAN")),
        "user_id", ("user_level", "register_city")),
    Subject(
        "refund",
        (("refund_id", "BIGINT"), ("order_id", "BIGINT"), ("user_id", "BIGINT"), ("shop_id", "BIGINT"),
         ("refund_amount", "DECIMAL(18,2)"), ("reason_code", "VARCHAR"), ("refund_time", "TIMESTAMP")),
        "refund_time", "shop_id", "refund_amount", "order_id", "reason_code IS NOT NULL",
        "dim_shop", (("id", "BIGINT"), ("shop_name", "VARCHAR"), ("seller_id", "BIGINT"),
                     ("city", "VARCHAR"), ("shop_level", "INT")),
        "shop_id", ("shop_name", "seller_id")),
    Subject(
        "cart",
        (("user_id", "BIGINT"), ("item_id", "BIGINT"), ("action", "VARCHAR"), ("quantity", "INT"),
         ("client_type", "VARCHAR"), ("event_time", "TIMESTAMP")),
        "event_time", "item_id", "quantity", "user_id", "`action` IN ('ADD', 'REMOVE')",
        "dim_item", (("id", "BIGINT"), ("item_title", "VARCHAR"), ("category_id", "INT"),
                     ("brand", "VARCHAR")),
        "item_id", ("item_title", "brand")),
    Subject(
        "inventory",
        (("sku_id", "BIGINT"), ("warehouse_id", "INT"), ("stock", "INT"), ("locked_stock", "INT"),
         ("op_type", "VARCHAR"), ("update_time", "TIMESTAMP")),
        "update_time", "warehouse_id", "stock", "sku_id", "stock >= 0",
        "dim_warehouse", (("id", "INT"), ("warehouse_name", "VARCHAR"), ("region_code", "VARCHAR")),
        "warehouse_id", ("warehouse_name", "region_code")),
    Subject(
        "login",
        (("user_id", "BIGINT"), ("device_id", "VARCHAR"), ("client_ip", "VARCHAR"), ("login_type", "VARCHAR"),
         ("login_result", "VARCHAR"), ("risk_score", "DOUBLE"), ("event_time", "TIMESTAMP")),
        "event_time", "user_id", "risk_score", "device_id", "login_result = 'FAIL'",
        "dim_ip_geo", (("ip", "VARCHAR"), ("country", "VARCHAR"), ("province", "VARCHAR"),
                       ("city", "VARCHAR"), ("isp", "VARCHAR")),
        "client_ip", ("province", "isp")),
    Subject(
        "txn",
        (("txn_id", "VARCHAR"), ("user_id", "BIGINT"), ("merchant_id", "BIGINT"), ("amount", "DECIMAL(18,2)"),
         ("channel", "VARCHAR"), ("card_bin", "VARCHAR"), ("event_time", "TIMESTAMP")),
        "event_time", "user_id", "amount", "merchant_id", "amount > 0",
        "dim_merchant_risk", (("merchant_id", "BIGINT"), ("risk_level", "INT"), ("mcc", "VARCHAR"),
                              ("blacklisted", "BOOLEAN")),
        "merchant_id", ("risk_level", "mcc")),
    Subject(
        "device",
        (("device_id", "VARCHAR"), ("user_id", "BIGINT"), ("os", "VARCHAR"), ("app_version", "VARCHAR"),
         ("fingerprint", "VARCHAR"), ("is_emulator", "BOOLEAN"), ("risk_score", "DOUBLE"),
         ("event_time", "TIMESTAMP")),
        "event_time", "device_id", "risk_score", "user_id", "is_emulator = false",
        "dim_device_blacklist", (("device_id", "VARCHAR"), ("reason", "VARCHAR"), ("added_at", "TIMESTAMP")),
        "device_id", ("reason", "added_at")),
    Subject(
        "clicks",
        (("click_id", "VARCHAR"), ("campaign_id", "BIGINT"), ("creative_id", "BIGINT"), ("user_id", "VARCHAR"),
         ("media", "VARCHAR"), ("cost", "DECIMAL(12,4)"), ("click_time", "TIMESTAMP")),
        "click_time", "campaign_id", "cost", "user_id", "cost > 0",
        "dim_campaign", (("campaign_id", "BIGINT"), ("advertiser_id", "BIGINT"), ("daily_budget", "DECIMAL(18,2)"),
                         ("bid_type", "VARCHAR")),
        "campaign_id", ("advertiser_id", "bid_type")),
    Subject(
        "impressions",
        (("imp_id", "VARCHAR"), ("campaign_id", "BIGINT"), ("creative_id", "BIGINT"), ("user_id", "VARCHAR"),
         ("media", "VARCHAR"), ("slot_id", "VARCHAR"), ("bid_price", "DECIMAL(12,4)"),
         ("imp_time", "TIMESTAMP")),
        "imp_time", "creative_id", "bid_price", "user_id", "slot_id IS NOT NULL",
        "dim_creative", (("creative_id", "BIGINT"), ("creative_type", "VARCHAR"), ("landing_url", "VARCHAR")),
        "creative_id", ("creative_type", "landing_url")),
    Subject(
        "conversions",
        (("conv_id", "VARCHAR"), ("user_id", "VARCHAR"), ("campaign_id", "BIGINT"), ("conv_type", "VARCHAR"),
         ("revenue", "DECIMAL(18,2)"), ("conv_time", "TIMESTAMP")),
        "conv_time", "conv_type", "revenue", "user_id", "conv_type IN ('PURCHASE', 'REGISTER')",
        "dim_campaign", (("campaign_id", "BIGINT"), ("advertiser_id", "BIGINT"), ("daily_budget", "DECIMAL(18,2)"),
                         ("bid_type", "VARCHAR")),
        "campaign_id", ("advertiser_id", "daily_budget")),
    Subject(
        "telemetry",
        (("device_id", "VARCHAR"), ("product_key", "VARCHAR"), ("metric_name", "VARCHAR"),
         ("metric_value", "DOUBLE"), ("battery", "INT"), ("firmware", "VARCHAR"), ("ts", "TIMESTAMP")),
        "ts", "product_key", "metric_value", "device_id", "metric_value IS NOT NULL",
        "dim_device", (("device_id", "VARCHAR"), ("site_id", "VARCHAR"), ("owner", "VARCHAR"),
                       ("install_date", "VARCHAR")),
        "device_id", ("site_id", "owner")),
    Subject(
        "alarms",
        (("alarm_id", "VARCHAR"), ("device_id", "VARCHAR"), ("alarm_code", "VARCHAR"), ("severity", "INT"),
         ("message", "VARCHAR"), ("alarm_time", "TIMESTAMP")),
        "alarm_time", "alarm_code", "severity", "device_id", "severity >= 2",
        "dim_device", (("device_id", "VARCHAR"), ("site_id", "VARCHAR"), ("owner", "VARCHAR"),
                       ("install_date", "VARCHAR")),
        "device_id", ("site_id", "owner")),
)}

# Stream-join partners: subject -> (partner subject, shared column).
PAIRS: dict[str, tuple[str, str]] = {
    "orders": ("payment", "order_id"),
    "payment": ("orders", "order_id"),
    "refund": ("orders", "order_id"),
    "login": ("txn", "user_id"),
    "txn": ("login", "user_id"),
    "device": ("login", "user_id"),
    "clicks": ("conversions", "user_id"),
    "impressions": ("clicks", "creative_id"),
    "conversions": ("clicks", "user_id"),
    "telemetry": ("alarms", "device_id"),
    "alarms": ("telemetry", "device_id"),
    "cart": ("orders", "item_id"),
}

TEMPLATES = ("etl", "tumble", "hop", "dim_join", "dim_tumble", "group_agg", "stream_join", "batch_agg")
SOURCE_CONNECTORS = ("datahub", "kafka", "sls")
SINK_CONNECTORS = ("rds", "hologres", "print", "elasticsearch", "kafka", "datahub")
DIM_CONNECTORS = ("rds", "hologres", "ots", "cloudhbase")


def _col(name: str) -> str:
    return f"`{name}`" if name in _RESERVED else name


def _ctype(subject: Subject, col: str) -> str:
    for name, typ in subject.columns:
        if name == col:
            return typ
    return "VARCHAR"


def _source_with(conn: str, subject: Subject, project: str) -> list[str]:
    topic = f"ods_{subject.name}"
    if conn == "datahub":
        return ["type = 'datahub'", "endPoint = 'http://dh-cn-hangzhou-int-vpc.aliyuncs.com'",
                f"project = '{project}_dh'", f"topic = '{topic}'", f"roleArn = '{ROLE_ARN}'"]
    if conn == "kafka":
        return ["type = 'KAFKA011'", f"topic = '{topic}'", f"`group.id` = 'blink_{project}_{subject.name}'",
                "`bootstrap.servers` = '192.168.10.21:9092,192.168.10.22:9092,192.168.10.23:9092'"]
    return ["type = 'sls'", "endPoint = 'http://cn-hangzhou-intranet.log.aliyuncs.com'",
            f"project = '{project.replace('_', '-')}-logs'", f"logStore = '{subject.name}'",
            f"roleArn = '{ROLE_ARN}'"]


def _sink_with(conn: str, table: str, project: str) -> list[str]:
    if conn == "rds":
        return ["type = 'rds'", f"url = 'jdbc:mysql://rm-bp1k2h8d3x9q7w0z4.mysql.rds.aliyuncs.com:3306/{project}'",
                f"tableName = '{table}'", "userName = 'blink_writer'", "password = '********'"]
    if conn == "hologres":
        return ["type = 'hologres'", f"dbname = '{project}'", f"tablename = '{table}'",
                "endpoint = 'hgprecn-cn-7pp2e1k3y00c-cn-hangzhou-vpc.hologres.aliyuncs.com:80'",
                "username = 'BASIC$blink_writer'", "password = '********'", "mutatetype = 'insertorupdate'"]
    if conn == "elasticsearch":
        return ["type = 'elasticsearch'", "endPoint = 'http://es-cn-tl32ncyx5000q8w2g.elasticsearch.aliyuncs.com:9200'",
                "accessId = 'elastic'", "accessKey = '********'", f"`index` = '{table}'"]
    if conn == "kafka":
        return ["type = 'KAFKA011'", f"topic = '{table}'",
                "`bootstrap.servers` = '192.168.10.21:9092,192.168.10.22:9092,192.168.10.23:9092'"]
    if conn == "datahub":
        return ["type = 'datahub'", "endPoint = 'http://dh-cn-hangzhou-int-vpc.aliyuncs.com'",
                f"project = '{project}_dh'", f"topic = '{table}'", f"roleArn = '{ROLE_ARN}'"]
    return ["type = 'print'", "logger = 'true'"]


def _dim_with(conn: str, subject: Subject, project: str) -> list[str]:
    if conn == "hologres":
        return ["type = 'hologres'", f"dbname = '{project}'", f"tablename = '{subject.dim}'",
                "endpoint = 'hgprecn-cn-7pp2e1k3y00c-cn-hangzhou-vpc.hologres.aliyuncs.com:80'",
                "username = 'BASIC$blink_reader'", "password = '********'", "cache = 'LRU'"]
    if conn == "ots":
        return ["type = 'ots'", f"instanceName = '{project.replace('_', '-')}-ots'",
                f"tableName = '{subject.dim}'", "endPoint = 'https://rt-ots.cn-hangzhou.vpc.tablestore.aliyuncs.com'",
                f"roleArn = '{ROLE_ARN}'", "cache = 'ALL'"]
    if conn == "cloudhbase":
        return ["type = 'cloudhbase'", "zkQuorum = 'hb-bp1y2x8k0m3n5q6r7-001.hbase.rds.aliyuncs.com:2181'",
                f"tableName = '{project}:{subject.dim}'", "columnFamily = 'cf'", "cache = 'LRU'"]
    return ["type = 'rds'", f"url = 'jdbc:mysql://rm-bp1k2h8d3x9q7w0z4.mysql.rds.aliyuncs.com:3306/{project}'",
            f"tableName = '{subject.dim}'", "userName = 'blink_reader'", "password = '********'",
            "cache = 'LRU'"]


def _needed(s: Subject, *cols: str) -> tuple[str, ...]:
    """Columns a source DDL must declare: the given ones, the event time and those in the filter."""
    in_filter = tuple(c for c, _ in s.columns if c in s.filter)
    return (*cols, s.time_col, *in_filter)


def _ddl(table: str, cols: list[str], extra: list[str], with_props: list[str]) -> list[str]:
    body = [f"    {c}" for c in cols + extra]
    body = [b + "," for b in body[:-1]] + body[-1:]
    return [f"CREATE TABLE {table} ("] + body + [") WITH ("] + \
        [f"    {p}," for p in with_props[:-1]] + [f"    {with_props[-1]}", ");", ""]


def source_ddl(table: str, subject: Subject, conn: str, project: str, batch: bool = False,
               only: tuple[str, ...] = ()) -> list[str]:
    cols = [f"{_col(c)} {t}" for c, t in subject.columns if not only or c in only]
    if batch:
        props = ["type = 'odps'", "endPoint = 'http://service.cn-hangzhou.maxcompute.aliyun-inc.com/api'",
                 f"project = '{project}_mc'", f"tableName = 'ods_{subject.name}_di'",
                 "`partition` = 'ds=${bizdate}'", f"roleArn = '{ROLE_ARN}'"]
        return _ddl(table, cols, [], props)
    wm = [f"WATERMARK wk FOR {subject.time_col} AS withOffset({subject.time_col}, 5000)"]
    return _ddl(table, cols, wm, _source_with(conn, subject, project))


def dim_ddl(subject: Subject, conn: str, project: str) -> list[str]:
    used = (subject.dim_columns[0][0], *subject.dim_attrs)
    cols = [f"{_col(c)} {t}" for c, t in subject.dim_columns if c in used]
    extra = [f"PRIMARY KEY ({subject.dim_columns[0][0]})", "PERIOD FOR SYSTEM_TIME"]
    return _ddl(subject.dim, cols, extra, _dim_with(conn, subject, project))


def sink_ddl(table: str, cols: list[tuple[str, str]], pk: list[str], conn: str, project: str) -> list[str]:
    extra = [f"PRIMARY KEY ({', '.join(pk)})"] if pk and conn in ("rds", "hologres") else []
    return _ddl(table, [f"{_col(c)} {t}" for c, t in cols], extra, _sink_with(conn, table, project))


_WINDOWS = {"1min": "1' MINUTE", "5min": "5' MINUTE", "10min": "10' MINUTE", "1h": "1' HOUR"}


def _insert(sink: str, select: list[str], tail: list[str]) -> list[str]:
    sel = [f"    {s}," for s in select[:-1]] + [f"    {select[-1]}"]
    return [f"INSERT INTO {sink}", "SELECT"] + sel + tail


def render_body(template: str, subject_name: str, src_conn: str, sink_conn: str, dim_conn: str,
                window: str, project: str) -> str:
    """The SQL after the header comment; cached because big demos reuse the same few hundred shapes."""
    return _render_body(template, subject_name, src_conn, sink_conn, dim_conn, window, project)


@lru_cache(maxsize=4096)
def _render_body(template: str, subject_name: str, src_conn: str, sink_conn: str, dim_conn: str,
                 window: str, project: str) -> str:
    s = SUBJECTS[subject_name]
    src = f"{src_conn if template != 'batch_agg' else 'odps'}_{s.name}_src"
    key, t = _col(s.key), s.time_col
    win = _WINDOWS.get(window, "1' MINUTE")
    lines: list[str] = []
    sink = f"{sink_conn}_{s.name}_{template}_{window}" if template in ("tumble", "hop", "dim_tumble") \
        else f"{sink_conn}_{s.name}_{template}"
    if template == "etl":
        lines += source_ddl(src, s, src_conn, project)
        keep = [(c, ty) for c, ty in s.columns if c != t][:5]
        cols = keep + [(t, "TIMESTAMP"), ("dt", "VARCHAR")]
        lines += sink_ddl(sink, cols, [keep[0][0]], sink_conn, project)
        sel = [_col(c) for c, _ in keep] + [t, f"DATE_FORMAT({t}, 'yyyyMMdd') AS dt"]
        lines += _insert(sink, sel, [f"FROM {src}", f"WHERE {s.filter};"])
    elif template in ("tumble", "hop"):
        lines += source_ddl(src, s, src_conn, project)
        cols = [("window_start", "TIMESTAMP"), ("window_end", "TIMESTAMP"), (s.key, _ctype(s, s.key)),
                ("event_cnt", "BIGINT"), (f"sum_{s.measure}", "DOUBLE"), (f"uv_{s.distinct}", "BIGINT")]
        lines += sink_ddl(sink, cols, ["window_start", s.key], sink_conn, project)
        if template == "tumble":
            w, ws, we = f"TUMBLE({t}, INTERVAL '{win})", "TUMBLE_START", "TUMBLE_END"
            args = f"{t}, INTERVAL '{win}"
        else:
            w = f"HOP({t}, INTERVAL '1' MINUTE, INTERVAL '{win})"
            ws, we, args = "HOP_START", "HOP_END", f"{t}, INTERVAL '1' MINUTE, INTERVAL '{win}"
        sel = [f"{ws}({args}) AS window_start", f"{we}({args}) AS window_end", key,
               "COUNT(*) AS event_cnt", f"SUM(CAST({_col(s.measure)} AS DOUBLE)) AS sum_{s.measure}",
               f"COUNT(DISTINCT {_col(s.distinct)}) AS uv_{s.distinct}"]
        tail = [f"FROM {src}", f"WHERE {s.filter}", "GROUP BY", f"    {w},", f"    {key}"]
        tail += ["HAVING COUNT(*) >= 5;"] if template == "hop" else [";"]
        lines += _insert(sink, sel, tail)
    elif template == "dim_join":
        keep = [(c, ty) for c, ty in s.columns if c != t][:3]
        lines += source_ddl(src, s, src_conn, project, only=_needed(s, s.join_col, *dict(keep)))
        lines += dim_ddl(s, dim_conn, project)
        attrs = [(a, ty) for a, ty in s.dim_columns if a in s.dim_attrs]
        cols = keep + attrs + [(t, "TIMESTAMP")]
        lines += sink_ddl(sink, cols, [keep[0][0]], sink_conn, project)
        sel = [", ".join(f"s.{_col(c)}" for c, _ in keep)] + [f"d.{_col(a)}" for a, _ in attrs] + [f"s.{t}"]
        tail = [f"FROM {src} AS s", f"LEFT JOIN {s.dim} FOR SYSTEM_TIME AS OF PROCTIME() AS d",
                f"    ON s.{_col(s.join_col)} = d.{_col(s.dim_columns[0][0])}", f"WHERE s.{s.filter};"]
        lines += _insert(sink, sel, tail)
    elif template == "dim_tumble":
        lines += source_ddl(src, s, src_conn, project, only=_needed(s, s.join_col, s.measure))
        lines += dim_ddl(s, dim_conn, project)
        attr = s.dim_attrs[0]
        cols = [("window_start", "TIMESTAMP"), (attr, "VARCHAR"), ("event_cnt", "BIGINT"),
                (f"sum_{s.measure}", "DOUBLE")]
        lines += sink_ddl(sink, cols, ["window_start", attr], sink_conn, project)
        lines += [f"CREATE VIEW {s.name}_enriched AS",
                  f"SELECT s.{_col(s.measure)}, s.{t}, CAST(d.{_col(attr)} AS VARCHAR) AS {_col(attr)}",
                  f"FROM {src} AS s",
                  f"JOIN {s.dim} FOR SYSTEM_TIME AS OF PROCTIME() AS d",
                  f"    ON s.{_col(s.join_col)} = d.{_col(s.dim_columns[0][0])};", ""]
        sel = [f"TUMBLE_START({t}, INTERVAL '{win}) AS window_start", _col(attr), "COUNT(*) AS event_cnt",
               f"SUM(CAST({_col(s.measure)} AS DOUBLE)) AS sum_{s.measure}"]
        tail = [f"FROM {s.name}_enriched", "GROUP BY", f"    TUMBLE({t}, INTERVAL '{win}),", f"    {_col(attr)};"]
        lines += _insert(sink, sel, tail)
    elif template == "group_agg":
        lines += source_ddl(src, s, src_conn, project)
        cols = [(s.key, _ctype(s, s.key)), ("event_cnt", "BIGINT"), (f"sum_{s.measure}", "DOUBLE"),
                (f"uv_{s.distinct}", "BIGINT"), ("last_event_time", "TIMESTAMP")]
        lines += sink_ddl(sink, cols, [s.key], sink_conn, project)
        sel = [key, "COUNT(*) AS event_cnt", f"SUM(CAST({_col(s.measure)} AS DOUBLE)) AS sum_{s.measure}",
               f"COUNT(DISTINCT {_col(s.distinct)}) AS uv_{s.distinct}", f"MAX({t}) AS last_event_time"]
        lines += _insert(sink, sel, [f"FROM {src}", f"WHERE {s.filter}", f"GROUP BY {key};"])
    elif template == "stream_join":
        partner_name, on = PAIRS.get(s.name, ("orders", "user_id"))
        p = SUBJECTS[partner_name]
        psrc = f"{src_conn}_{p.name}_src"
        a_cols = [(c, ty) for c, ty in s.columns if c not in (t, on)][:2]
        b_cols = [(c, ty) for c, ty in p.columns if c not in (p.time_col, on) and c not in dict(a_cols)][:2]
        lines += source_ddl(src, s, src_conn, project, only=(on, t, *dict(a_cols)))
        lines += source_ddl(psrc, p, src_conn, project, only=(on, p.time_col, *dict(b_cols)))
        cols = [(on, _ctype(s, on))] + a_cols + b_cols + [(t, "TIMESTAMP"), (p.time_col, "TIMESTAMP")]
        if p.time_col == t:
            cols[-1] = (f"{p.name}_{t}", "TIMESTAMP")
        lines += sink_ddl(sink, cols, [on], sink_conn, project)
        sel = [", ".join([f"a.{_col(on)}"] + [f"a.{_col(c)}" for c, _ in a_cols]),
               ", ".join(f"b.{_col(c)}" for c, _ in b_cols)]
        sel += [f"a.{t}", f"b.{p.time_col}" + (f" AS {p.name}_{t}" if p.time_col == t else "")]
        tail = [f"FROM {src} AS a", f"JOIN {psrc} AS b", f"    ON a.{_col(on)} = b.{_col(on)}",
                f"    AND b.{p.time_col} BETWEEN a.{t} - INTERVAL '10' MINUTE AND a.{t} + INTERVAL '{win};"]
        lines += _insert(sink, sel, tail)
    else:  # batch_agg
        lines += source_ddl(src, s, "odps", project, batch=True)
        cols = [("ds", "VARCHAR"), (s.key, _ctype(s, s.key)), ("event_cnt", "BIGINT"),
                (f"sum_{s.measure}", "DOUBLE"), (f"uv_{s.distinct}", "BIGINT")]
        lines += sink_ddl(sink, cols, ["ds", s.key], sink_conn, project)
        sel = [f"DATE_FORMAT({t}, 'yyyy-MM-dd') AS ds", key, "COUNT(*) AS event_cnt",
               f"SUM(CAST({_col(s.measure)} AS DOUBLE)) AS sum_{s.measure}",
               f"COUNT(DISTINCT {_col(s.distinct)}) AS uv_{s.distinct}"]
        tail = [f"FROM {src}", f"WHERE {s.filter}", "GROUP BY", f"    DATE_FORMAT({t}, 'yyyy-MM-dd'),", f"    {key};"]
        lines += _insert(sink, sel, tail)
    # A lone ";" line after GROUP BY reads oddly: fold it into the line before.
    out: list[str] = []
    for line in lines:
        if line == ";" and out:
            out[-1] += ";"
        else:
            out.append(line)
    return "\n".join(out).rstrip() + "\n"


def header(author: str, create_time: str, comment: str) -> str:
    """The comment block the Realtime Compute IDE puts at the top of a new SQL job."""
    bar = "--********************************************************************--"
    return f"--SQL\n{bar}\n--Author: {author}\n--CreateTime: {create_time}\n--Comment: {comment}\n{bar}\n\n"


def datastream_code(main_class: str, jar: str, interval_ms: int, backend: str) -> str:
    """DataStream job 'code': key=value lines with the IDE's '--' comments, CRLF-separated like the seed."""
    lines = [
        "--完整主类名，必填，例如com.alibaba.realtimecompute.DatastreamExample",
        f"blink.main.class={main_class}",
        "",
        "--包含完整主类名的JAR包资源名称，多个JAR包时必填，例如blink_datastream.jar",
        f"blink.main.jar={jar}",
        "",
        "--默认state backend配置，当作业代码没有显式声明时生效",
        f"state.backend.type={backend}",
        f"state.backend.{backend}.ttl.ms=129600000",
        "",
        "--默认Checkpoint配置，当作业代码没有显式声明时生效",
        f"blink.checkpoint.interval.ms={interval_ms}",
        "",
        "--默认启用项目参数",
        "--enable.project.config=true",
    ]
    return "\r\n".join(lines)


@lru_cache(maxsize=256)
def properties(interval_ms: int, mode: str, backend: str, streaming: bool, aggregating: bool,
               timeout_ms: int = 0) -> str:
    """Job properties text in the IDE's format: '#' comment lines and key=value lines."""
    lines: list[str] = []
    if streaming:
        lines += ["#checkpoint模式：EXACTLY_ONCE 或者 AT_LEAST_ONCE", f"blink.checkpoint.mode={mode}", "",
                  "#checkpoint间隔时间，单位毫秒", f"blink.checkpoint.interval.ms={interval_ms}", ""]
        if timeout_ms:
            lines += ["#checkpoint超时时间，单位毫秒", f"blink.checkpoint.timeout.ms={timeout_ms}", ""]
        lines += [f"#{backend}的数据生命周期，单位毫秒", f"state.backend.type={backend}",
                  f"state.backend.{backend}.ttl.ms=129600000", ""]
        if aggregating:
            lines += ["#MiniBatch：最大允许延迟时间（毫秒）和最大条数", "blink.miniBatch.allowLatencyMs=5000",
                      "blink.miniBatch.size=20000", "blink.localAgg.enabled=true", "",
                      "#TopN和groupBy节点的状态过期清理时间，单位毫秒", "blink.state.ttl.ms=129600000", ""]
    else:
        lines += ["#批作业：SQL编译超时时间（秒）", "blink.job.submit.timeoutInSeconds=180", ""]
    lines += ["#启用项目参数", "#enable.project.config=true", "blink.job.timeZone=Asia/Shanghai"]
    return "\n".join(lines)
