"""docker-compose.yml runs the portal as more than one machine would: any number of web and worker
containers behind one proxy, one beat, files in MinIO. (There is no Docker engine here to run it;
the file is read, and checked by `docker-compose config` where that is installed.)"""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
S3_VARIABLES = {"POLYPLUS_S3_BUCKET", "POLYPLUS_S3_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}


class StrictLoader(yaml.SafeLoader):
    """Refuses a key given twice in one mapping, as Docker Compose does (PyYAML keeps the last)."""

    def construct_mapping(self, node, deep=False):
        keys = [key.value for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge"]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise yaml.constructor.ConstructorError(None, None, f"keys given twice: {repeated}", node.start_mark)
        return super().construct_mapping(node, deep=deep)


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.load((ROOT / "docker-compose.yml").read_text(), Loader=StrictLoader)["services"]  # noqa: S506


def test_web_and_workers_can_be_scaled_behind_the_proxy(services):
    for scalable in ("web", "worker"):
        assert "ports" not in services[scalable] and "container_name" not in services[scalable]
    assert services["proxy"]["ports"] == ["8000:80"]
    assert (ROOT / "deploy" / "nginx.conf").read_text().count("proxy_pass $portal;") == 1


@pytest.mark.parametrize("service", ["web", "worker", "beat", "init"])
def test_every_portal_process_stores_files_in_minio_not_on_its_own_disk(services, service):
    assert set(services[service]["environment"]) >= S3_VARIABLES
    assert services[service]["environment"]["POLYPLUS_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert not services[service].get("volumes")
    assert services[service]["depends_on"]["minio-init"] == {"condition": "service_completed_successfully"}


def test_the_bucket_is_created_private_before_the_portal_starts(services):
    command = " ".join(services["minio-init"]["command"])
    assert "mc mb --ignore-existing" in command and "mc anonymous set none" in command


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")
def test_docker_compose_accepts_the_file():
    done = subprocess.run(["docker-compose", "config", "-q"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
