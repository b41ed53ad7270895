"""A small kustomize for the subset ``deploy/k8s`` uses, so rendering needs only Python.

Supported ``kustomization.yaml`` fields: ``resources`` (files and directories holding a
kustomization), ``namespace``, ``images`` (``name``/``newName``/``newTag``) and
``patches`` holding JSON 6902 operations (``add``/``replace``/``remove``, inline ``patch``
or ``path``) with a ``target`` of ``group``/``version``/``kind``/``name``/``namespace``/
``labelSelector`` (equality terms). Anything else is refused rather than ignored.
Where ``kubectl`` or ``kustomize`` is installed, ``tests/deploy`` checks that this renders
the same objects.

    python -m deploy.kustomize deploy/k8s/overlays/prod > prod.yaml
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import yaml

Manifest = dict[str, Any]

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "images", "patches"}
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
}


class KustomizeError(ValueError):
    pass


def load_documents(path: Path) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def build(directory: Path | str) -> list[Manifest]:
    """The resources a kustomization directory renders, transformed."""
    directory = Path(directory)
    config = yaml.safe_load((directory / "kustomization.yaml").read_text()) or {}
    unknown = set(config) - SUPPORTED
    if unknown:
        raise KustomizeError(f"{directory}: unsupported fields {sorted(unknown)}")
    resources: list[Manifest] = []
    for entry in config.get("resources", []):
        target = directory / entry
        resources += build(target) if target.is_dir() else load_documents(target)
    _check_unique(resources, directory)
    for patch in config.get("patches", []):
        _apply_patch(resources, patch, directory)
    for image in config.get("images", []):
        _set_image(resources, image)
    if "namespace" in config:
        for resource in resources:
            if resource.get("kind") not in CLUSTER_SCOPED:
                resource.setdefault("metadata", {})["namespace"] = config["namespace"]
    return resources


def _key(resource: Manifest) -> tuple[str, str, str, str]:
    md = resource.get("metadata", {})
    return (resource["apiVersion"], resource["kind"], md.get("namespace", ""), md["name"])


def _check_unique(resources: list[Manifest], directory: Path) -> None:
    seen: set[tuple[str, str, str, str]] = set()
    for resource in resources:
        key = _key(resource)
        if key in seen:
            raise KustomizeError(f"{directory}: {key} defined twice")
        seen.add(key)


def _matches(resource: Manifest, target: dict[str, str]) -> bool:
    group, _, version = resource["apiVersion"].rpartition("/")
    md = resource.get("metadata", {})
    checks = {
        "group": group,
        "version": version,
        "kind": resource["kind"],
        "name": md.get("name"),
        "namespace": md.get("namespace", ""),
    }
    for field, wanted in target.items():
        if field == "labelSelector":
            have = md.get("labels", {})
            for term in wanted.split(","):
                key, _, value = term.partition("=")
                if have.get(key.strip()) != value.strip():
                    return False
        elif field not in checks:
            raise KustomizeError(f"unsupported target field {field!r}")
        elif checks[field] != wanted:
            return False
    return True


def _apply_patch(resources: list[Manifest], patch: Manifest, directory: Path) -> None:
    if "path" in patch:
        operations = yaml.safe_load((directory / patch["path"]).read_text())
    else:
        operations = yaml.safe_load(patch["patch"])
    if not isinstance(operations, list):
        raise KustomizeError(f"{directory}: only JSON 6902 patches (a list of operations)")
    targets = [r for r in resources if _matches(r, patch.get("target", {}))]
    if not targets:
        raise KustomizeError(f"{directory}: patch target {patch.get('target')} matches nothing")
    for resource in targets:
        for operation in operations:
            _json_patch(resource, operation)


def _pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise KustomizeError(f"bad JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _json_patch(document: Manifest, operation: Manifest) -> None:
    op = operation["op"]
    *parents, last = _pointer(operation["path"])
    node: Any = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    value = copy.deepcopy(operation.get("value"))
    if isinstance(node, list):
        index = len(node) if last == "-" else int(last)
        if op == "add":
            node.insert(index, value)
        elif op == "replace":
            node[index] = value
        elif op == "remove":
            del node[index]
        else:
            raise KustomizeError(f"unsupported op {op!r}")
        return
    if op in ("replace", "remove") and last not in node:
        raise KustomizeError(f"{operation['path']} does not exist in {_key(document)}")
    if op in ("add", "replace"):
        node[last] = value
    elif op == "remove":
        del node[last]
    else:
        raise KustomizeError(f"unsupported op {op!r}")


def _set_image(resources: list[Manifest], image: Manifest) -> None:
    for resource in resources:
        pod = resource.get("spec", {}).get("template", {}).get("spec", {})
        for container in [*pod.get("containers", []), *pod.get("initContainers", [])]:
            name, tag = _split_image(container["image"])
            if name != image["name"]:
                continue
            new_name = image.get("newName", name)
            new_tag = image.get("newTag", tag)
            container["image"] = f"{new_name}:{new_tag}" if new_tag else new_name


def _split_image(ref: str) -> tuple[str, str]:
    head, _, tail = ref.rpartition(":")
    if head and "/" not in tail:
        return head, tail
    return ref, ""


def dump(resources: list[Manifest]) -> str:
    return yaml.safe_dump_all(resources, sort_keys=False)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m deploy.kustomize <kustomization directory>", file=sys.stderr)
        return 2
    sys.stdout.write(dump(build(args[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
