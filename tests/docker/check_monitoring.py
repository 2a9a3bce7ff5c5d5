#!/usr/bin/env python3
"""check_monitoring.py - the alerts and the dashboard use only documented metrics.

docker/prometheus/alerts.yml and docker/grafana/dashboard.json are read and
every PromQL expression in them is checked against docs/metrics.md, whose
table tests/unit/test_metrics.c checks against what interdict exports:

  - every identifier starting with interdict_ is a documented metric, or a
    documented histogram with its _bucket, _sum or _count suffix;
  - every label an expression groups by or matches on (other than le, job,
    instance) is a documented label of a metric in that expression;
  - every alert has a name, an expression, a duration, a severity and a
    summary; every dashboard query uses the provisioned data source;
  - with promtool on the PATH (Debian: prometheus), the alerts and the
    dashboard's queries parse as Prometheus rules, and prometheus.yml as a
    configuration; without it that part is skipped.

Then it breaks copies of the inputs in known ways (an undocumented metric, a
counter's _bucket, a misspelt label, a missing severity, another data
source) and fails unless every breakage is caught.

Exit status: 0 pass, 1 a check failed, 2 usage or setup error.
"""

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the machine
    print("check_monitoring: PyYAML is missing (Debian: python3-yaml)", file=sys.stderr)
    sys.exit(2)

HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
IMPLICIT_LABELS = {"le", "job", "instance"}
NAME_RE = re.compile(r"(?<![A-Za-z0-9_:])(interdict_[A-Za-z0-9_]+)")


def documented(path):
    """{metric: (type, {labels})} from the tables of docs/metrics.md."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 4 or not re.fullmatch(r"`interdict_[a-z0-9_]+`", cells[0]):
                continue
            labels = set(re.findall(r"`([a-z_]+)`\s*=", cells[2]))
            out[cells[0].strip("`")] = (cells[1], labels)
    return out


def strip_strings(expr):
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)


def labels_used(expr):
    """Label names in by (...) / without (...) / on (...) and in {...} matchers."""
    e = strip_strings(expr)
    names = set()
    for group in re.findall(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)", e):
        names |= {n.strip() for n in group.split(",") if n.strip()}
    for body in re.findall(r"\{([^}]*)\}", e):
        names |= set(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)", body))
    return names


def check_expr(where, expr, docs):
    errs = []
    found = set()
    for name in NAME_RE.findall(strip_strings(expr)):
        if name in docs:
            found.add(name)
            continue
        base = next((name[:-len(s)] for s in HISTOGRAM_SUFFIXES if name.endswith(s)), None)
        if base in docs and docs[base][0] == "histogram":
            found.add(base)
        elif base in docs:
            errs.append(f"{where}: {name}: {base} is a {docs[base][0]}, not a histogram")
        else:
            errs.append(f"{where}: {name} is not documented in docs/metrics.md")
    known = set().union(*(docs[n][1] for n in found)) if found else set()
    for label in sorted(labels_used(expr) - IMPLICIT_LABELS - known):
        errs.append(f"{where}: label {label!r} is not a label of {sorted(found) or 'any metric'}")
    return errs


def alert_exprs(alerts):
    out = []
    for g in (alerts or {}).get("groups") or []:
        for r in g.get("rules") or []:
            out.append((f"alerts.yml {r.get('alert') or r.get('record')}", r))
    return out


def dashboard_targets(dash):
    """(where, target) for every query, panels in rows included."""
    out = []

    def walk(panels):
        for p in panels or []:
            for t in p.get("targets") or []:
                out.append((f"dashboard.json panel {p.get('title')!r} {t.get('refId')}", p, t))
            walk(p.get("panels"))

    walk((dash or {}).get("panels"))
    return out


def check_all(alerts, dash, docs, ds_uid):
    errs = []
    rules = alert_exprs(alerts)
    if not rules:
        errs.append("alerts.yml: no rules")
    for where, r in rules:
        if "alert" in r:
            for key in ("expr", "for"):
                if not r.get(key):
                    errs.append(f"{where}: no {key}")
            if not (r.get("labels") or {}).get("severity"):
                errs.append(f"{where}: no severity label")
            if not (r.get("annotations") or {}).get("summary"):
                errs.append(f"{where}: no summary annotation")
        errs += check_expr(where, str(r.get("expr", "")), docs)
    targets = dashboard_targets(dash)
    if not targets:
        errs.append("dashboard.json: no queries")
    for where, panel, t in targets:
        if not t.get("expr"):
            errs.append(f"{where}: no expr")
        errs += check_expr(where, str(t.get("expr", "")), docs)
        for ds in (panel.get("datasource"), t.get("datasource")):
            if ds is not None and (ds or {}).get("uid") != ds_uid:
                errs.append(f"{where}: data source {ds} is not the provisioned {ds_uid!r}")
    return errs


def promtool(root, alerts, dash):
    """Problems promtool finds, or None when it is not installed."""
    tool = shutil.which("promtool")
    if not tool:
        return None
    errs = []
    with tempfile.TemporaryDirectory() as tmp:
        rules = copy.deepcopy(alerts)
        rules["groups"].append({"name": "dashboard", "rules": [
            {"record": f"dashboard:query_{i}", "expr": t["expr"]}
            for i, (_, _, t) in enumerate(dashboard_targets(dash))]})
        rules_path = os.path.join(tmp, "rules.yml")
        with open(rules_path, "w", encoding="utf-8") as f:
            yaml.safe_dump(rules, f)
        p = subprocess.run([tool, "check", "rules", rules_path], capture_output=True, text=True,
                           check=False)
        if p.returncode != 0:
            errs.append("promtool check rules: " + (p.stdout + p.stderr).strip())
        with open(os.path.join(root, "docker", "prometheus", "prometheus.yml"),
                  encoding="utf-8") as f:
            conf = yaml.safe_load(f)
        # The rule files are container paths; point them at the checked copy.
        conf["rule_files"] = [rules_path]
        conf_path = os.path.join(tmp, "prometheus.yml")
        with open(conf_path, "w", encoding="utf-8") as f:
            yaml.safe_dump(conf, f)
        p = subprocess.run([tool, "check", "config", conf_path], capture_output=True, text=True,
                           check=False)
        if p.returncode != 0:
            errs.append("promtool check config: " + (p.stdout + p.stderr).strip())
    return errs


# ---- mutations: every one must be caught ------------------------------------


def first_alert(a):
    return a["groups"][0]["rules"][1]


def first_target(d):
    return d["panels"][0]["targets"][0]


MUTATIONS = [
    ("undocumented metric in an alert",
     lambda a, d: first_alert(a).update(expr="interdict_consumer_lag_total > 0")),
    ("undocumented metric on the dashboard",
     lambda a, d: first_target(d).update(expr="sum(rate(interdict_transfers_total[1m]))")),
    ("a counter's _bucket", lambda a, d: first_target(d).update(
        expr="histogram_quantile(0.99, rate(interdict_checkpoints_total_bucket[5m]))")),
    ("misspelt label", lambda a, d: first_target(d).update(
        expr="sum by (reasons) (rate(interdict_deadletters_total[5m]))")),
    ("label of another metric", lambda a, d: first_target(d).update(
        expr='rate(interdict_freeze_requests_total{reason="x"}[5m])')),
    ("alert without severity", lambda a, d: first_alert(a).update(labels={})),
    ("alert without duration", lambda a, d: first_alert(a).pop("for")),
    ("query on another data source",
     lambda a, d: d["panels"][1].update(datasource={"type": "prometheus", "uid": "other"})),
    ("no queries", lambda a, d: d.update(panels=[])),
]


def run_mutations(alerts, dash, docs, ds_uid):
    missed = []
    for title, mutate in MUTATIONS:
        a, d = copy.deepcopy(alerts), copy.deepcopy(dash)
        mutate(a, d)
        errs = check_all(a, d, docs, ds_uid)
        print(f"{'ok  ' if errs else 'FAIL'}  caught: {title}" +
              (f"  ({errs[0]})" if errs else "  (no check noticed)"))
        if not errs:
            missed.append(title)
    return missed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True, help="repository root")
    a = ap.parse_args()
    root = os.path.realpath(a.root)
    try:
        docs = documented(os.path.join(root, "docs", "metrics.md"))
        with open(os.path.join(root, "docker", "prometheus", "alerts.yml"), encoding="utf-8") as f:
            alerts = yaml.safe_load(f)
        with open(os.path.join(root, "docker", "grafana", "dashboard.json"),
                  encoding="utf-8") as f:
            dash = json.load(f)
        with open(os.path.join(root, "docker", "grafana", "provisioning", "datasources.yml"),
                  encoding="utf-8") as f:
            ds_uid = yaml.safe_load(f)["datasources"][0]["uid"]
    except (OSError, ValueError, KeyError, IndexError, yaml.YAMLError) as e:
        print(f"check_monitoring: {e}", file=sys.stderr)
        return 2
    if not docs:
        print("check_monitoring: no metrics found in docs/metrics.md", file=sys.stderr)
        return 2
    errs = check_all(alerts, dash, docs, ds_uid)
    used = {n for _, r in alert_exprs(alerts) for n in NAME_RE.findall(str(r.get("expr", "")))}
    used |= {n for _, _, t in dashboard_targets(dash) for n in NAME_RE.findall(t.get("expr", ""))}
    print(f"{'ok  ' if not errs else 'FAIL'}  {len(used)} metric names in "
          f"{len(alert_exprs(alerts))} alerts and {len(dashboard_targets(dash))} dashboard "
          f"queries, all in docs/metrics.md ({len(docs)} documented)")
    pt = promtool(root, alerts, dash)
    if pt is None:
        print("note  promtool not installed (Debian: prometheus); PromQL syntax not checked")
    else:
        print(f"{'ok  ' if not pt else 'FAIL'}  promtool check rules and check config")
        errs += pt
    for e in errs:
        print(f"        {e}")
    missed = run_mutations(alerts, dash, docs, ds_uid)
    return 1 if errs or missed else 0


if __name__ == "__main__":
    sys.exit(main())
