#!/usr/bin/env python3
"""Time pylock against pip on the shared corpus, served as a real local index.

For every resolvelib case (and the bundled seed index) this builds an index
with ../shared/bench/pyindex.py, serves it on 127.0.0.1 with optional latency,
and runs:
  * pylock cold  (empty cache directory),
  * pylock warm  (same cache directory, the index answering, the previous
                  lock in place as when a user re-runs resolve; --warm-repeat
                  runs after each cold run), --offline warm, and warm without
                  a previous lock (no preferred pins, a new lock written),
  * pip 23.x     (../shared/bench/pip_resolve.py, only with --pip: --repeat
                  cold runs and --repeat warm runs after one that fills its
                  cache, medians; otherwise pip's recorded result from
                  ../shared/bench/results is shown).
Per case it reports pylock's and pip's cold and warm times and requests, the
network floor (the lock's dependency depth x 2 requests (page, metadata) x
latency: no resolver can finish sooner on a cold cache) with pylock's cold
ratio to it, and pylock's peak RSS. With --replay (a bench/replay binary)
it also times, after each cold run on the same server, a client that knew
the lock in advance (the pages and locked wheels' metadata breadth first,
nothing else: the floor this server allows, its own work per request
included) and reports pylock's cold ratio to that. It prints a Markdown table (and writes
JSON with --json). pylock runs from a copy written with write(2), as
installed (installed.py: a binary just linked runs slower until the page
cache drops it). Standard library only.

    CGO_ENABLED=0 go build -o /tmp/pylock ./cmd/pylock
    go build -o /tmp/replay ./bench/replay
    python3 bench/compare.py --pylock /tmp/pylock --latency-ms 20 [--pip] [--replay /tmp/replay] [--only chalice] [--repeat 3]
"""
import argparse, json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, time, tomllib, urllib.request

from installed import installed_copy

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


def settled_stats(base, latency_ms):
    """The counters once requests a finished run left in flight (abandoned
    guesses, answered after the latency) are counted: they belong to that
    run, not to the next one."""
    wait = max(0.05, 3 * latency_ms / 1000)
    s = stats(base)
    while True:
        time.sleep(wait)
        t = stats(base)
        if t["requests"] == s["requests"]:
            return t
        s = t


def build(sources, out):
    if os.path.isdir(out):
        return out
    subprocess.run([sys.executable, os.path.join(BENCH, "pyindex.py"), "build", *sources, "--out", out],
                   check=True, stdout=subprocess.DEVNULL)
    return out


def run_pylock(pylock, base, reqs, cache, work, python, latency_ms, offline=False, fresh=False):
    req = os.path.join(work, "requirements.txt")
    with open(req, "w") as f:
        f.write("\n".join(reqs) + "\n")
    out = os.path.join(work, "pylock.toml")
    if fresh and os.path.exists(out):
        # A cold run starts from nothing: the previous run's lock would be
        # read as preferred pins and spare the cold run its backtracking.
        os.remove(out)
    cmd = [pylock, "resolve", req, "--index-url", base + "/simple/", "--python-version", python,
           "--python-platform", "x86_64-manylinux_2_28", "-o", out, "--cache-dir", cache, "--no-progress"]
    if offline:
        cmd.append("--offline")
    stats(base, reset=True)
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    s = settled_stats(base, latency_ms)
    return {"seconds": dt, "exit": p.returncode, "requests": s["requests"], "rss_mb": ru.ru_maxrss / 1024,
            "depth": lock_depth(out) if p.returncode == 0 else None,
            "summary": (err.strip().splitlines() or [""])[-1]}


def lock_depth(path):
    """The longest chain of dependencies from the roots in a pylock.toml."""
    try:
        lock = tomllib.load(open(path, "rb"))
    except (OSError, ValueError):
        return None
    deps = {p["name"]: [d["name"] for d in p.get("dependencies", [])] for p in lock.get("packages", [])}
    roots = {r.split(";")[0].split("[")[0].split("=")[0].split("<")[0].split(">")[0].split("!")[0].split("~")[0].strip().lower()
             for r in lock.get("tool", {}).get("pylock", {}).get("requirements", [])}
    memo = {}

    def depth(n, seen=()):
        if n in memo:
            return memo[n]
        if n in seen:
            return 0
        d = 1 + max((depth(c, seen + (n,)) for c in deps.get(n, [])), default=0)
        memo[n] = d
        return d
    norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
    roots = {norm(r) for r in roots} & set(deps) or set(deps)
    return max((depth(r) for r in roots), default=0)


def oracle_plan(replay, lock_path, plan_path):
    """Writes the plan of a client that knew the lock in advance (bench/replay
    -lock: the pages and locked wheels' metadata breadth first from your
    requirements, nothing speculative, no version walked) and returns its
    number of requests, or None when the lock cannot be replayed."""
    p = subprocess.run([replay, "-lock", lock_path, "-print-plan"], capture_output=True, text=True)
    if p.returncode != 0:
        print("oracle: %s" % p.stderr.strip(), file=sys.stderr)
        return None
    with open(plan_path, "w") as f:
        f.write(p.stdout)
    return sum(1 for l in p.stdout.splitlines() if l.strip())


def run_replay(replay, base, plan):
    """Times one bench/replay run of plan, spawned as pylock is."""
    t0 = time.perf_counter()
    p = subprocess.run([replay, "-child", "-index-url", base, "-plan", plan], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit("replay failed: %s" % p.stderr.strip())
    return dt


def run_pip(base, reqs, cache_dir=None):
    cmd = [sys.executable, os.path.join(BENCH, "pip_resolve.py"), "--index-url", base + "/simple/",
           "--timeout", "120", *reqs]
    if cache_dir:
        cmd[2:2] = ["--cache-dir", cache_dir]
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
        yield "seed-stack", None, [r for r in reqs if r], True
    cdir = os.path.join(CORPUS, "resolvelib", "case")
    for fn in sorted(os.listdir(cdir)):
        c = json.load(open(os.path.join(cdir, fn)))
        name = fn[:-5]
        if only and not re.search(only, name):
            continue
        src = os.path.join(CORPUS, "resolvelib", "index", c["index"] + ".json")
        yield name, ["resolvelib:" + src], c["requested"], "conflicted" not in c


def median_pip(runs):
    """The pip run with the median time (a timed-out run counts as slowest)."""
    return sorted(runs, key=lambda r: r["seconds"] if r["seconds"] is not None else float("inf"))[len(runs) // 2]


def median_run(runs):
    """The run with the median time (its other figures travel with it)."""
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pylock", default=os.path.join(ROOT, "pylock"))
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--python", default="3.11")
    ap.add_argument("--pip", action="store_true", help="run pip live, cold and warm (slow), instead of showing recorded results")
    ap.add_argument("--only")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement; the median is reported")
    ap.add_argument("--warm-repeat", type=int, default=5,
                    help="warm and offline runs after each cold run (a warm run takes milliseconds, so one run is mostly noise); the median is reported")
    ap.add_argument("--replay", help="a bench/replay binary (go build -o /tmp/replay ./bench/replay): after each cold run, time a "
                    "client that knew the lock in advance on the same server (oracle_plan), the floor this server allows")
    ap.add_argument("--json")
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "pylock-bench-indexes"))
    a = ap.parse_args()
    os.makedirs(a.cache, exist_ok=True)
    # Timed as installed, not as just linked (see installed.py).
    copies = tempfile.mkdtemp(prefix="pylock-bin-")
    a.pylock = installed_copy(a.pylock, copies)
    if a.replay:
        a.replay = installed_copy(a.replay, copies)
    try:
        compare(a)
    finally:
        shutil.rmtree(copies, ignore_errors=True)


def compare(a):
    """Runs every case of a and prints (and writes) the table."""
    rec = recorded_pip()
    rows = []
    for name, sources, reqs, satisfiable in cases(a.only):
        # The seed stack is served from the bundled index; pip runs live on it.
        idx = os.path.join(ROOT, "testdata", "index") if sources is None else build(sources, os.path.join(a.cache, name))
        srv, base = serve(idx, a.latency_ms)
        work = tempfile.mkdtemp(prefix="pylock-bench-")
        try:
            colds, warms, offs, freshes, replays = [], [], [], [], []
            plan, plan_requests = os.path.join(work, "oracle.plan"), None
            for i in range(a.repeat):
                cache = os.path.join(work, "cache%d" % i)
                colds.append(run_pylock(a.pylock, base, reqs, cache, work, a.python, a.latency_ms, fresh=True))
                if a.replay and colds[-1]["exit"] == 0:
                    if plan_requests is None:
                        plan_requests = oracle_plan(a.replay, os.path.join(work, "pylock.toml"), plan)
                    if plan_requests:
                        replays.append(run_replay(a.replay, base, plan))
                for _ in range(max(1, a.warm_repeat)):
                    warms.append(run_pylock(a.pylock, base, reqs, cache, work, a.python, a.latency_ms))
                    offs.append(run_pylock(a.pylock, base, reqs, cache, work, a.python, a.latency_ms, offline=True))
                    # Warm cache but no previous lock: the resolution from
                    # scratch (no preferred pins) and a new lock written.
                    freshes.append(run_pylock(a.pylock, base, reqs, cache, work, a.python, a.latency_ms, fresh=True))
            cold, warm, off, wfresh = median_run(colds), median_run(warms), median_run(offs), median_run(freshes)
            pip = pip_warm = None
            if a.pip or sources is None:
                # pip too: the median of --repeat cold and warm runs.
                pip = median_pip([run_pip(base, reqs) for _ in range(a.repeat)])
                pcache = os.path.join(work, "pip-cache")
                run_pip(base, reqs, pcache)
                pip_warm = median_pip([run_pip(base, reqs, pcache) for _ in range(a.repeat)])
        finally:
            srv.send_signal(signal.SIGTERM)
            srv.wait()
            shutil.rmtree(work, ignore_errors=True)
        depth = cold.get("depth")
        floor = depth * 2 * a.latency_ms / 1000 if depth else None
        r = rec.get("resolvelib/" + name, {})
        rp = r.get("pip", {})
        result = "timeout" if rp.get("timed_out") else ("ok" if rp.get("ok") else rp.get("error_kind", "?"))
        rows.append({"case": name, "latency_ms": a.latency_ms, "cold": cold, "warm": warm, "offline": off, "warm_no_lock": wfresh,
                     "floor_seconds": floor, "cold_over_floor": cold["seconds"] / floor if floor else None,
                     "oracle": {"seconds": statistics.median(replays), "requests": plan_requests} if replays else None,
                     "cold_over_oracle": cold["seconds"] / statistics.median(replays) if replays else None,
                     "pip": pip, "pip_warm": pip_warm, "satisfiable": satisfiable,
                     "pip_recorded": {"seconds": r.get("pip_seconds"), "requests": r.get("pip", {}).get("requests"),
                                      "result": "%s, match=%s" % (result, r.get("match"))}})
    f2 = lambda x: "%.3f s" % x if isinstance(x, (int, float)) else "-"
    ms = lambda x: "%.1f ms" % (x * 1000) if isinstance(x, (int, float)) else "-"
    oc = bool(a.replay)  # the oracle's columns
    print("| case | floor | pylock cold | cold/floor |" + (" oracle (requests) | cold/oracle |" if oc else "") + " requests pylock / pip | req ratio | peak RSS | pylock warm | warm req | offline | warm, no lock | pip cold | pip warm | pip warm / pylock warm | pip warm / warm, no lock | pip result |")
    print("|---|---:|---:|---:|" + ("---:|---:|" if oc else "") + "---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    warm_ratios, fresh_ratios, req_ratios = [], [], []
    for r in rows:
        if r["pip"]:
            ps, preq = r["pip"]["seconds"], r["pip"]["requests"]
            pw = r["pip_warm"]["seconds"] if r["pip_warm"] else None
            # pip's answer against the case's expected outcome: "no solution"
            # is the right answer where the corpus expects a conflict.
            if r["pip"]["timed_out"]:
                pr = "timeout"
            elif bool(r["pip"]["ok"]) == r["satisfiable"]:
                pr = "right" if r["satisfiable"] else "right (no solution)"
            else:
                pr = "wrong (no solution)" if r["satisfiable"] else "wrong (a solution)"
        else:
            ps, preq, pw = r["pip_recorded"]["seconds"], r["pip_recorded"]["requests"], None
            pr = "%s (recorded, no latency)" % r["pip_recorded"]["result"]
        c, w, o, wf = r["cold"], r["warm"], r["offline"], r["warm_no_lock"]
        rq = c["requests"] / preq if preq else None
        wr = pw / w["seconds"] if pw and w["seconds"] else None
        fr = pw / wf["seconds"] if pw and wf["seconds"] else None
        r["requests_over_pip"], r["pip_warm_over_pylock_warm"], r["pip_warm_over_warm_no_lock"] = rq, wr, fr
        if fr is not None:
            fresh_ratios.append(fr)
        if rq is not None:
            req_ratios.append((rq, r["case"], pr))
        if wr is not None:
            warm_ratios.append(wr)
        name = r["case"] + (" (no solution)" if c["exit"] == 1 else "")
        oracle = ""
        if oc:
            oracle = " %s | %s |" % ("%s (%d)" % (f2(r["oracle"]["seconds"]), r["oracle"]["requests"]) if r["oracle"] else "-",
                                     "%.2f" % r["cold_over_oracle"] if r["cold_over_oracle"] else "-")
        print("| %s | %s | %s | %s |%s %s / %s | %s | %.0f MB | %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
            name, f2(r["floor_seconds"]), f2(c["seconds"]),
            "%.2f" % r["cold_over_floor"] if r["cold_over_floor"] else "-", oracle, c["requests"],
            preq if preq is not None else "-", "%.2f" % rq if rq is not None else "-", c["rss_mb"],
            ms(w["seconds"]), w["requests"], ms(o["seconds"]), ms(wf["seconds"]), f2(ps), f2(pw),
            "%.0f×" % wr if wr else "-", "%.0f×" % fr if fr else "-", pr))
    print()
    if warm_ratios:
        print("- median pip warm / pylock warm: %.0f× (%.0f–%.0f×, %d cases)" % (
            statistics.median(warm_ratios), min(warm_ratios), max(warm_ratios), len(warm_ratios)))
    if fresh_ratios:
        print("- median pip warm / pylock warm without a previous lock: %.0f× (%.0f–%.0f×)" % (
            statistics.median(fresh_ratios), min(fresh_ratios), max(fresh_ratios)))
    if req_ratios:
        worst = max(req_ratios)
        print("- requests / pip's: at most %.2f (%s, pip %s)" % worst)
        right = [x for x in req_ratios if x[2].startswith("right")]
        if right:
            print("- requests / pip's where pip is right: at most %.2f (%s)" % max(right)[:2])
    floors = [(r["cold_over_floor"], r["case"]) for r in rows if r["cold_over_floor"]]
    if floors:
        print("- cold / floor: at most %.2f (%s)" % max(floors))
    oracles = [(r["cold_over_oracle"], r["case"]) for r in rows if r["cold_over_oracle"]]
    if oracles:
        print("- cold / oracle (the same server, a client that knew the lock): at most %.2f (%s), median %.2f" % (
            *max(oracles), statistics.median(x[0] for x in oracles)))
    print("- peak RSS: at most %.0f MB" % max(r["cold"]["rss_mb"] for r in rows))
    print("- warm requests: %d in all" % sum(r["warm"]["requests"] for r in rows))
    if a.json:
        json.dump(rows, open(a.json, "w"), indent=2)


if __name__ == "__main__":
    main()
