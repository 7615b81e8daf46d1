#!/usr/bin/env python3
"""Time pylock against pip on the shared corpus, served as a real local index.

For every resolvelib case (and the bundled seed index) this builds an index
with ../shared/bench/pyindex.py, serves it on 127.0.0.1 with optional latency,
and runs:
  * pylock cold  (empty cache directory),
  * pylock warm  (same cache directory, second run),
  * pip 23.x     (../shared/bench/pip_resolve.py, only with --pip; otherwise
                  pip's recorded result from ../shared/bench/results is shown).
It prints a Markdown table (and writes JSON with --json). Standard library only.

    go build -o /tmp/pylock ./cmd/pylock
    python3 bench/compare.py --pylock /tmp/pylock --latency-ms 20 [--pip] [--only chalice]
"""
import argparse, json, os, re, shutil, signal, subprocess, sys, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.environ.get("PYLOCK_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
BENCH = os.path.join(SHARED, "bench")
CORPUS = os.path.join(SHARED, "corpus")


def serve(index_dir, latency):
    cmd = [sys.executable, os.path.join(BENCH, "pyindex.py"), "serve", index_dir, "--port", "0"]
    if latency:
        cmd += ["--latency-ms", str(latency)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    m = re.search(r"port=(\d+)", line)
    if not m:
        p.kill()
        raise SystemExit("pyindex serve did not report a port: %r" % line)
    return p, "http://127.0.0.1:%s" % m.group(1)


def stats(base, reset=False):
    with urllib.request.urlopen(base + ("/_stats/reset" if reset else "/_stats")) as r:
        return json.load(r)


def build(sources, out):
    if os.path.isdir(out):
        return out
    subprocess.run([sys.executable, os.path.join(BENCH, "pyindex.py"), "build", *sources, "--out", out],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def run_pylock(pylock, base, reqs, cache, work, python):
    req = os.path.join(work, "requirements.txt")
    with open(req, "w") as f:
        f.write("\n".join(reqs) + "\n")
    out = os.path.join(work, "pylock.toml")
    cmd = [pylock, "resolve", req, "--index-url", base + "/simple/", "--python-version", python,
           "--python-platform", "x86_64-manylinux_2_28", "-o", out, "--cache-dir", cache, "--no-progress"]
    stats(base, reset=True)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    dt = time.perf_counter() - t0
    s = stats(base)
    return {"seconds": dt, "exit": p.returncode, "requests": s["requests"],
            "summary": (p.stderr.strip().splitlines() or [""])[-1]}


def run_pip(base, reqs):
    cmd = [sys.executable, os.path.join(BENCH, "pip_resolve.py"), "--index-url", base + "/simple/",
           "--timeout", "120", *reqs]
    stats(base, reset=True)
    p = subprocess.run(cmd, capture_output=True, text=True)
    r = json.loads(p.stdout or "{}")
    return {"seconds": r.get("seconds"), "ok": r.get("ok"), "requests": stats(base)["requests"],
            "timed_out": r.get("timed_out")}


def recorded_pip():
    path = os.path.join(BENCH, "results", "run_peers-auto.json")
    try:
        rows = json.load(open(path))
    except (OSError, ValueError):
        return {}
    rows = rows.get("rows", rows) if isinstance(rows, dict) else rows
    out = {}
    for r in rows if isinstance(rows, list) else []:
        name = r.get("case") or r.get("name")
        if name:
            out[name] = r
    return out


def cases(only):
    seed = os.path.join(ROOT, "examples", "webapp", "requirements.txt")
    if not only or re.search(only, "seed-stack"):
        reqs = [l.split("#")[0].strip() for l in open(seed)]
        yield "seed-stack", None, [r for r in reqs if r]
    cdir = os.path.join(CORPUS, "resolvelib", "case")
    for fn in sorted(os.listdir(cdir)):
        c = json.load(open(os.path.join(cdir, fn)))
        name = fn[:-5]
        if only and not re.search(only, name):
            continue
        src = os.path.join(CORPUS, "resolvelib", "index", c["index"] + ".json")
        yield name, ["resolvelib:" + src], c["requested"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pylock", default=os.path.join(ROOT, "pylock"))
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--python", default="3.11")
    ap.add_argument("--pip", action="store_true", help="run pip live (slow) instead of showing recorded results")
    ap.add_argument("--only")
    ap.add_argument("--json")
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "pylock-bench-indexes"))
    a = ap.parse_args()
    os.makedirs(a.cache, exist_ok=True)
    rec = recorded_pip()
    rows = []
    for name, sources, reqs in cases(a.only):
        # The seed stack is served from the bundled index; pip runs live on it.
        idx = os.path.join(ROOT, "testdata", "index") if sources is None else build(sources, os.path.join(a.cache, name))
        srv, base = serve(idx, a.latency_ms)
        work = tempfile.mkdtemp(prefix="pylock-bench-")
        try:
            cache = os.path.join(work, "cache")
            cold = run_pylock(a.pylock, base, reqs, cache, work, a.python)
            warm = run_pylock(a.pylock, base, reqs, cache, work, a.python)
            pip = run_pip(base, reqs) if a.pip or sources is None else None
        finally:
            srv.send_signal(signal.SIGTERM)
            srv.wait()
            shutil.rmtree(work, ignore_errors=True)
        r = rec.get("resolvelib/" + name, {})
        rp = r.get("pip", {})
        result = "timeout" if rp.get("timed_out") else ("ok" if rp.get("ok") else rp.get("error_kind", "?"))
        rows.append({"case": name, "cold": cold, "warm": warm, "pip": pip,
                     "pip_recorded": {"seconds": r.get("pip_seconds"), "result": "%s, match=%s" % (result, r.get("match"))}})
    print("| case | pylock exit | pylock cold s | cold requests | pylock warm s | warm requests | pip s | pip result |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        if r["pip"]:
            ps, pr = r["pip"]["seconds"], ("timeout" if r["pip"]["timed_out"] else ("ok" if r["pip"]["ok"] else "fail"))
        else:
            ps, pr = r["pip_recorded"]["seconds"], "%s (recorded)" % r["pip_recorded"]["result"]
        print("| %s | %d | %.2f | %d | %.2f | %d | %s | %s |" % (
            r["case"], r["cold"]["exit"], r["cold"]["seconds"], r["cold"]["requests"],
            r["warm"]["seconds"], r["warm"]["requests"], "%.2f" % ps if isinstance(ps, (int, float)) else "-", pr))
    if a.json:
        json.dump(rows, open(a.json, "w"), indent=2)


if __name__ == "__main__":
    main()
