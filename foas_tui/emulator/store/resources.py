"""Packages, queues and projects in the store: references, capacity, bindings."""

from __future__ import annotations

from foas_tui.emulator.store.base import StoreBase
from foas_tui.emulator.store.records import (
    Cluster,
    Job,
    Project,
    Queue,
    _discard,
    bad_request,
    conflict,
    instance_mem_mb,
    instance_vcore,
    not_found,
)


class ResourcesMixin(StoreBase):
    """Package, queue and project operations of the store."""

    def jobs_referencing(self, project: Project, package_name: str, committed_only: bool) -> list[Job]:
        return [j for j in project.jobs.values()
                if (j.committed or not committed_only) and package_name in j.package_names()]

    def delete_package(self, project_name: str, package_name: str) -> None:
        project = self.project(project_name)
        self.package(project_name, package_name)
        users = self.jobs_referencing(project, package_name, committed_only=True)
        if users:
            raise conflict("PackageInUse", f"The package {package_name!r} is referenced by {len(users)} online "
                           f"job(s) (e.g. {users[0].name!r}); take them offline first.")
        del project.packages[package_name]

    # --- queues and clusters ----------------------------------------------------------------------

    def queue_usage(self, queue: Queue) -> tuple[int, int]:
        """vCores (1/100 core) and MB used by running instances of the project bound to the queue."""
        now = self.now()
        vcore = mem = 0
        for name in queue.projects:
            project = self.projects.get(name)
            for job in project.jobs.values() if project is not None else ():
                inst = job.current
                if inst is None or job.queue_name != queue.name or job.cluster_id != queue.cluster_id:
                    continue
                if inst.phase(now).running:
                    vcore += instance_vcore(inst.parallelism)
                    mem += instance_mem_mb(inst.parallelism)
        return min(vcore, queue.max_vcore), min(mem, queue.max_mem_mb)

    def check_capacity(self, cluster: Cluster, queue_name: str, max_vcore: int, max_mem_mb: int) -> None:
        if max_vcore <= 0 or max_mem_mb <= 0:
            raise bad_request("maxVcore and maxMemMB must be positive.", "InvalidParameter.Resource")
        others = [q for q in cluster.queues.values() if q.name != queue_name]
        vcore = sum(q.max_vcore for q in others) + max_vcore
        mem = sum(q.max_mem_mb for q in others) + max_mem_mb
        if vcore > cluster.total_vcore or mem > cluster.total_mem_mb:
            raise bad_request(
                f"The cluster {cluster.cluster_id} has {cluster.total_vcore} vCores and {cluster.total_mem_mb} MB; "
                f"its queues would need {vcore} vCores and {mem} MB.", "ResourceNotEnough")

    def bind_queue(self, project_name: str, cluster_id: str, queue_name: str) -> None:
        project = self.project(project_name)
        queue = self.queue(cluster_id, queue_name)
        if project_name in queue.projects:
            raise conflict("QueueAlreadyBound", f"The queue {queue_name!r} is already bound to this project.")
        if queue.projects:
            raise conflict("QueueAlreadyBound", f"The queue {queue_name!r} is bound to project "
                           f"{queue.projects[0]!r}; a queue can be bound to one project only.")
        if project.bindings:
            raise conflict("ProjectAlreadyBound", f"The project {project_name!r} is already bound to queue "
                           f"{project.bindings[0][1]!r}; a project can be bound to one queue only.")
        queue.projects.append(project_name)
        project.bindings.append((cluster_id, queue_name))

    def unbind_queue(self, project_name: str, cluster_id: str, queue_name: str) -> None:
        project = self.project(project_name)
        if (cluster_id, queue_name) not in project.bindings:
            raise not_found("QueueNotFound", f"The project {project_name!r} is not bound to queue {queue_name!r} "
                            f"of cluster {cluster_id!r}.")
        online = [j.name for j in project.jobs.values() if j.committed and j.queue_name == queue_name]
        if online:
            raise conflict("ProjectHasOnlineJobs", f"{len(online)} online job(s) of project {project_name!r} use "
                           f"the queue (e.g. {online[0]!r}); take them offline before unbinding.")
        project.bindings.remove((cluster_id, queue_name))
        cluster = self.clusters.get(cluster_id)
        if cluster is not None and queue_name in cluster.queues:
            _discard(cluster.queues[queue_name].projects, project_name)

    def delete_project(self, project_name: str) -> None:
        project = self.project(project_name)
        online = [j.name for j in project.jobs.values() if j.committed]
        if online:
            raise conflict("ProjectHasOnlineJobs", f"The project {project_name!r} has {len(online)} online job(s) "
                           f"(e.g. {online[0]!r}); take all jobs offline before deleting the project.")
        for cluster_id, queue_name in project.bindings:
            cluster = self.clusters.get(cluster_id)
            if cluster is not None and queue_name in cluster.queues:
                _discard(cluster.queues[queue_name].projects, project_name)
        for iid in project.instances:
            self.instances.pop(iid, None)
        for folder in project.folders.values():
            self.folders_by_id.pop(folder.folder_id, None)
        del self.projects[project_name]

    # --- demo data --------------------------------------------------------------------------------

