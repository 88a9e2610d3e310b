"""Jobs and instances in the store: create, update, commit, start, stop, archive."""

from __future__ import annotations

from typing import Any

from foas_tui.emulator import runtime
from foas_tui.emulator.store.base import StoreBase
from foas_tui.emulator.store.records import (
    _FAILURE_MESSAGES,
    API_TYPES,
    BATCH,
    BATCH_ARCHIVE_MS,
    JOB_TYPES,
    PAUSED,
    RUN,
    RUNNING,
    TERMINATED,
    WAITING,
    Instance,
    Job,
    Phase,
    Project,
    _enum,
    bad_request,
    conflict,
    engine_tuple,
    not_found,
    pretty_json,
    resolve_engine,
    scenario_hint,
)


class JobsMixin(StoreBase):
    """Job and instance operations of the store."""


    def job_plan_json(self, job: Job) -> str:
        if job.plan_json is None:
            job.plan_json = pretty_json(runtime.plan_json(job.name, job.code, job.parallelism, self.seed))
        return job.plan_json

    def view(self, inst: Instance, phase: Phase, now: int) -> runtime.InstanceView:
        """The runtime generators' picture of an instance (a failover in progress counts as running there)."""
        v = inst.version
        return runtime.InstanceView(
            project=inst.project, job_name=inst.job_name, instance_id=inst.id, job_type=inst.job_type,
            scenario=inst.scenario, expect_state=inst.expect_at(phase),
            actual_state=RUNNING if phase.running else phase.actual, start_ms=inst.start_ms, end_ms=phase.end_ms,
            now_ms=now, failovers=phase.failovers, last_error_ms=phase.last_error_ms,
            last_error_message=phase.last_error_message, seed=self.seed, parallelism=inst.parallelism,
            code=v.get("code") or "", properties=_with_start_params(v.get("properties") or "", inst.start_params),
            queue_name=v.get("queue_name") or "", cluster_id=v.get("cluster_id") or "",
            triggered=tuple(inst.triggered) if inst.triggered is not None else None,
            autoscale_on=bool(inst.autoscale.get("isOnOff")) if inst.autoscale or inst.triggered is not None
            else None, fetch_delay_s=_fetch_delay_s(inst.autoscale),
        )

    def add_job(self, project: Project, **values: Any) -> Job:
        name = values["name"]
        now = self.now()
        self._next_file += 1
        job = Job(
            project=project.name,
            job_id=values.pop("job_id", None) or self.random_id(),
            file_id=self._next_file,
            create_ms=values.pop("create_ms", None) or now,
            modify_ms=values.pop("modify_ms", None) or now,
            parallelism=values.pop("parallelism", None) or runtime.default_parallelism(name, self.seed),
            seed=self.seed,
            **values,
        )
        project.jobs[name] = job
        return job

    def create_job(self, project_name: str, params: dict[str, Any]) -> Job:
        project = self.project(project_name)
        name = params["jobName"]
        if not name or any(c in name for c in "/?#"):
            raise bad_request(f"The job name {name!r} is not valid.", "InvalidParameter.JobName")
        if name in project.jobs:
            raise conflict("JobAlreadyExists", f"The job {name!r} already exists in project {project_name!r}.")
        job_type = _enum(params["jobType"], JOB_TYPES, "jobType")
        api_type = _enum(params["apiType"], API_TYPES, "apiType")
        folder_id = params.get("folderId")
        folder = (self.folder_by_id(project_name, folder_id) if folder_id is not None
                  else project.folders.get("/") or self.ensure_folder(project, "/"))
        packages = params.get("packages") or ""
        self._check_packages(project, packages)
        cluster_id, queue_name = self._placement(project, params.get("clusterId"), params.get("queueName"))
        properties = params.get("properties") or ""
        return self.add_job(
            project, name=name, folder_id=folder.folder_id, job_type=job_type, api_type=api_type,
            code=params["code"], properties=properties, packages=packages, queue_name=queue_name,
            cluster_id=cluster_id, engine_version=self.resolve_engine(cluster_id, params.get("engineVersion")),
            description=params.get("description") or "", plan_json=params.get("planJson") or "",
            committed=False, scenario=scenario_hint(properties, job_type),
        )

    def resolve_engine(self, cluster_id: str, version: str | None) -> str:
        cluster = self.clusters.get(cluster_id)
        return cluster.resolve_engine(version) if cluster is not None else resolve_engine(version)

    def _placement(self, project: Project, cluster_id: str | None, queue_name: str | None) -> tuple[str, str]:
        if cluster_id and queue_name:
            return cluster_id, queue_name
        if project.bindings:
            bound_cluster, bound_queue = project.bindings[0]
            return cluster_id or bound_cluster, queue_name or bound_queue
        return cluster_id or project.cluster_id, queue_name or "root.default"

    def _check_packages(self, project: Project, packages: str) -> None:
        for name in (p.strip() for p in packages.split(",")):
            if name and name not in project.packages:
                raise not_found("PackageNotFound", f"The package {name!r} does not exist in project {project.name!r}.")

    def update_job(self, project_name: str, job_name: str, params: dict[str, Any]) -> Job:
        job = self.job(project_name, job_name)
        project = self.project(project_name)
        if params.get("folderId") is not None:
            job.folder_id = self.folder_by_id(project_name, params["folderId"]).folder_id
        if params.get("packages") is not None:
            self._check_packages(project, params["packages"])
            job.packages = params["packages"]
        if params.get("engineVersion") is not None:
            job.engine_version = self.resolve_engine(params.get("clusterId") or job.cluster_id,
                                                     params["engineVersion"])
        for param, attr in (("code", "code"), ("planJson", "plan_json"), ("description", "description"),
                            ("clusterId", "cluster_id"), ("queueName", "queue_name"),
                            ("properties", "properties")):
            if params.get(param) is not None:
                setattr(job, attr, params[param])
        if params.get("properties") is not None:
            job.scenario = scenario_hint(job.properties, job.job_type, job.scenario)
        job.modify_ms = self.now()
        return job

    def commit_job(self, project_name: str, job_name: str, autoscale: dict[str, Any]) -> Job:
        job = self.job(project_name, job_name)
        if autoscale.get("isOnOff"):
            version = engine_tuple(job.engine_version)
            if version is not None and version < (3, 2, 1):
                raise bad_request(f"AutoScale needs engine blink-3.2.1 or later; the job uses {job.engine_version}.",
                                  "AutoScaleNotSupported")
        job.committed = True
        job.autoscale = autoscale
        job.committed_version = self._version_of(job)
        job.modify_ms = self.now()
        return job

    def _version_of(self, job: Job) -> dict[str, Any]:
        return {"code": job.code, "properties": job.properties, "packages": job.packages,
                "engine_version": job.engine_version, "queue_name": job.queue_name,
                "cluster_id": job.cluster_id, "plan_json": job.plan_json}

    def offline_job(self, project_name: str, job_name: str) -> Job:
        job = self.job(project_name, job_name)
        if not job.committed:
            raise conflict("JobAlreadyOffline", f"The job {job_name!r} is not online (not committed).")
        active = self.active_instance(job)
        if active is not None:
            state = active.phase(self.now()).actual
            raise conflict("JobNotStopped", f"The job {job_name!r} still has instance {active.id} in state "
                           f"{state}; stop it (ModifyInstanceState TERMINATED) before taking the job offline.")
        job.committed = False
        job.modify_ms = self.now()
        return job

    def delete_job(self, project_name: str, job_name: str) -> None:
        project = self.project(project_name)
        job = self.job(project_name, job_name)
        if job.committed:
            raise conflict("JobNotOffline", f"The job {job_name!r} is online (committed); take it offline "
                           "(OfflineJob) before deleting it.")
        for iid in job.instance_ids:
            self.instances.pop(iid, None)
            project.instances.pop(iid, None)
        del project.jobs[job_name]

    # --- instances --------------------------------------------------------------------------------

    def start_job(self, project_name: str, job_name: str, start_params: dict[str, Any]) -> Instance:
        job = self.job(project_name, job_name)
        if not job.committed:
            raise conflict("JobNotCommitted", f"The job {job_name!r} is not online; commit it (CommitJob) before "
                           "starting it.")
        active = self.active_instance(job)
        if active is not None:
            state = active.phase(self.now()).actual
            raise conflict("JobAlreadyStarted", f"The job {job_name!r} already has instance {active.id} in "
                           f"state {state}; stop it before starting a new one.")
        now = self.now()
        inst = self._new_instance(job, start_ms=now, startup_ms=self.step_ms, start_params=start_params)
        inst.triggered = []  # its pauses and stops go through ModifyInstanceState: checkpoints are tracked
        return inst

    def _new_instance(self, job: Job, *, start_ms: int, startup_ms: int,
                      start_params: dict[str, Any] | None = None, scenario: str | None = None) -> Instance:
        iid = self.new_instance_id()
        scenario = scenario or job.scenario
        rng = self.rng
        inst = Instance(
            id=iid, project=job.project, job_name=job.name, job_type=job.job_type, api_type=job.api_type,
            scenario=scenario, start_ms=start_ms, seed=self.seed, parallelism=job.parallelism,
            version=job.committed_version or self._version_of(job),
            regimes=[(start_ms, WAITING), (start_ms + startup_ms, RUN)],
            last_operate_ms=start_ms, start_params=dict(start_params or {}), autoscale=dict(job.autoscale),
            priority=rng.choice((1, 3, 5, 5, 5, 7)),
            app_id=f"application_{1597654819348 + (iid // 5000)}_{iid % 10000:04d}",
            jid=f"{rng.getrandbits(128):032x}",
        )
        # Periods stay below the runtime generators' own failover cadence (75 s / 2 h), so that
        # the failovers they derive from ours add none of their own.
        if scenario == "failing":
            inst.fail_period_ms = rng.randrange(55_000, 75_000)
            inst.fail_window_ms = 15_000
        elif scenario == "restarting":
            inst.fail_period_ms = rng.randrange(15 * 60_000, 90 * 60_000)
            inst.fail_window_ms = 5_000
        inst.fail_offset_ms = rng.randrange(0, inst.fail_period_ms) if inst.fail_period_ms else 0
        if inst.is_batch:
            inst.batch_ms = rng.randrange(60_000, 180_000)
        if scenario in ("failing", "restarting", "batch_failed") or (inst.is_batch and scenario == "failing"):
            inst.error_message = rng.choice(_FAILURE_MESSAGES)
        self.instances[iid] = inst
        self.project(job.project).instances[iid] = inst
        job.instance_ids.append(iid)
        job.current = inst
        return inst

    def modify_instance_state(self, project_name: str, job_name: str, instance_id: int, expect: str, *,
                              trigger_checkpoint: bool = False, is_flush: bool = True) -> Instance:
        """Pause, resume or stop. triggerCheckpoint (Blink 3.5.0+) takes a checkpoint on pause/stop; isFlush
        (default true) makes a resumed instance run the job's latest committed configuration."""
        inst = self.instance(project_name, job_name, instance_id)
        expect = (expect or "").upper()
        if expect not in (PAUSED, RUNNING, TERMINATED):
            raise bad_request(f"expectState must be PAUSED, RUNNING or TERMINATED, not {expect!r}.",
                              "InvalidParameter.ExpectState")
        now = self.now()
        phase = inst.phase(now)
        if phase.final:
            raise conflict("InstanceStateConflict", f"The instance {inst.id} has already ended ({phase.actual}); "
                           "start the job again with StartJob.")
        if inst.job_type == BATCH and expect == PAUSED:
            raise conflict("InstanceStateConflict", "Batch job instances cannot be paused.")
        if expect == inst.expect_state:
            return inst  # already on its way there
        if expect == RUNNING and inst.expect_state != PAUSED:
            raise conflict("InstanceStateConflict", f"Only a paused instance can be resumed; instance {inst.id} "
                           f"is {phase.actual} (expected {inst.expect_state}).")
        if expect == PAUSED and inst.expect_state != RUNNING:
            raise conflict("InstanceStateConflict", f"Only a running instance can be paused; instance {inst.id} "
                           f"is {phase.actual} (expected {inst.expect_state}).")
        kind = RUN if expect == RUNNING else expect
        if expect in (PAUSED, TERMINATED) and trigger_checkpoint and phase.running \
                and (engine_tuple(str(inst.version.get("engine_version") or "")) or (0,)) >= (3, 5, 0):
            inst.triggered = [*(inst.triggered or []), now]
        if expect == RUNNING and is_flush:
            job = self.job(project_name, job_name)
            inst.version = dict(job.committed_version or self._version_of(job))
        inst.schedule(now + self.step_ms, kind)
        inst.expect_state = expect
        inst.last_operate_ms = now
        return inst

    def is_archived(self, inst: Instance, job: Job | None, phase: Phase, now: int) -> bool:
        if inst.is_batch:
            return phase.final and phase.end_ms is not None and now - phase.end_ms > BATCH_ARCHIVE_MS
        return job is None or job.current is not inst

    # --- packages ---------------------------------------------------------------------------------



def _with_start_params(properties: str, start_params: dict[str, Any]) -> str:
    """The properties an instance runs with: the job's, then StartJob's parameterJson (which wins)."""
    if not start_params:
        return properties
    extra = "\n".join(f"{key}={value}" for key, value in start_params.items()
                      if isinstance(key, str) and "\n" not in key and "\n" not in str(value))
    return f"{properties}\n# StartJob parameterJson\n{extra}" if properties else extra


def _fetch_delay_s(autoscale: dict[str, Any]) -> float:
    """CommitJob's configure.fetch_delay (seconds): the delay AutoScale keeps the job under; 60 s if unset."""
    configure = autoscale.get("configure") if isinstance(autoscale, dict) else None
    try:
        return float(configure.get("fetch_delay", 60.0)) if isinstance(configure, dict) else 60.0
    except (TypeError, ValueError):
        return 60.0
