"""Shared fixtures: settings over a temporary data folder, the sample knowledge, real servers on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.wiring import Services

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = Path(__file__).parent.parent
SHARED_ESCO = PROJECT.parent / "shared" / "esco"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    """A copy of the test knowledge folder that a test may edit."""
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "knowledge", target)
    return target


@pytest.fixture
def settings(tmp_path: Path, knowledge_dir: Path) -> Settings:
    return Settings(_env_file=None, knowledge_dir=knowledge_dir, data_dir=tmp_path / "var")


@pytest.fixture
def services(settings: Settings) -> Services:
    return Services(settings, progress=False)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    """A real Chroma server (`chroma run`) on loopback."""
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    process = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_for_port(port, process, "chroma run")
    yield url
    process.terminate()
    process.wait(timeout=20)


def _wait_for_port(port: int, process: subprocess.Popen, name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{name} did not listen on port {port} within {timeout} s")


def _pg_bin(name: str) -> str:
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    found = str(candidates[0]) if candidates else shutil.which(name)
    if not found:
        raise RuntimeError(
            f"PostgreSQL's {name} is not installed (tests/run.sh installs Debian's postgresql)"
        )
    return found


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL cluster on loopback: initdb + pg_ctl in a temporary folder."""
    # Not under pytest's tmp folder: as root the cluster runs as 'postgres', who cannot enter root's folders.
    folder = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
    data, port = folder / "data", free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_user, _pg_bin("initdb"), "-D", str(data), "-U", "test", "-A", "trust"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *as_user,
            _pg_bin("pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-w",
            "start",
            "-l",
            str(folder / "log"),
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "test", "assistant"], check=True
    )
    yield f"postgresql+psycopg://test@127.0.0.1:{port}/assistant"
    subprocess.run(
        [*as_user, _pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
    )
    shutil.rmtree(folder, ignore_errors=True)


WELDING_COURSE = """---
id: si-test-esco-varjenje
type: short-course
title:
  sl: Tečaj varjenja za ESCO test
  en: Welding course for the ESCO test
provider: Testna varilnica
country: SI
region: si-gorenjska
locations: [Kranj]
mode: onsite
languages: [sl]
dates:
  - {start: 2027-03-01, end: 2027-04-30}
duration_hours: 80
cost: {amount: 640, currency: EUR, funding: [ESS]}
esco:
  skills: [http://data.europa.eu/esco/skill/aaaaaaaa-0000-0000-0000-000000000001]
apply: {url: "https://example.org/test/varjenje"}
last_reviewed: 2026-11-01
source: sample
---
Tečaj ročnega obločnega varjenja za začetnike.
"""


@pytest.fixture(scope="session")
def sample_services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    """The sample knowledge and a small ESCO package, indexed once for the whole session."""
    from assistant.esco.importer import import_packages
    from tests.esco_packages import write_v11

    root = tmp_path_factory.mktemp("sample")
    knowledge = root / "knowledge"
    shutil.copytree(PROJECT / "knowledge", knowledge)
    (knowledge / "catalogues" / "si-gorenjska" / "si-test-esco-varjenje.md").write_text(WELDING_COURSE)
    settings = Settings(_env_file=None, knowledge_dir=knowledge, data_dir=root / "var")
    services = Services(settings, progress=False)
    import_packages(services.engine, write_v11(root, "en"), progress=False)
    services.index()
    return services


@pytest.fixture
def assistant(sample_services: Services):
    """The conversation engine over the indexed sample, with a fixed date."""
    import datetime as dt

    built = sample_services.assistant()
    built.today = lambda: dt.date(2026, 11, 21)
    return built
