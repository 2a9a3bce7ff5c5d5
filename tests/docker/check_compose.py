#!/usr/bin/env python3
"""check_compose.py - checks docker/compose.yaml without a Docker engine.

The build machines have the docker client but no engine and no compose
plugin, so the compose file is never run here. This parses it and checks
what would make `docker compose up` fail or misbehave:

  - every image pinned to a tag or digest, never `latest` or untagged;
  - every build context and Dockerfile, and every bind-mounted host file,
    exists inside the repository; named volumes are declared;
  - depends_on names existing services with valid conditions (a healthy
    dependency has a healthcheck, a completed one is a one-shot), no cycles,
    and no always-on service depends on one behind a profile;
  - the Kafka service is a complete single-node KRaft setup of the
    apache/kafka image (roles, node id, quorum voters on the controller
    listener, listener names, protocols, advertised listeners, replication
    factors of the internal topics, no variables the image refuses);
  - the config file mounted into the interdict services loads with the real
    binary (`interdict config -c`), its brokers are the Kafka service's
    advertised in-network listener, and its state.dir is on a named volume;
  - Prometheus and Grafana run only under the `monitoring` profile, with
    their configuration mounted from the repository: Prometheus scrapes the
    interdict service on the port of its metrics.listen, which is not bound
    to the loopback, and loads its mounted rule files; Grafana's data source
    is the Prometheus service and its dashboard file is where its provider
    looks.

With --mutations it instead breaks a copy of the file in known ways and
fails unless every breakage is caught, so the checks cannot go vacuous.

Exit status: 0 all checks pass, 1 a check failed, 2 usage or setup error.
"""

import argparse
import base64
import copy
import os
import re
import subprocess
import sys

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the machine
    print("check_compose: PyYAML is missing (Debian: python3-yaml; scripts/deps.sh test)",
          file=sys.stderr)
    sys.exit(2)

DEPEND_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
KAFKA_PROTOCOLS = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"}
# The apache/kafka image's start script exits when one of these is set.
KAFKA_REFUSED = {"KAFKA_PORT", "KAFKA_HOST", "KAFKA_ADVERTISED_PORT", "KAFKA_ADVERTISED_HOST"}
# Broker defaults that a single node cannot satisfy (3 replicas, ISR 2).
KAFKA_SINGLE_NODE = {
    "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": True,  # True: must be set to 1
    "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": True,
    "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": True,
    "KAFKA_DEFAULT_REPLICATION_FACTOR": False,  # False: 1 if set (the default is 1)
    "KAFKA_MIN_INSYNC_REPLICAS": False,
}


class Ctx:
    """Where the compose file lives and what to run."""

    def __init__(self, root, compose_path, interdict):
        self.root = os.path.realpath(root)
        self.compose_path = os.path.realpath(compose_path)
        self.base = os.path.dirname(self.compose_path)
        self.interdict = interdict


# ---- small parsers ----------------------------------------------------------


def parse_image(ref):
    """(name, tag, digest) of an image reference; tag/digest None if absent."""
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    name, tag = ref, None
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        name, tag = ref.rsplit(":", 1)
    return name, tag, digest


def env_of(svc):
    env = svc.get("environment") or {}
    if isinstance(env, list):
        out = {}
        for item in env:
            key, _, value = str(item).partition("=")
            out[key] = value
        return out
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def parse_volume(v):
    """(kind, source, target): kind 'bind', 'volume' or 'anonymous'."""
    if isinstance(v, dict):
        kind = v.get("type", "volume")
        return kind, v.get("source"), v.get("target")
    parts = str(v).split(":")
    if len(parts) == 1:
        return "anonymous", None, parts[0]
    src, dst = parts[0], parts[1]
    kind = "bind" if src.startswith((".", "/", "~")) else "volume"
    return kind, src, dst


def depends_of(svc):
    """{name: condition} of a service's depends_on (list or map form)."""
    dep = svc.get("depends_on") or {}
    if isinstance(dep, list):
        return {d: "service_started" for d in dep}
    return {k: (v or {}).get("condition", "service_started") for k, v in dep.items()}


def parse_listeners(text):
    """{NAME: (host, port)} of a Kafka listener list."""
    out = {}
    for item in filter(None, (x.strip() for x in text.split(","))):
        m = re.fullmatch(r"([A-Za-z0-9_]+)://([^:/]*):(\d+)", item)
        if not m:
            raise ValueError(f"listener {item!r} is not NAME://host:port")
        out[m.group(1)] = (m.group(2), int(m.group(3)))
    return out


def as_list(cmd):
    if cmd is None:
        return []
    return cmd if isinstance(cmd, list) else str(cmd).split()


def inside(root, path):
    return os.path.commonpath([root, os.path.realpath(path)]) == root


# ---- checks: each returns a list of problems --------------------------------


def check_images(doc, ctx):
    errs = []
    for name, svc in doc["services"].items():
        ref = svc.get("image")
        if ref is None:
            if "build" not in svc:
                errs.append(f"{name}: neither image nor build")
            continue
        ref = str(ref)
        if "${" in ref:
            errs.append(f"{name}: image {ref!r} depends on a variable; pin it")
            continue
        _, tag, digest = parse_image(ref)
        if digest is None and (tag is None or tag == "latest"):
            errs.append(f"{name}: image {ref!r} is not pinned to a tag or digest")
    return errs


def check_builds(doc, ctx):
    errs = []
    for name, svc in doc["services"].items():
        build = svc.get("build")
        if build is None:
            continue
        if isinstance(build, str):
            build = {"context": build}
        context = os.path.join(ctx.base, str(build.get("context", ".")))
        dockerfile = os.path.join(context, str(build.get("dockerfile", "Dockerfile")))
        if not os.path.isdir(context) or not inside(ctx.root, context):
            errs.append(f"{name}: build context {build.get('context')!r} is not a directory "
                        "in the repository")
        elif not os.path.isfile(dockerfile) or not inside(ctx.root, dockerfile):
            errs.append(f"{name}: Dockerfile {build.get('dockerfile')!r} not found in the "
                        "build context")
    return errs


def check_volumes(doc, ctx):
    errs = []
    declared = set((doc.get("volumes") or {}).keys())
    for name, svc in doc["services"].items():
        for v in svc.get("volumes") or []:
            kind, src, dst = parse_volume(v)
            if not dst or not str(dst).startswith("/"):
                errs.append(f"{name}: volume {v!r} has no absolute target")
            if kind == "bind":
                host = os.path.normpath(os.path.join(ctx.base, os.path.expanduser(src)))
                if not os.path.exists(host):
                    errs.append(f"{name}: mounted host path {src!r} does not exist")
                elif not inside(ctx.root, host):
                    errs.append(f"{name}: mounted host path {src!r} is outside the repository")
            elif kind == "volume" and src not in declared:
                errs.append(f"{name}: named volume {src!r} is not declared under volumes:")
    return errs


def check_depends(doc, ctx):
    errs = []
    services = doc["services"]
    for name, svc in services.items():
        mine = set(svc.get("profiles") or [])
        for dep, cond in depends_of(svc).items():
            if dep not in services:
                errs.append(f"{name}: depends on {dep!r}, which is not a service")
                continue
            if cond not in DEPEND_CONDITIONS:
                errs.append(f"{name}: depends on {dep} with unknown condition {cond!r}")
            target = services[dep]
            if cond == "service_healthy" and "healthcheck" not in target:
                errs.append(f"{name}: waits for {dep} to be healthy, but {dep} has no "
                            "healthcheck")
            if cond == "service_completed_successfully" and \
                    str(target.get("restart", "no")) not in ("no", "on-failure"):
                errs.append(f"{name}: waits for {dep} to complete, but {dep} restarts "
                            f"({target.get('restart')})")
            theirs = set(target.get("profiles") or [])
            if theirs and not (mine and mine <= theirs):
                errs.append(f"{name}: depends on {dep}, which only runs with profile(s) "
                            f"{sorted(theirs)}")
    # Cycles: depth-first search over depends_on.
    state = {}

    def visit(n, trail):
        if state.get(n) == 1:
            errs.append("depends_on cycle: " + " -> ".join(trail + [n]))
            return
        if state.get(n) == 2 or n not in services:
            return
        state[n] = 1
        for d in depends_of(services[n]):
            visit(d, trail + [n])
        state[n] = 2

    for n in services:
        visit(n, [])
    return errs


def kafka_services(doc):
    return {n: s for n, s in doc["services"].items()
            if parse_image(str(s.get("image", "")))[0].endswith("apache/kafka")}


def names_of(name, svc):
    """Host names a service answers to on the compose network."""
    names = {name, svc.get("hostname"), svc.get("container_name")}
    return {n for n in names if n}


def check_kraft(name, svc):
    errs = []
    env = env_of(svc)
    need = ["KAFKA_PROCESS_ROLES", "KAFKA_NODE_ID", "KAFKA_CONTROLLER_QUORUM_VOTERS",
            "KAFKA_LISTENERS", "KAFKA_ADVERTISED_LISTENERS", "KAFKA_CONTROLLER_LISTENER_NAMES",
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]
    missing = [k for k in need if not env.get(k)]
    if missing:
        return [f"{name}: KRaft needs {', '.join(missing)}"]
    _, tag, _ = parse_image(str(svc["image"]))
    if not tag or not tag.startswith("3.9."):
        errs.append(f"{name}: image tag {tag!r} is not Apache Kafka 3.9.x (docs/kafka.md)")
    for k in sorted(KAFKA_REFUSED & env.keys()):
        errs.append(f"{name}: {k} is refused by the apache/kafka image; use the listener "
                    "variables")
    if "KAFKA_ZOOKEEPER_CONNECT" in env:
        errs.append(f"{name}: KAFKA_ZOOKEEPER_CONNECT set in KRaft mode")

    roles = {r.strip() for r in env["KAFKA_PROCESS_ROLES"].split(",")}
    if roles != {"broker", "controller"}:
        errs.append(f"{name}: KAFKA_PROCESS_ROLES is {env['KAFKA_PROCESS_ROLES']!r}; a single "
                    "node must be broker,controller")
    try:
        node = int(env["KAFKA_NODE_ID"])
    except ValueError:
        return errs + [f"{name}: KAFKA_NODE_ID {env['KAFKA_NODE_ID']!r} is not an integer"]
    try:
        listeners = parse_listeners(env["KAFKA_LISTENERS"])
        advertised = parse_listeners(env["KAFKA_ADVERTISED_LISTENERS"])
    except ValueError as e:
        return errs + [f"{name}: {e}"]
    protomap = {}
    for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","):
        lname, _, proto = item.strip().partition(":")
        protomap[lname] = proto
    controllers = [c.strip() for c in env["KAFKA_CONTROLLER_LISTENER_NAMES"].split(",")]
    inter = env.get("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT")

    for lname in listeners:
        if lname not in protomap:
            errs.append(f"{name}: listener {lname} has no security protocol in the map")
        elif protomap[lname] not in KAFKA_PROTOCOLS:
            errs.append(f"{name}: listener {lname} maps to unknown protocol {protomap[lname]!r}")
    ports = [p for _, p in listeners.values()]
    if len(ports) != len(set(ports)):
        errs.append(f"{name}: two listeners share a port: {env['KAFKA_LISTENERS']}")
    for c in controllers:
        if c not in listeners:
            errs.append(f"{name}: controller listener {c} is not in KAFKA_LISTENERS")
    for lname, (_, port) in advertised.items():
        if lname not in listeners:
            errs.append(f"{name}: advertised listener {lname} is not in KAFKA_LISTENERS")
        elif lname in controllers:
            errs.append(f"{name}: advertised listeners must not include controller "
                        f"listener {lname}")
        elif listeners[lname][1] != port:
            errs.append(f"{name}: {lname} is advertised on port {port} but listens on "
                        f"{listeners[lname][1]}")
    if inter not in listeners or inter in controllers:
        errs.append(f"{name}: inter-broker listener {inter} must be a broker listener in "
                    "KAFKA_LISTENERS")

    voters = [v.strip() for v in env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",") if v.strip()]
    m = re.fullmatch(r"(\d+)@([^:]+):(\d+)", voters[0]) if len(voters) == 1 else None
    if not m:
        errs.append(f"{name}: a single node needs exactly one voter id@host:port, got "
                    f"{env['KAFKA_CONTROLLER_QUORUM_VOTERS']!r}")
    else:
        if int(m.group(1)) != node:
            errs.append(f"{name}: the voter's id {m.group(1)} is not KAFKA_NODE_ID {node}")
        if m.group(2) not in names_of(name, svc) | {"localhost", "127.0.0.1"}:
            errs.append(f"{name}: the voter's host {m.group(2)} is not this service")
        ctl_ports = {listeners[c][1] for c in controllers if c in listeners}
        if int(m.group(3)) not in ctl_ports:
            errs.append(f"{name}: the voter's port {m.group(3)} is not a controller listener "
                        f"port {sorted(ctl_ports)}")

    for key, required in KAFKA_SINGLE_NODE.items():
        if key not in env:
            if required:
                errs.append(f"{name}: {key} must be 1 on a single node (the default needs "
                            "more brokers)")
        elif env[key] != "1":
            errs.append(f"{name}: {key} is {env[key]}; a single node needs 1")

    if "CLUSTER_ID" in env:
        cid = env["CLUSTER_ID"]
        try:
            ok = len(cid) == 22 and len(base64.urlsafe_b64decode(cid + "==")) == 16
        except ValueError:
            ok = False
        if not ok:
            errs.append(f"{name}: CLUSTER_ID {cid!r} is not a base64 UUID (22 characters)")

    log_dirs = env.get("KAFKA_LOG_DIRS", "/var/lib/kafka/data")
    targets = {parse_volume(v)[2] for v in svc.get("volumes") or []
               if parse_volume(v)[0] in ("volume", "bind")}
    for d in log_dirs.split(","):
        if d not in targets:
            errs.append(f"{name}: log dir {d} is not on a volume: data is lost with the "
                        "container")
    if "healthcheck" not in svc:
        errs.append(f"{name}: no healthcheck, so nothing can wait for the broker to be ready")
    return errs


def check_kafka(doc, ctx):
    kafkas = kafka_services(doc)
    if len(kafkas) != 1:
        return [f"expected one apache/kafka service, found {sorted(kafkas)}"]
    errs = []
    for name, svc in kafkas.items():
        errs += check_kraft(name, svc)
    return errs


def interdict_services(doc):
    """Services that run the interdict image (built from docker/Dockerfile)."""
    out = {}
    for n, s in doc["services"].items():
        build = s.get("build")
        if isinstance(build, dict) and str(build.get("dockerfile", "")).endswith(
                "docker/Dockerfile"):
            out[n] = s
    return out


def load_config(ctx, host_file, extra=()):
    """The effective configuration of host_file (and -X options) per `interdict config`,
    or a problem."""
    if not ctx.interdict or not os.access(ctx.interdict, os.X_OK):
        return None, f"interdict binary {ctx.interdict!r} not found (set INTERDICT_BIN)"
    p = subprocess.run([ctx.interdict, "config", "-c", host_file, *extra], capture_output=True,
                       text=True, timeout=60, check=False)
    if p.returncode != 0:
        return None, f"`interdict config -c {host_file}` failed: {p.stderr.strip()}"
    conf = {}
    for line in p.stdout.splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            k, _, v = line.partition("=")
            conf[k.strip()] = v.strip()
    return conf, None


def check_config(doc, ctx):
    errs = []
    services = interdict_services(doc)
    for must in ("topics", "interdict"):
        if must not in services:
            errs.append(f"no {must!r} service built from docker/Dockerfile")
    kafkas = kafka_services(doc)
    advertised = {}
    for kname, ksvc in kafkas.items():
        try:
            for host, port in parse_listeners(env_of(ksvc).get("KAFKA_ADVERTISED_LISTENERS",
                                                               "")).values():
                if host in names_of(kname, ksvc):
                    advertised[f"{host}:{port}"] = kname
        except ValueError:
            pass
    for name, svc in services.items():
        argv = as_list(svc.get("entrypoint")) + as_list(svc.get("command"))
        if "-c" not in argv or argv.index("-c") + 1 >= len(argv):
            errs.append(f"{name}: runs without -c CONFIG")
            continue
        target = argv[argv.index("-c") + 1]
        mounts = {parse_volume(v)[2]: parse_volume(v) for v in svc.get("volumes") or []}
        if target not in mounts or mounts[target][0] != "bind":
            errs.append(f"{name}: config {target} is not a file mounted from the repository")
            continue
        host_file = os.path.normpath(os.path.join(ctx.base, mounts[target][1]))
        if not os.path.isfile(host_file):
            continue  # reported by check_volumes
        conf, problem = load_config(ctx, host_file)
        if problem:
            errs.append(f"{name}: {problem}")
            continue
        for b in filter(None, (x.strip() for x in conf.get("brokers", "").split(","))):
            if b not in advertised:
                errs.append(f"{name}: broker {b} in {os.path.relpath(host_file, ctx.root)} is "
                            f"not an advertised in-network listener of the Kafka service "
                            f"({sorted(advertised) or 'none'})")
        if name == "interdict":
            state = conf.get("state.dir", "")
            if state not in mounts or mounts[state][0] != "volume":
                errs.append(f"{name}: state.dir {state!r} is not on a named volume")
    return errs


def check_roles(doc, ctx):
    """The shape docs/deploy.md describes: topics one-shot, generator on a profile."""
    errs = []
    s = doc["services"]
    if "topics" in s:
        if "topics" not in as_list(s["topics"].get("command")):
            errs.append("topics: does not run `interdict topics`")
        if str(s["topics"].get("restart", "no")) != "no":
            errs.append("topics: a one-shot must not restart")
    if "interdict" in s and depends_of(s["interdict"]).get("topics") != \
            "service_completed_successfully":
        errs.append("interdict: must wait for topics to complete")
    if "generator" not in s:
        errs.append("no generator service")
    else:
        if "load" not in (s["generator"].get("profiles") or []):
            errs.append("generator: not under the 'load' profile")
        if as_list(s["generator"].get("entrypoint"))[:1] != ["interdict-gen"]:
            errs.append("generator: does not run interdict-gen")
    return errs


def binds(svc):
    """{container path: host path as written} of a service's bind mounts."""
    return {dst: src for kind, src, dst in map(parse_volume, svc.get("volumes") or [])
            if kind == "bind"}


def load_yaml(ctx, src):
    """A mounted YAML file (its host path as written in the compose file), or None."""
    try:
        with open(os.path.join(ctx.base, src), encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError):
        return None


def metrics_endpoint(doc, ctx):
    """(listen, problem) of the interdict service's metrics.listen, -X options included."""
    svc = doc["services"].get("interdict") or {}
    argv = as_list(svc.get("entrypoint")) + as_list(svc.get("command"))
    if "-c" not in argv or argv.index("-c") + 1 >= len(argv):
        return None, "interdict: runs without -c CONFIG"
    target = argv[argv.index("-c") + 1]
    mounts = binds(svc)
    if target not in mounts:
        return None, None  # reported by check_config
    extra = [a for i, a in enumerate(argv) if a.startswith("-X") or
             (i > 0 and argv[i - 1] == "-X")]
    conf, problem = load_config(ctx, os.path.normpath(os.path.join(ctx.base, mounts[target])),
                                extra)
    return (conf or {}).get("metrics.listen"), problem


def check_prometheus(doc, ctx, prom):
    errs = []
    mounts = binds(prom)
    cfg_path = next((a.split("=", 1)[1] for a in as_list(prom.get("command"))
                     if str(a).startswith("--config.file=")), "/etc/prometheus/prometheus.yml")
    if cfg_path not in mounts:
        return [f"prometheus: its configuration {cfg_path} is not mounted from the repository"]
    pconf = load_yaml(ctx, mounts[cfg_path])
    if not isinstance(pconf, dict) or not pconf.get("scrape_configs"):
        return [f"prometheus: {mounts[cfg_path]} is not a Prometheus configuration with "
                "scrape_configs"]
    for rf in pconf.get("rule_files") or []:
        if rf not in mounts:
            errs.append(f"prometheus: rule file {rf} is not mounted")
    targets = [str(t) for sc in pconf["scrape_configs"] for st in sc.get("static_configs") or []
               for t in st.get("targets") or []]
    listen, problem = metrics_endpoint(doc, ctx)
    if problem:
        return errs + [problem]
    if listen is None:
        return errs
    host, _, port = listen.rpartition(":")
    if listen == "off" or host in ("127.0.0.1", "localhost", "[::1]", "::1"):
        errs.append(f"interdict: metrics.listen is {listen}: Prometheus in its own container "
                    "cannot reach it (use 0.0.0.0:PORT)")
    wanted = {f"{n}:{port}" for n in names_of("interdict", doc["services"]["interdict"])}
    if not wanted & set(targets):
        errs.append(f"prometheus: scrapes {targets}, not the interdict service on port {port}")
    return errs


def check_grafana(doc, ctx, graf):
    errs = []
    mounts = binds(graf)
    ds = [src for dst, src in mounts.items()
          if dst.startswith("/etc/grafana/provisioning/datasources/")]
    dbp = [src for dst, src in mounts.items()
           if dst.startswith("/etc/grafana/provisioning/dashboards/")]
    if not ds:
        errs.append("grafana: no data source provisioned")
    for src in ds:
        urls = [str(d.get("url", "")) for d in (load_yaml(ctx, src) or {}).get("datasources", [])]
        if not any(re.fullmatch(r"https?://prometheus:9090/?", u) for u in urls):
            errs.append(f"grafana: data sources {urls} do not point at the prometheus service")
    if not dbp:
        errs.append("grafana: no dashboard provider provisioned")
    for src in dbp:
        for prov in (load_yaml(ctx, src) or {}).get("providers", []):
            path = str((prov.get("options") or {}).get("path", ""))
            if not any(dst.startswith(path.rstrip("/") + "/") and dst.endswith(".json")
                       for dst in mounts):
                errs.append(f"grafana: no dashboard file is mounted under {path!r}, where its "
                            "provider looks")
    return errs


def check_monitoring(doc, ctx):
    """Prometheus and Grafana behind the monitoring profile, wired to interdict."""
    s = doc["services"]
    errs = [f"no {n!r} service" for n in ("prometheus", "grafana") if n not in s]
    if errs:
        return errs
    for n in ("prometheus", "grafana"):
        if "monitoring" not in (s[n].get("profiles") or []):
            errs.append(f"{n}: not under the 'monitoring' profile")
    return errs + check_prometheus(doc, ctx, s["prometheus"]) + check_grafana(doc, ctx,
                                                                             s["grafana"])


CHECKS = [
    ("images pinned", check_images),
    ("build contexts and Dockerfiles exist", check_builds),
    ("mounted files exist, volumes declared", check_volumes),
    ("depends_on", check_depends),
    ("single-node KRaft Kafka", check_kafka),
    ("interdict config loads and points at Kafka", check_config),
    ("service roles", check_roles),
    ("monitoring: Prometheus scrapes interdict, Grafana reads Prometheus", check_monitoring),
]


def run_checks(doc, ctx, quiet=False):
    problems = []
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict):
        return ["no services: mapping"]
    for title, fn in CHECKS:
        errs = fn(doc, ctx)
        if not quiet:
            print(f"{'ok  ' if not errs else 'FAIL'}  {title}")
            for e in errs:
                print(f"        {e}")
        problems += errs
    return problems


# ---- mutations: every one must be caught ------------------------------------


def env_set(doc, key, value):
    name = next(iter(kafka_services(doc)))
    env = doc["services"][name]["environment"]
    if value is None:
        env.pop(key, None)
    else:
        env[key] = value


MUTATIONS = [
    ("kafka image latest", lambda d: d["services"]["kafka"].update(image="apache/kafka:latest")),
    ("interdict image untagged",
     lambda d: d["services"]["interdict"].update(image="interdict")),
    ("missing build context",
     lambda d: d["services"]["interdict"].update(build={"context": "../no-such-dir"})),
    ("missing Dockerfile", lambda d: d["services"]["interdict"].update(
        build={"context": "..", "dockerfile": "docker/Dockerfile.none"})),
    ("config mount from a missing file", lambda d: d["services"]["interdict"].update(
        volumes=["./missing.conf:/etc/interdict/interdict.conf:ro",
                 "interdict-state:/var/lib/interdict"])),
    ("undeclared named volume", lambda d: d["volumes"].pop("interdict-state")),
    ("depends on a missing service", lambda d: d["services"]["interdict"].update(
        depends_on={"topic": {"condition": "service_completed_successfully"}})),
    ("waits for health without a healthcheck",
     lambda d: d["services"]["kafka"].pop("healthcheck")),
    ("always-on service depends on a profiled one", lambda d: d["services"]["interdict"].update(
        depends_on={"generator": {"condition": "service_started"}})),
    ("offsets topic with 3 replicas",
     lambda d: env_set(d, "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", None)),
    ("transaction log ISR 2", lambda d: env_set(d, "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "2")),
    ("broker only", lambda d: env_set(d, "KAFKA_PROCESS_ROLES", "broker")),
    ("voter on the client port",
     lambda d: env_set(d, "KAFKA_CONTROLLER_QUORUM_VOTERS", "1@kafka:9092")),
    ("voter with another node id",
     lambda d: env_set(d, "KAFKA_CONTROLLER_QUORUM_VOTERS", "2@kafka:9093")),
    ("controller advertised", lambda d: env_set(
        d, "KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://kafka:9092,CONTROLLER://kafka:9093")),
    ("listener without protocol",
     lambda d: env_set(d, "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "PLAINTEXT:PLAINTEXT")),
    ("deprecated KAFKA_PORT", lambda d: env_set(d, "KAFKA_PORT", "9092")),
    ("log dir off the volume", lambda d: env_set(d, "KAFKA_LOG_DIRS", "/tmp/kraft-logs")),
    ("brokers not advertised in-network", lambda d: env_set(
        d, "KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://localhost:9092,HOST://localhost:29092")),
    ("state not on a volume", lambda d: d["services"]["interdict"].update(
        volumes=["./interdict.conf:/etc/interdict/interdict.conf:ro"])),
    ("topics restarts", lambda d: d["services"]["topics"].update(restart="always")),
    ("generator always on", lambda d: d["services"]["generator"].pop("profiles")),
    ("prometheus always on", lambda d: d["services"]["prometheus"].pop("profiles")),
    ("interdict waits for prometheus", lambda d: d["services"]["interdict"].update(
        depends_on={"prometheus": {"condition": "service_started"}})),
    ("prometheus configuration not mounted", lambda d: d["services"]["prometheus"].update(
        volumes=["prometheus-data:/prometheus"])),
    ("alerts not mounted", lambda d: d["services"]["prometheus"]["volumes"].remove(
        "./prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro")),
    ("prometheus configuration is not one", lambda d: d["services"]["prometheus"].update(
        volumes=["./interdict.conf:/etc/prometheus/prometheus.yml:ro"])),
    ("metrics on the loopback", lambda d: d["services"]["interdict"]["command"].extend(
        ["-X", "metrics.listen=127.0.0.1:9464"])),
    ("metrics on another port", lambda d: d["services"]["interdict"]["command"].extend(
        ["-X", "metrics.listen=0.0.0.0:9465"])),
    ("grafana dashboard not mounted", lambda d: d["services"]["grafana"]["volumes"].remove(
        "./grafana/dashboard.json:/etc/grafana/dashboards/interdict.json:ro")),
    ("grafana without a data source", lambda d: d["services"]["grafana"]["volumes"].remove(
        "./grafana/provisioning/datasources.yml:/etc/grafana/provisioning/datasources/"
        "interdict.yml:ro")),
]


def run_mutations(doc, ctx):
    missed = []
    if run_checks(doc, ctx, quiet=True):
        print("FAIL  the unmutated file does not pass; run without --mutations")
        return 1
    for title, mutate in MUTATIONS:
        d = copy.deepcopy(doc)
        mutate(d)
        errs = run_checks(d, ctx, quiet=True)
        print(f"{'ok  ' if errs else 'FAIL'}  caught: {title}" +
              (f"  ({errs[0]})" if errs else "  (no check noticed)"))
        if not errs:
            missed.append(title)
    return 1 if missed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True, help="repository root")
    ap.add_argument("--compose", help="compose file (default ROOT/docker/compose.yaml)")
    ap.add_argument("--interdict", default=os.environ.get("INTERDICT_BIN"),
                    help="interdict binary (default $INTERDICT_BIN)")
    ap.add_argument("--mutations", action="store_true",
                    help="check that broken copies of the file are caught")
    a = ap.parse_args()
    ctx = Ctx(a.root, a.compose or os.path.join(a.root, "docker", "compose.yaml"), a.interdict)
    try:
        with open(ctx.compose_path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        print(f"check_compose: {e}", file=sys.stderr)
        return 2
    if a.mutations:
        return run_mutations(doc, ctx)
    print(f"checking {os.path.relpath(ctx.compose_path, ctx.root)}")
    return 1 if run_checks(doc, ctx) else 0


if __name__ == "__main__":
    sys.exit(main())
