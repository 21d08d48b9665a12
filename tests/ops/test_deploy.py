"""deploy/: what can be checked here without Docker or a cluster.

Kubernetes manifests are validated against the official schemas bundled in
kubernetes-validate (offline); KEDA's ScaledObject against the subset of its CRD schema we
use; compose, Dockerfile and systemd units for the properties the operations rely on.
"""

from __future__ import annotations

import configparser
import copy
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from core.store.queues import QUEUE_NAMES

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S_VERSION = "1.30"

SCALED_OBJECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "keda.sh/v1alpha1"},
        "spec": {
            "type": "object",
            "required": ["scaleTargetRef", "triggers"],
            "additionalProperties": False,
            "properties": {
                "scaleTargetRef": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": {"type": "string"}},
                },
                "minReplicaCount": {"type": "integer", "minimum": 0},
                "maxReplicaCount": {"type": "integer", "minimum": 1},
                "pollingInterval": {"type": "integer"},
                "cooldownPeriod": {"type": "integer"},
                "triggers": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["type", "metadata"],
                        "properties": {
                            "type": {"const": "redis"},
                            "metadata": {
                                "type": "object",
                                "required": ["listName", "listLength"],
                                "additionalProperties": {"type": "string"},
                            },
                        },
                    },
                },
            },
        },
    },
}


def _docs(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((DEPLOY / "k8s" / name).read_text()) if d]


def _all_k8s() -> list[dict[str, Any]]:
    names = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())["resources"]
    return [doc for name in names for doc in _docs(name)]


def _by_kind(kind: str, component: str | None = None) -> list[dict[str, Any]]:
    return [
        d
        for d in _all_k8s()
        if d["kind"] == kind
        and (
            component is None or d["metadata"]["labels"]["app.kubernetes.io/component"] == component
        )
    ]


def test_every_builtin_manifest_matches_the_kubernetes_schema() -> None:
    builtin = [d for d in _all_k8s() if d["kind"] != "ScaledObject"]
    assert {d["kind"] for d in builtin} >= {
        "Namespace",
        "ConfigMap",
        "Deployment",
        "Service",
        "Ingress",
        "StatefulSet",
    }
    for doc in builtin:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_validator_does_reject_a_broken_manifest() -> None:
    broken = copy.deepcopy(_by_kind("Deployment", "web")[0])
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def test_workers_autoscale_on_the_depth_of_every_channel_queue() -> None:
    (scaled,) = _by_kind("ScaledObject")
    jsonschema.validate(scaled, SCALED_OBJECT_SCHEMA)
    assert (
        scaled["spec"]["scaleTargetRef"]["name"]
        == _by_kind("Deployment", "worker")[0]["metadata"]["name"]
    )
    lists = {t["metadata"]["listName"] for t in scaled["spec"]["triggers"]}
    assert lists == {f"rq:queue:{name}" for name in QUEUE_NAMES.values()}


def test_cron_is_a_single_replica_that_never_overlaps() -> None:
    (cron,) = _by_kind("Deployment", "cron")
    assert cron["spec"]["replicas"] == 1
    assert cron["spec"]["strategy"]["type"] == "Recreate"


def test_pods_run_as_non_root_and_redis_keeps_an_append_only_file() -> None:
    for deployment in _by_kind("Deployment"):
        assert deployment["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"]
    (redis,) = _by_kind("StatefulSet")
    args = redis["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[args.index("--appendonly") + 1] == "yes"
    assert redis["spec"]["volumeClaimTemplates"]


def test_compose_has_redis_with_aof_web_scaled_workers_and_one_cron() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"redis", "web", "worker", "cron"}
    command = services["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert services["cron"]["deploy"]["replicas"] == 1
    assert "${AITODAY_WORKERS" in str(services["worker"]["deploy"]["replicas"])
    for role in ("web", "worker", "cron"):
        assert services[role]["command"] == [role]
        assert services[role]["image"] == "aitoday:latest"
        assert services[role]["environment"]["AITODAY_REDIS_URL"] == "redis://redis:6379/0"
        assert services[role]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_dockerfile_is_multi_stage_non_root_with_a_healthcheck() -> None:
    lines = [line.strip() for line in (DEPLOY / "Dockerfile").read_text().splitlines()]
    assert sum(line.startswith("FROM ") for line in lines) >= 2
    assert any(line.startswith("COPY --from=build") for line in lines)
    users = [line for line in lines if line.startswith("USER ")]
    assert users and not users[-1].split()[1].startswith(("root", "0"))
    health = [i for i, line in enumerate(lines) if line.startswith("HEALTHCHECK")]
    assert health and "/healthz" in " ".join(lines[health[0] : health[0] + 3])
    assert 'ENTRYPOINT ["aitoday"]' in lines


@pytest.mark.parametrize(
    "unit", ["aitoday-web.service", "aitoday-worker@.service", "aitoday-cron.service"]
)
def test_systemd_units_run_unprivileged_and_stop_with_sigterm(unit: str) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    # configparser documents assigning optionxform (here: keep keys' case); typeshed
    # declares it a method, so the assignment is an error to mypy
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / unit)
    service = parser["Service"]
    assert service["User"] == "aitoday"
    assert service["KillSignal"] == "SIGTERM"
    assert service["ExecStart"].startswith("/opt/aitoday/venv/bin/aitoday ")
    assert service["NoNewPrivileges"] == "true"
    assert parser["Install"]["WantedBy"] == "aitoday.target"
