"""Filling the store from the demo data (clusters, projects, jobs, instances)."""

from __future__ import annotations

import random
from typing import Any

from foas_tui.emulator import runtime
from foas_tui.emulator.store.base import StoreBase, Tag
from foas_tui.emulator.store.records import (
    _ALNUM,
    _FAILURE_MESSAGES,
    ACCOUNT_ID,
    BATCH,
    CURRENT_ENGINE,
    PAUSED,
    RUN,
    STREAM,
    TERMINATED,
    WAITING,
    Cluster,
    Instance,
    Job,
    Package,
    Project,
    Queue,
    _pick,
    normalize_folder_path,
    parent_path,
)


class DemoLoaderMixin(StoreBase):
    """Loads `demo.build_demo()` output."""

    def load_demo(self, data: Any) -> None:
        """Fill the store from `demo.build_demo()` output (lists of plain dicts)."""
        now = self.now()
        for c in getattr(data, "clusters", ()):
            self._load_cluster(c, now)
        for p in getattr(data, "projects", ()):
            self._load_project(p, now)
        for q in getattr(data, "queues", ()):
            self._load_queue(q)
        for b in getattr(data, "project_queues", ()):
            project = self.projects.get(_pick(b, "project", "project_name"))
            cluster = self.clusters.get(_pick(b, "cluster_id"))
            queue = cluster.queues.get(_pick(b, "queue_name")) if cluster is not None else None
            if project is not None and queue is not None and project.name not in queue.projects:
                queue.projects.append(project.name)
                project.bindings.append((cluster.cluster_id, queue.name))  # type: ignore[union-attr]
        for f in getattr(data, "folders", ()):
            project = self.projects.get(_pick(f, "project", "project_name"))
            if project is None:
                continue
            path = normalize_folder_path(_pick(f, "path", default="/"))
            if path != "/":
                self.ensure_folder(project, parent_path(path))
            if path not in project.folders:
                self.add_folder(project, path, _pick(f, "folder_id", "id"))
        for pkg in getattr(data, "packages", ()):
            self._load_package(pkg, now)
        for j in getattr(data, "jobs", ()):
            self._load_job(j, now)
        for t in getattr(data, "tags", ()):
            self.tags.append(Tag(
                str(_pick(t, "resource_type", default="cluster")), str(_pick(t, "resource_id", "cluster_id")),
                str(_pick(t, "key", "tag_key")), str(_pick(t, "value", "tag_value", default=""))))

    def _load_cluster(self, c: dict[str, Any], now: int) -> None:
        cid = _pick(c, "cluster_id", "id")
        cluster = Cluster(
            cluster_id=cid, display_name=_pick(c, "display_name", "name", default=cid),
            description=_pick(c, "description", default=""),
            region_id=_pick(c, "region_id", "region", default=self.region_id),
            zone_id=_pick(c, "zone_id", default=f"{self.region_id}-f"),
            state=_pick(c, "state", default="RUNNING"),
            create_ms=_pick(c, "create_ms", "gmt_create", default=now - 90 * 86400_000),
            modify_ms=_pick(c, "modify_ms", "gmt_modified", default=now - 7 * 86400_000),
            pay_model=_pick(c, "pay_model", default="post"),
            master_model=_pick(c, "master_model", "master_spec", default="Ecs_4c16g"),
            master_count=int(_pick(c, "master_count", "master_num", default=3)),
            slave_model=_pick(c, "slave_model", "slave_spec", default="Ecs_8c32g"),
            slave_count=int(_pick(c, "slave_count", "slave_num", default=4)),
            owner_id=str(_pick(c, "owner_id", default=ACCOUNT_ID)),
            operator=str(_pick(c, "operator", default=ACCOUNT_ID)),
            user_vpc_id=_pick(c, "vpc_id", "user_vpc_id", default="vpc-bp1emulator0000000000"),
            user_vswitch=_pick(c, "vswitch", "user_vswitch", default="vsw-bp1emulator0000000000"),
            user_sg_id=_pick(c, "security_group_id", "user_sg_id", default=""),
            user_oss_info=dict(_pick(c, "user_oss_info", default={})),
            storage_type=_pick(c, "storage_type", default="HDFS"),
            is_mix_deploy=bool(_pick(c, "is_mix_deploy", default=False)),
            # The demo sizes clusters to exactly their queues; leave a quarter free for CreateQueue.
            fixed_vcore=int(_pick(c, "total_virtual_cores", default=0)) * 5 // 4,
            fixed_mem_mb=int(_pick(c, "total_mb", default=0)) * 5 // 4,
        )
        cluster.user_oss_bucket = cluster.user_oss_info.get("bucket") or cluster.user_oss_bucket
        if c.get("engine_versions"):
            cluster.engine_versions = tuple(c["engine_versions"])
        self._assign_machine_ids(cluster)
        self.clusters[cid] = cluster

    def _assign_machine_ids(self, cluster: Cluster) -> None:
        rng = random.Random(f"ecs:{cluster.cluster_id}")
        while len(cluster.master_ids) < cluster.master_count:
            cluster.master_ids.append("i-" + "".join(rng.choice(_ALNUM) for _ in range(20)))
        while len(cluster.slave_ids) < cluster.slave_count:
            cluster.slave_ids.append("i-" + "".join(rng.choice(_ALNUM) for _ in range(20)))

    def _load_project(self, p: dict[str, Any], now: int) -> None:
        name = _pick(p, "name", "project_name")
        project = Project(
            name=name, project_id=_pick(p, "project_id", "id", default=None) or self.random_id(),
            deploy_type=str(_pick(p, "deploy_type", default="CELL")).upper(),
            cluster_id=_pick(p, "cluster_id", default=""),
            region=_pick(p, "region", "region_id", default=self.region_id),
            description=_pick(p, "description", default=""),
            manager_ids=_pick(p, "manager_ids", default=ACCOUNT_ID),
            state=_pick(p, "state", default="ENABLE"),
            creator=str(_pick(p, "creator", default=ACCOUNT_ID)),
            modifier=str(_pick(p, "modifier", "creator", default=ACCOUNT_ID)),
            create_ms=_pick(p, "create_ms", "create_time", default=now - 60 * 86400_000),
            modify_ms=_pick(p, "modify_ms", "modify_time", default=now - 3 * 86400_000),
            global_job_config=_pick(p, "global_job_config", default=""),
        )
        self.projects[name] = project
        if p.get("root_folder_id") is not None:
            self.add_folder(project, "/", p["root_folder_id"])

    def _load_queue(self, q: dict[str, Any]) -> None:
        cluster = self.clusters.get(_pick(q, "cluster_id"))
        if cluster is None:
            return
        name = _pick(q, "queue_name", "name")
        queue = Queue(cluster.cluster_id, name, int(_pick(q, "max_vcore", "max_vcores", default=600)),
                      int(_pick(q, "max_mem_mb", "max_mem", default=24576)), int(_pick(q, "gpu", default=0)))
        cluster.queues[name] = queue
        project_name = _pick(q, "project", "project_name", default=None)
        project = self.projects.get(project_name) if project_name else None
        if project is not None:
            queue.projects.append(project.name)
            project.bindings.append((cluster.cluster_id, name))

    def _load_package(self, pkg: dict[str, Any], now: int) -> None:
        project = self.projects.get(_pick(pkg, "project", "project_name"))
        if project is None:
            return
        name = _pick(pkg, "package_name", "name")
        project.packages[name] = Package(
            project=project.name, name=name, type=str(_pick(pkg, "type", default="JAR")).upper(),
            oss_path=_pick(pkg, "oss_path", default=f"{project.project_id}/{name}/{self.random_id(8)}.bayes"),
            oss_bucket=_pick(pkg, "oss_bucket", default=""), oss_endpoint=_pick(pkg, "oss_endpoint", default=""),
            oss_owner=_pick(pkg, "oss_owner", default=""), origin_name=_pick(pkg, "origin_name", default=name),
            description=_pick(pkg, "description", default=""), md5=_pick(pkg, "md5", default=""),
            tag=_pick(pkg, "tag", default=""),
            creator=str(_pick(pkg, "creator", default=ACCOUNT_ID)),
            modifier=str(_pick(pkg, "modifier", "creator", default=ACCOUNT_ID)),
            create_ms=_pick(pkg, "create_ms", "create_time", default=now - 20 * 86400_000),
            modify_ms=_pick(pkg, "modify_ms", "modify_time", default=now - 5 * 86400_000),
        )

    def _load_job(self, j: dict[str, Any], now: int) -> None:
        project = self.projects.get(_pick(j, "project", "project_name"))
        if project is None:
            return
        folder = self.ensure_folder(project, _pick(j, "folder_path", default="/"))
        job_type = str(_pick(j, "job_type", default=STREAM)).upper()
        scenario = _pick(j, "scenario", default="running")
        packages = j.get("packages") or ""
        if isinstance(packages, list | tuple):
            packages = ",".join(packages)
        rng = self.rng
        created = _pick(j, "create_ms", "create_time", default=None) or now - rng.randrange(3, 200) * 86400_000
        job = self.add_job(
            project, name=j["name"], folder_id=folder.folder_id, job_type=job_type,
            api_type=str(_pick(j, "api_type", default="SQL")).upper(), code=_pick(j, "code", default=""),
            properties=_pick(j, "properties", default=""), packages=packages,
            queue_name=_pick(j, "queue_name", default="root.default"),
            cluster_id=_pick(j, "cluster_id", default=project.cluster_id),
            engine_version=_pick(j, "engine_version", default=CURRENT_ENGINE),
            # Demo jobs never fetched a PlanJson (it stays "" as in the seed's GetInstance example); the
            # runtime derives their DAG from the code, and CheckRawPlanJson generates one on request.
            description=_pick(j, "description", default=""), plan_json=j.get("plan_json") or "",
            committed=bool(j.get("committed")), scenario=scenario, create_ms=created,
            creator=str(_pick(j, "creator", default=project.creator)),
            modifier=str(_pick(j, "modifier", "creator", default=project.creator)),
            modify_ms=_pick(j, "modify_ms", "modify_time", default=None) or created + rng.randrange(1, 86400_000),
            parallelism=j.get("parallelism"),
        )
        if job.committed:
            job.committed_version = self._version_of(job)
            if j.get("autoscale"):
                job.autoscale = dict(j["autoscale"])
            self._demo_instance(job, scenario, now, rng)
            self._demo_history(job, project.creator, j.get("creator"))
            inst = job.current
            if inst is not None and not j.get("autoscale") and job.job_type == STREAM:
                # Jobs the runtime gives an AutoScale history were committed with AutoScale on.
                if runtime.autoscale_plan_list(self.view(inst, inst.phase(now), now)):
                    job.autoscale = inst.autoscale = {"isOnOff": True, "maxCU": float(4 * job.parallelism),
                                                      "configure": {"fetch_delay": 60.0}}

    def _demo_instance(self, job: Job, scenario: str, now: int, rng: random.Random) -> None:
        if scenario == "never_started":
            return
        if scenario == "starting":
            start = now - rng.randrange(1_000, 20_000)
            self._new_instance(job, start_ms=start, startup_ms=rng.randrange(120_000, 360_000))
            return
        batch = job.job_type == BATCH
        if batch and scenario in ("batch_success", "batch_failed"):
            start = now - rng.randrange(3600_000, 6 * 3600_000)
        elif batch:
            start = now - rng.randrange(60_000, 20 * 60_000)
        else:
            start = now - rng.randrange(2 * 3600_000, 3 * 86400_000)
        inst = self._new_instance(job, start_ms=start, startup_ms=rng.randrange(5_000, 60_000))
        if batch:
            done = scenario in ("batch_success", "batch_failed")
            inst.batch_ms = rng.randrange(5 * 60_000, 45 * 60_000) if done else rng.randrange(30 * 60_000, 120 * 60_000)
        if scenario == "paused" and not batch:
            at = now - rng.randrange(5 * 60_000, 5 * 3600_000)
            inst.schedule(max(at, start + 60_000), PAUSED)
            inst.expect_state, inst.last_operate_ms = PAUSED, at
        elif scenario == "stopped":
            at = now - rng.randrange(30_000, 10 * 60_000 if batch else 3600_000)
            inst.schedule(max(at, start + 60_000), TERMINATED)
            inst.expect_state, inst.last_operate_ms = TERMINATED, at



    def _demo_history(self, job: Job, *starters: Any) -> None:
        """Earlier runs of a stream job, archived as ListInstance's isArchived describes (starting a stream job
        archives its previous instance): stopped by an operator, some after a run of failovers. Their own
        random stream and id range (below the live instances') leave the rest of the demo as it was."""
        current = job.current
        if current is None or job.job_type != STREAM:
            return
        rng = random.Random(f"{self.seed}:history:{job.project}:{job.name}")
        runs = rng.choice((0, 1, 1, 2, 3)) + (1 if job.scenario in ("failing", "restarting", "lagging") else 0)
        if runs and rng.random() < 0.15:
            # the job was moved to a newer engine and committed, but the running instance was never restarted:
            # "the draft differs from what runs"
            current.version = dict(current.version, engine_version="blink-3.3.0")
        who = [str(s) for s in starters if s] or [ACCOUNT_ID]
        end = current.start_ms - rng.randrange(60_000, 30 * 60_000)
        archived: list[Instance] = []
        for n in range(runs):
            start = end - rng.randrange(2 * 3600_000, 5 * 86_400_000)
            failed = n == 0 and job.scenario in ("failing", "restarting") or rng.random() < 0.3
            inst = Instance(
                id=0, project=job.project, job_name=job.name, job_type=job.job_type, api_type=job.api_type,
                scenario="failing" if failed else "running", start_ms=start, seed=self.seed,
                parallelism=job.parallelism, version=dict(current.version),
                regimes=[(start, WAITING), (start + rng.randrange(5_000, 60_000), RUN), (end, TERMINATED)],
                expect_state=TERMINATED, starter=rng.choice(who), last_operator=rng.choice(who), last_operate_ms=end,
                priority=current.priority, jid=f"{rng.getrandbits(128):032x}")
            if failed:  # it failed over for a while before someone stopped it
                inst.fail_period_ms = rng.randrange(55_000, 75_000)
                inst.fail_window_ms = 15_000
                inst.fail_offset_ms = max(0, end - start - rng.randrange(10 * 60_000, 60 * 60_000))
                inst.error_message = rng.choice(_FAILURE_MESSAGES)
            archived.append(inst)
            end = start - rng.randrange(60_000, 6 * 3600_000)
        project = self.project(job.project)
        for inst in reversed(archived):  # oldest first, as if they had been started one after the other
            inst.id = self._next_archived = getattr(self, "_next_archived", 300_000) + 1
            inst.app_id = f"application_{1597654819348 + inst.id // 5000}_{inst.id % 10000:04d}"
            self.instances[inst.id] = inst
            project.instances[inst.id] = inst
            job.instance_ids.insert(len(job.instance_ids) - 1, inst.id)
