"""The console in the Kubernetes base: a stateless web process behind the Ingress at the
host's root (the APIs keep ``/api/<service>/``), calling the three APIs inside the
cluster with the signed-in person's token. Sign-in goes through the organisation's
issuer (authorization code + PKCE); its client secret and the session key come from the
``console-secrets`` Secret, created outside git."""

from __future__ import annotations

from deploy.k8s_building_blocks import (
    INGRESS_CONTROLLER,
    deployment,
    hpa,
    ingress_policy,
    meta,
    pdb,
    pod_spec,
    selector,
    web_container,
    web_service,
)
from deploy.k8s_platform import host_ingress
from deploy.k8s_services import (
    API_GRACEFUL_S,
    API_PRESTOP_S,
    INGRESS_HOST,
    OIDC_AUDIENCE,
    OIDC_ISSUER,
    PUBLIC_INTERNET,
    SERVICES,
    SMALL,
    Manifest,
    ServiceSpec,
)

#: The console has one role and no worker; its sizes are the small ones.
CONSOLE = ServiceSpec("console", 8004, 8004, api=SMALL, worker=SMALL)
#: The OIDC client the organisation registers for the console.
OIDC_CLIENT_ID = "mentoring-console"
#: Pods of the console, as a source the APIs' ingress policies admit.
CONSOLE_PODS: Manifest = {"podSelector": {"matchLabels": selector("console", "api")}}


def console_files() -> dict[str, list[Manifest]]:
    """File name (under ``deploy/k8s/base/``) -> its resources."""
    return {"console.yaml": [*_common(), *_workload(), _egress(), _ingress()]}


def _common() -> list[Manifest]:
    p = CONSOLE.prefix
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": meta("console", "console"),
            "automountServiceAccountToken": False,
        },
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta("console-config", "console"),
            "data": {
                f"{p}PROFILE": "production",
                f"{p}LOG_LEVEL": "INFO",
                f"{p}HTTP_HOST": "0.0.0.0",
                f"{p}HTTP_PORT": str(CONSOLE.api_port),
                # each API's in-cluster Service (port 80 -> the API's port)
                **{f"{p}{s.name.upper()}_URL": f"http://{s.name}-api" for s in SERVICES},
                f"{p}AUTH_ISSUER": OIDC_ISSUER,
                f"{p}AUTH_AUDIENCE": OIDC_AUDIENCE,
                f"{p}OIDC_CLIENT_ID": OIDC_CLIENT_ID,
                f"{p}PUBLIC_URL": f"https://{INGRESS_HOST}",
                f"{p}SECURE_COOKIES": "true",
            },
        },
    ]


def _workload() -> list[Manifest]:
    container = web_container(CONSOLE, CONSOLE.api, API_PRESTOP_S)
    container["command"] = ["python", "-m", "services.console"]
    pod = pod_spec(CONSOLE, "api", container, API_PRESTOP_S + API_GRACEFUL_S + 10)
    workload = deployment(CONSOLE, "api", pod, CONSOLE.api_port)
    del workload["spec"]["template"]["metadata"]["annotations"]  # no /metrics to scrape
    return [
        workload,
        web_service(CONSOLE, "console"),
        hpa(CONSOLE, "api", 2, CONSOLE.api_max_replicas),
        pdb(CONSOLE, "api"),
        ingress_policy(CONSOLE, "api", [INGRESS_CONTROLLER], CONSOLE.api_port),
    ]


def _egress() -> Manifest:
    """To the three APIs, and to the issuer over HTTPS (discovery, the code exchange and
    its keys); the baseline already allows DNS."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": meta("console-api-egress", "console", "api"),
        "spec": {
            "podSelector": {"matchLabels": selector("console", "api")},
            "policyTypes": ["Egress"],
            "egress": [
                *(
                    {
                        "to": [{"podSelector": {"matchLabels": selector(s.name, "api")}}],
                        "ports": [{"protocol": "TCP", "port": s.api_port}],
                    }
                    for s in SERVICES
                ),
                {"to": [{"ipBlock": PUBLIC_INTERNET}], "ports": [{"protocol": "TCP", "port": 443}]},
            ],
        },
    }


def _ingress() -> Manifest:
    """Everything on the host the APIs' ``/api/...`` rules do not take: the console's
    pages, and the links in messages (``NOTIFICATIONS_APP_BASE_URL`` is this host)."""
    return host_ingress(
        meta("console", "console", "api"),
        # the people import takes an HR export of up to 20 MiB
        {"nginx.ingress.kubernetes.io/proxy-body-size": "21m"},
        {"path": "/", "pathType": "Prefix"},
    )
