#!/usr/bin/env python3
"""Checks deploy/kubernetes (issue 16): every file parses as YAML (PyYAML, Debian python3-yaml)
into Kubernetes objects; the Deployment probes /healthz (liveness) and /readyz (readiness) on a
port the container declares; the Service selects the pods and targets a container port; env
comes from the ConfigMap (non-secret) and the Secret (secret-looking names); the containers run
non-root with a read-only root file system.

usage: check_kubernetes.py DIR          check the manifests in DIR
       check_kubernetes.py DIR --self-test   also check that each rule rejects a broken copy
"""
import copy
import pathlib
import re
import sys

import yaml

SECRET_NAME = re.compile(r"SECRET|TOKENS|PASSWORD|PRIVATE|API_KEY|ANON_KEY")


def load(directory):
    docs = []
    files = sorted(pathlib.Path(directory).glob("*.y*ml"))
    if not files:
        raise SystemExit(f"no YAML files in {directory}")
    for path in files:
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is None:
                continue
            for key in ("apiVersion", "kind"):
                if key not in doc:
                    raise SystemExit(f"{path.name}: a document without {key}")
            docs.append(doc)
    return docs


def only(docs, kind):
    found = [d for d in docs if d["kind"] == kind]
    if len(found) != 1:
        return None, [f"expected one {kind}, found {len(found)}"]
    return found[0], []


def check(docs):
    """Returns the list of rule violations (empty: the manifests are fine)."""
    errors = []
    deployment, e1 = only(docs, "Deployment")
    service, e2 = only(docs, "Service")
    errors += e1 + e2
    if errors:
        return errors
    configmaps = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ConfigMap"}
    secrets = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Secret"}
    pod = deployment["spec"]["template"]
    labels = pod["metadata"].get("labels", {})
    if deployment["spec"]["selector"].get("matchLabels", {}).items() - labels.items():
        errors.append("the Deployment's selector does not match its pod labels")

    containers = pod["spec"]["containers"]
    ports = {}  # name or number -> containerPort
    for c in containers:
        for p in c.get("ports", []):
            ports[p["containerPort"]] = p["containerPort"]
            if "name" in p:
                ports[p["name"]] = p["containerPort"]

    probes = {"livenessProbe": "/healthz", "readinessProbe": "/readyz"}
    for c in containers:
        for probe, path in probes.items():
            got = c.get(probe, {}).get("httpGet", {})
            if got.get("path") != path:
                errors.append(f"container {c['name']}: {probe} path is {got.get('path')!r}, not {path}")
            if got.get("port") not in ports:
                errors.append(f"container {c['name']}: {probe} port {got.get('port')!r} is not a container port")

    if service["spec"].get("selector", {}).items() - labels.items():
        errors.append("the Service's selector does not match the pod labels")
    for sp in service["spec"].get("ports", []):
        target = sp.get("targetPort", sp.get("port"))
        if target not in ports:
            errors.append(f"Service port {sp.get('name', sp['port'])}: targetPort {target!r} is no container port")

    pod_security = pod["spec"].get("securityContext", {})
    for c in containers:
        sc = c.get("securityContext", {})
        if not (sc.get("runAsNonRoot", pod_security.get("runAsNonRoot")) is True):
            errors.append(f"container {c['name']}: runAsNonRoot is not true")
        if sc.get("readOnlyRootFilesystem") is not True:
            errors.append(f"container {c['name']}: readOnlyRootFilesystem is not true")
        if sc.get("allowPrivilegeEscalation") is not False:
            errors.append(f"container {c['name']}: allowPrivilegeEscalation is not false")

        sources = c.get("envFrom", [])
        used_cm = [s["configMapRef"]["name"] for s in sources if "configMapRef" in s]
        used_secret = [s["secretRef"]["name"] for s in sources if "secretRef" in s]
        if not used_cm or not used_secret:
            errors.append(f"container {c['name']}: env must come from a ConfigMap and a Secret (envFrom)")
        for name in used_cm:
            if name not in configmaps:
                errors.append(f"container {c['name']}: ConfigMap {name} is not in the manifests")
        for name in used_secret:
            if name not in secrets:
                errors.append(f"container {c['name']}: Secret {name} is not in the manifests")
        for e in c.get("env", []):
            if SECRET_NAME.search(e["name"]) and "secretKeyRef" not in e.get("valueFrom", {}):
                errors.append(f"container {c['name']}: {e['name']} looks secret but is not from a Secret")

    for name, cm in configmaps.items():
        for key in (cm.get("data") or {}):
            if SECRET_NAME.search(key):
                errors.append(f"ConfigMap {name}: {key} looks secret: it belongs in a Secret")
    return errors


def container(docs):
    return next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]["spec"]["containers"][0]


def self_test(docs):
    """Each rule must reject a copy of the real manifests broken in its one way."""

    def breaks(description, mutate):
        broken = copy.deepcopy(docs)
        mutate(broken)
        if not check(broken):
            return [f"self-test: the check accepts manifests where {description}"]
        return []

    def service(d):
        return next(x for x in d if x["kind"] == "Service")

    def configmap(d):
        return next(x for x in d if x["kind"] == "ConfigMap")

    errors = []
    errors += breaks("liveness probes /readyz", lambda d: container(d)["livenessProbe"]["httpGet"].update(path="/readyz"))
    errors += breaks("readiness probes /", lambda d: container(d)["readinessProbe"]["httpGet"].update(path="/"))
    errors += breaks("the probe port is undeclared", lambda d: container(d)["readinessProbe"]["httpGet"].update(port=9999))
    errors += breaks("the Service targets port 9999", lambda d: service(d)["spec"]["ports"][0].update(targetPort=9999))
    errors += breaks("the Service selects other pods", lambda d: service(d)["spec"].update(selector={"app": "other"}))
    errors += breaks("the root fs is writable", lambda d: container(d)["securityContext"].update(readOnlyRootFilesystem=False))
    errors += breaks("a secret sits in the ConfigMap",
                     lambda d: configmap(d)["data"].update(FASTMCP_SERVER_AUTH_JWT_HS_SECRET="x" * 32))
    errors += breaks("there is no Secret", lambda d: d.remove(next(x for x in d if x["kind"] == "Secret")))
    return errors


def main():
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and sys.argv[2] != "--self-test"):
        raise SystemExit(__doc__)
    docs = load(sys.argv[1])
    errors = check(docs)
    if len(sys.argv) == 3 and not errors:
        errors = self_test(docs)
    for e in errors:
        print("FAIL:", e)
    if errors:
        return 1
    kinds = ", ".join(sorted(d["kind"] for d in docs))
    print(f"PASS: {len(docs)} objects ({kinds}); probes /healthz and /readyz; Service targets a container port")
    return 0


if __name__ == "__main__":
    sys.exit(main())
