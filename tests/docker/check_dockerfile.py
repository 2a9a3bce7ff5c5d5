#!/usr/bin/env python3
"""check_dockerfile.py - checks docker/Dockerfile without a Docker engine.

hadolint is not packaged in Debian bookworm (`apt-cache policy hadolint` finds
nothing), so this does the checks that matter here itself, and runs hadolint
too when one happens to be on the PATH.

  structure  the stages: pinned Debian bases, a Release build, a runtime
             stage with no -dev packages, a non-root user, the state volume,
             exec-form ENTRYPOINT and CMD; every COPY source exists and is not
             excluded by the root .dockerignore, which does keep build trees,
             the test broker and .git out of the context.
  packages   every package the Dockerfile installs exists in Debian bookworm
             (apt-cache show, from the local package lists: no network), and
             the shared libraries the built interdict links (ldd) all belong
             (dpkg -S) to the runtime packages or their dependencies, and
             every runtime package is needed. Exits 77 (skipped) where that
             cannot be known: not Debian bookworm, no dpkg or apt-cache, no
             package lists.

Exit status: 0 pass, 1 a check failed, 2 usage error, 77 skipped.
"""

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys

SKIP = 77
SANITIZER_RUNTIMES = ("libasan.so", "libubsan.so", "liblsan.so", "libtsan.so")
# Paths the CMake build reads: excluding any of them breaks the image build.
CONTEXT_NEEDS = ["CMakeLists.txt", "src/main.c", "bench/CMakeLists.txt", "docker/interdict.conf"]
# What the context must not carry.
CONTEXT_EXCLUDES = [".git/HEAD", ".kafka/dist", "build/CMakeCache.txt", "build-asan/interdict"]


# ---- parsing ----------------------------------------------------------------


def instructions(text):
    """[(line, INSTRUCTION, arguments)] with continuations joined, comments dropped."""
    out, buf, start = [], "", 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if buf and line.lstrip().startswith("#"):
            continue  # comment lines inside a continued instruction
        if not buf:
            start = n
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        word, _, rest = buf.strip().partition(" ")
        out.append((start, word.upper(), rest.strip()))
        buf = ""
    return out


def stages(text):
    """[{'base', 'alias', 'line', 'ins': [...]}] in order."""
    result = []
    for line, ins, args in instructions(text):
        if ins == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            result.append({"base": words[0], "alias": alias, "line": line, "ins": []})
        elif result:
            result[-1]["ins"].append((line, ins, args))
    return result


def apt_packages(stage):
    """Packages named by `apt-get install` in a stage's RUN instructions."""
    pkgs = []
    for _, ins, args in stage["ins"]:
        if ins != "RUN":
            continue
        for cmd in re.split(r"&&|;|\|\|", args):
            words = shlex.split(cmd)
            if len(words) >= 2 and words[0] == "apt-get" and "install" in words:
                after = words[words.index("install") + 1:]
                pkgs += [w for w in after if not w.startswith("-")]
    return pkgs


def exec_form(args):
    return args.startswith("[") and args.endswith("]")


def dockerignore_patterns(root):
    path = os.path.join(root, ".dockerignore")
    if not os.path.isfile(path):
        return None
    pats = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                pats.append(line)
    return pats


def pattern_regex(pat):
    """A .dockerignore pattern (Go filepath.Match plus **) as a regex."""
    pat = pat.strip("/")
    out, i = "", 0
    while i < len(pat):
        if pat.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pat.startswith("**", i):
            out += ".*"
            i += 2
        elif pat[i] == "*":
            out += "[^/]*"
            i += 1
        elif pat[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pat[i])
            i += 1
    return re.compile(out + r"\Z")


def ignored(pats, path):
    """Whether .dockerignore keeps path (or a folder above it) out of the context;
    later '!' patterns re-include, as Docker does."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    result = False
    for pat in pats:
        neg = pat.startswith("!")
        rx = pattern_regex(pat[1:] if neg else pat)
        if any(rx.match(p) for p in prefixes):
            result = not neg
    return result


# ---- structure ----------------------------------------------------------------


def check_structure(root, dockerfile):
    errs = []
    with open(dockerfile, encoding="utf-8") as f:
        st = stages(f.read())
    if len(st) < 2:
        return ["expected a build stage and a runtime stage"]
    aliases = set()
    for s in st:
        base = s["base"]
        name, _, tag = base.partition(":")
        if "$" in base or "@" not in base and (not tag or tag == "latest"):
            errs.append(f"line {s['line']}: FROM {base} is not pinned to a tag or digest")
        if s["alias"]:
            aliases.add(s["alias"])
    build, runtime = st[0], st[-1]
    if build["base"] != "debian:bookworm":
        errs.append(f"build stage on {build['base']}, not debian:bookworm")
    if runtime["base"] != "debian:bookworm-slim":
        errs.append(f"runtime stage on {runtime['base']}, not debian:bookworm-slim")
    runs = " ".join(a for _, i, a in build["ins"] if i == "RUN")
    if "-DCMAKE_BUILD_TYPE=Release" not in runs:
        errs.append("the build stage does not configure a Release build")

    dev = [p for p in apt_packages(runtime) if p.endswith("-dev")]
    if dev:
        errs.append(f"runtime stage installs build packages: {' '.join(dev)}")
    if not apt_packages(runtime):
        errs.append("runtime stage installs no packages: the shared libraries are missing")

    ins = {}
    for line, i, a in runtime["ins"]:
        ins.setdefault(i, []).append((line, a))
    user = ins.get("USER", [(0, "root")])[-1][1].split(":")[0]
    if user in ("root", "0"):
        errs.append("the runtime stage runs as root: add a USER")
    elif not user.isdigit():
        created = " ".join(a for _, a in ins.get("RUN", []))
        if not re.search(rf"useradd\b.*--uid\s+10001\b.*\b{re.escape(user)}\b", created):
            errs.append(f"USER {user} is not created with uid 10001")
    volumes = " ".join(a for _, a in ins.get("VOLUME", []))
    if "/var/lib/interdict" not in volumes:
        errs.append("no VOLUME for the state directory /var/lib/interdict")
    for what in ("ENTRYPOINT", "CMD"):
        if what not in ins:
            errs.append(f"runtime stage has no {what}")
        elif not exec_form(ins[what][-1][1]):
            errs.append(f"{what} is in shell form: signals would go to /bin/sh, not interdict")

    pats = dockerignore_patterns(root)
    if pats is None:
        errs.append(".dockerignore missing at the repository root (the build context)")
        pats = []
    for s in st:
        for line, i, a in s["ins"]:
            if i not in ("COPY", "ADD"):
                continue
            words = shlex.split(a)
            frm = [w.split("=", 1)[1] for w in words if w.startswith("--from=")]
            paths = [w for w in words if not w.startswith("--")]
            if frm:
                if frm[0] not in aliases:
                    errs.append(f"line {line}: COPY --from={frm[0]} names no earlier stage")
                continue
            for src in paths[:-1]:
                if src == ".":
                    continue
                if not os.path.exists(os.path.join(root, src)):
                    errs.append(f"line {line}: COPY source {src} does not exist")
                elif ignored(pats, src.rstrip("/")):
                    errs.append(f"line {line}: COPY source {src} is excluded by .dockerignore")
    for need in CONTEXT_NEEDS:
        if ignored(pats, need):
            errs.append(f".dockerignore excludes {need}, which the build needs")
    for junk in CONTEXT_EXCLUDES:
        if not ignored(pats, junk):
            errs.append(f".dockerignore lets {junk} into the build context")

    if shutil.which("hadolint"):
        # DL3008 asks to pin apt package versions: Debian point releases
        # replace them, which would break the build; the versions are pinned
        # by release (bookworm) instead.
        p = subprocess.run(["hadolint", "--ignore", "DL3008", dockerfile],
                           capture_output=True, text=True, check=False)
        if p.returncode != 0:
            errs.append("hadolint: " + (p.stdout + p.stderr).strip())
        else:
            print("ok    hadolint")
    else:
        print("note  hadolint not installed (not packaged in Debian bookworm); skipped")
    return errs


# ---- packages -----------------------------------------------------------------


def run(argv):
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def os_codename():
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            for line in f:
                if line.startswith("VERSION_CODENAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return ""


def candidates(path):
    """The spellings dpkg may have recorded for a library path (/usr-merge)."""
    out = []
    for p in (path, os.path.realpath(path)):
        for c in (p, p[4:] if p.startswith("/usr/") else "/usr" + p):
            if c not in out:
                out.append(c)
    return out


def owners(paths):
    """{path: Debian package} for library paths, in one dpkg query."""
    cands = {p: candidates(p) for p in paths}
    flat = sorted({c for cs in cands.values() for c in cs})
    found = {}
    # dpkg -S fails when any path is unknown but still prints the known ones.
    for line in run(["dpkg", "-S"] + flat).stdout.splitlines():
        pkg, sep, path = line.rpartition(": ")
        if sep:
            found[path.strip()] = pkg.split(":")[0].split(",")[0].strip()
    return {p: next((found[c] for c in cs if c in found), None) for p, cs in cands.items()}


def linked_libraries(binary):
    """[(soname, path)] from ldd, without the vDSO."""
    p = run(["ldd", binary])
    if p.returncode != 0:
        raise RuntimeError(f"ldd {binary}: {p.stderr.strip() or p.stdout.strip()}")
    libs = []
    for line in p.stdout.splitlines():
        if "=> not found" in line:
            raise RuntimeError(f"ldd {binary}: {line.strip()}")
        m = re.match(r"\s*(\S+)\s+=>\s+(/\S+)\s+\(", line)
        if m:
            libs.append((m.group(1), m.group(2)))
            continue
        m = re.match(r"\s*(/\S+)\s+\(", line)  # the dynamic loader
        if m:
            libs.append((os.path.basename(m.group(1)), m.group(1)))
    return libs


def closure(pkgs):
    p = run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
             "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"] + pkgs)
    return {line.strip().strip("<>").split(":")[0] for line in p.stdout.splitlines()
            if line and not line.startswith(" ")}


def check_packages(dockerfile, binary):
    if os_codename() != "bookworm":
        print(f"skipped: this machine is not Debian bookworm ({os_codename() or 'unknown'}), "
              "so its package lists cannot speak for the image")
        return SKIP
    for tool in ("apt-cache", "dpkg", "ldd"):
        if not shutil.which(tool):
            print(f"skipped: {tool} not found")
            return SKIP
    if run(["apt-cache", "show", "libc6"]).returncode != 0:
        print("skipped: no package lists (run apt-get update)")
        return SKIP
    with open(dockerfile, encoding="utf-8") as f:
        st = stages(f.read())
    errs = []
    runtime = apt_packages(st[-1])
    wanted = [pkg for s in st for pkg in apt_packages(s)]
    # One query (apt-cache is slow to start); unknown names are simply absent.
    out = run(["apt-cache", "show", "--no-all-versions"] + wanted).stdout
    versions = dict(re.findall(r"^Package: (\S+)\n(?:.*\n)*?Version: (\S+)$", out, re.M))
    for pkg in wanted:
        if pkg not in versions:
            errs.append(f"{pkg}: not in the bookworm package lists")
        else:
            print(f"ok    {pkg} {versions[pkg]}")

    if not binary or not os.access(binary, os.X_OK):
        errs.append(f"interdict binary {binary!r} not found (set INTERDICT_BIN)")
        return report(errs)
    allowed = closure(runtime)
    sanitized, used = False, set()
    try:
        libs = linked_libraries(binary)
    except RuntimeError as e:
        return report(errs + [str(e)])
    pkgs = owners([path for _, path in libs])
    for soname, path in libs:
        if soname.startswith(SANITIZER_RUNTIMES):
            sanitized = True
            print(f"note  {soname}: sanitizer runtime of this build, not of the image")
            continue
        pkg = pkgs[path]
        if pkg is None:
            errs.append(f"{soname} ({path}) belongs to no Debian package")
        elif pkg not in allowed:
            errs.append(f"{soname} comes from {pkg}, which the runtime packages do not bring")
        else:
            print(f"ok    {soname} <- {pkg}")
            used.add(pkg)
    for pkg in runtime:
        if pkg not in used:
            if sanitized:
                print(f"note  {pkg}: not linked by this sanitizer build (jemalloc is left "
                      "out under the sanitizers); the Release build links it")
            else:
                errs.append(f"{pkg} is installed in the image but interdict links nothing "
                            "from it")
    return report(errs)


def report(errs):
    for e in errs:
        print(f"FAIL  {e}")
    return 1 if errs else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["structure", "packages"])
    ap.add_argument("--root", required=True, help="repository root (the build context)")
    ap.add_argument("--interdict", default=os.environ.get("INTERDICT_BIN"),
                    help="built interdict binary (default $INTERDICT_BIN)")
    a = ap.parse_args()
    root = os.path.realpath(a.root)
    dockerfile = os.path.join(root, "docker", "Dockerfile")
    if not os.path.isfile(dockerfile):
        print(f"check_dockerfile: {dockerfile} not found", file=sys.stderr)
        return 2
    if a.mode == "structure":
        errs = check_structure(root, dockerfile)
        if not errs:
            print("ok    stages, user, volume, entrypoint, COPY sources, .dockerignore")
        return report(errs)
    return check_packages(dockerfile, a.interdict)


if __name__ == "__main__":
    sys.exit(main())
