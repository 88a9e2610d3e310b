"""Packages (JARs, files, Python) and the responses of the package operations."""

from __future__ import annotations

from typing import Annotated

from foas_tui.api.models.base import FoasModel, FoasResponse, PagedResponse
from foas_tui.api.models.enums import PackageScanStateValue, PackageTypeValue
from foas_tui.api.models.fields import Unwrap, _list
from foas_tui.api.models.jobs import Job
from foas_tui.api.models.lenient import EpochMs, Str


class Package(FoasModel):
    package_name: Str = None
    project_name: Str = None
    type: PackageTypeValue = None
    origin_name: Str = None
    description: Str = None
    tag: Str = None
    md5: Str = None
    oss_bucket: Str = None
    oss_endpoint: Str = None
    oss_owner: Str = None
    oss_path: Str = None
    creator: Str = None
    create_time: EpochMs = None
    modifier: Str = None
    modify_time: EpochMs = None
    scan_state: PackageScanStateValue = None  # GetPackage only
    scan_error_message: Str = None
    scan_ext_biz_no: Str = None
    scan_link: Str = None


# --- packages ----------------------------------------------------------------------------------


class CreatePackageResponse(FoasResponse):
    pass


class DeletePackageResponse(FoasResponse):
    pass


class GetPackageResponse(FoasResponse):
    package: Package | None = None


class GetRefPackageJobResponse(PagedResponse[Job]):
    items_field = "jobs"
    jobs: Annotated[list[Job], Unwrap("Job")] = _list()


class ListPackageResponse(PagedResponse[Package]):
    items_field = "packages"
    packages: Annotated[list[Package], Unwrap("Package")] = _list()


class UpdatePackageResponse(FoasResponse):
    pass
