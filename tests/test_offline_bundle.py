"""scripts/build-offline-bundle: one archive that installs foas-tui with the package index switched off."""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import foas_tui

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build-offline-bundle"
# Read before the autouse fixture moves HOME: a warm pip cache keeps local reruns fast (CI starts cold).
_CACHE_HOME = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
PIP_CACHE = os.environ.get("PIP_CACHE_DIR") or str(_CACHE_HOME / "pip")
NETWORK_TROUBLE = (
    "NewConnectionError",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "Could not fetch URL",
    "ProxyError",
    "Read timed out",
    "ConnectTimeoutError",
)


def load_script():
    loader = importlib.machinery.SourceFileLoader("build_offline_bundle", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def clean_env(**extra: str) -> dict[str, str]:
    """No PYTHONPATH (it points at the checkout: the installed copy must be the one that runs)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(extra)
    return env


def test_manylinux_target_admits_older_glibc_tags():
    # PEP 600: manylinux_2_N wheels run on glibc >= 2.N; manylinux1/2010/2014 are 2_5/2_12/2_17.
    tags = load_script().expand_platforms(["manylinux_2_28_x86_64"])
    assert tags[0] == "manylinux_2_28_x86_64"
    for tag in ("manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"):
        assert tag in tags
    assert "manylinux_2_29_x86_64" not in tags and not any("aarch64" in t for t in tags)
    assert load_script().expand_platforms(["musllinux_1_2_x86_64"]) == ["musllinux_1_2_x86_64"]


def test_unknown_extra_is_a_clear_error(tmp_path, capsys):
    assert load_script().main(["--extras", "nope", "--output", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "unknown extra 'nope'" in err and "cryptfile" in err and "Traceback" not in err


def test_install_script_refuses_another_python(tmp_path):
    script = load_script()
    values = {"PYTHON_VERSION": "3.99", "ARCH": "", "REQUIREMENT": "foas-tui", "PLATFORM": "x"}
    install = tmp_path / "install.sh"
    install.write_text(script.fill(script.INSTALL_SH, values))
    done = subprocess.run(["sh", str(install), str(tmp_path / "venv")], capture_output=True, text=True,
                          env=clean_env(PYTHON=sys.executable), timeout=60)
    assert done.returncode == 2
    assert "this bundle is for Python 3.99" in done.stderr and "--python-version" in done.stderr
    assert not (tmp_path / "venv").exists()


@pytest.mark.slow
def test_bundle_installs_into_a_clean_venv_with_no_index(tmp_path):
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        pytest.skip("the bundle test builds for this host, which must be glibc Linux")
    out = tmp_path / "out"
    build = subprocess.run(
        [sys.executable, str(SCRIPT), "--output", str(out)],
        capture_output=True, text=True, timeout=300, env=clean_env(PIP_CACHE_DIR=PIP_CACHE),
    )
    log = build.stdout + build.stderr
    if build.returncode != 0:
        trouble = [marker for marker in NETWORK_TROUBLE if marker in log]
        if trouble:
            pytest.skip(f"building the bundle needs a package index, unreachable here ({trouble[0]})")
        pytest.fail(f"build-offline-bundle failed:\n{log[-4000:]}")
    archives = list(out.glob("*.tar.gz"))
    assert len(archives) == 1, log
    with tarfile.open(archives[0]) as tar:
        tar.extractall(tmp_path / "bastion", filter="data")
    (bundle,) = (tmp_path / "bastion").iterdir()
    assert bundle.name == archives[0].name.removesuffix(".tar.gz")

    # Every wheel is listed in SHA256SUMS with its real hash.
    sums = dict(line.split("  ")[::-1] for line in (bundle / "SHA256SUMS").read_text().splitlines())
    wheels = sorted((bundle / "wheelhouse").iterdir())
    assert {f"wheelhouse/{w.name}" for w in wheels} == set(sums)
    for wheel in wheels:
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == sums[f"wheelhouse/{wheel.name}"]
    manifest = json.loads((bundle / "bundle.json").read_text())
    assert manifest["version"] == foas_tui.__version__ and manifest["extras"] == ["cryptfile"]

    # The bastion: the index switched off, and no way out to any server: every proxy is a closed local
    # port (install.sh ignores PIP_* variables and pip.conf, but pip's HTTP client still obeys these).
    venv = tmp_path / "venv"
    closed = "http://127.0.0.1:9"
    no_way_out = {name: closed for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY")}
    env = clean_env(PYTHON=sys.executable, PIP_NO_INDEX="1", PIP_CACHE_DIR=str(tmp_path / "no-cache"), **no_way_out)
    for name in ("NO_PROXY", "no_proxy"):
        env.pop(name, None)
    try:  # about 30 s here; an installer that tries an index retries through the closed proxy for minutes
        install = subprocess.run([str(bundle / "install.sh"), str(venv)], capture_output=True, text=True,
                                 timeout=180, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail("install.sh ran over 180 s: is it trying to reach a package index?")
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    assert "Looking in links" in install.stdout  # pip says where it looked: the bundle's wheelhouse
    version = subprocess.run([str(venv / "bin" / "foas-tui"), "--version"], capture_output=True, text=True,
                             timeout=60, env=clean_env(), cwd=tmp_path)
    assert version.returncode == 0 and foas_tui.__version__ in version.stdout, version
    # The installed copy runs (not the checkout), with the app's imports and the encrypted-file extra.
    probe = "import foas_tui, foas_tui.app, keyrings.cryptfile; print(foas_tui.__file__)"
    where = subprocess.run([str(venv / "bin" / "python"), "-c", probe], capture_output=True, text=True,
                           timeout=60, env=clean_env(), cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(venv)
