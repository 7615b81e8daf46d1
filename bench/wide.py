#!/usr/bin/env python3
"""wide -- a large requirements file, cold: where the bound on requests in flight shows.

    python3 bench/wide.py --pylock /tmp/pylock [--n 200] [--latency-ms 20] [--repeat 3]
                          [--concurrency 16,32,64] [--pip]

Generates (seeded) an index of 2N projects: p000..p(N-1), each with three
versions that require two of q000..q(N-1) (leaves, three versions each),
builds it with ../shared/bench/pyindex.py and serves it on 127.0.0.1 with
the given latency. Then it resolves "p000 ... p(N-1)" with pylock cold
(empty cache, no previous lock) --repeat times for each PYLOCK_CONCURRENCY
value in --concurrency ("" = pylock's default), and prints the median time
and the requests. The network floor is 4 rounds (pages and metadata of
the p's, then of the q's); with N=200 there are 758 requests, so a client
that keeps k in flight needs about 758/k rounds. --pip also times pip once
(it fetches one thing at a time).

Standard library only.
"""

import argparse, json, os, random, shutil, statistics, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (serve, stats, settled_stats, run_pylock, BENCH)
from installed import installed_copy  # noqa: E402


def make_index(n, seed, out):
    rnd = random.Random(seed)
    idx = {}
    for i in range(n):
        idx["q%03d" % i] = {"%d.0.0" % v: {"dependencies": []} for v in (1, 2, 3)}
    for i in range(n):
        deps = ["q%03d>=1" % rnd.randrange(n) for _ in range(2)]
        idx["p%03d" % i] = {"%d.0.0" % v: {"dependencies": deps} for v in (1, 2, 3)}
    src = os.path.join(out, "wide.json")
    with open(src, "w") as f:
        json.dump(idx, f)
    subprocess.run([sys.executable, os.path.join(compare.BENCH, "pyindex.py"), "build", "resolvelib:" + src,
                    "--out", os.path.join(out, "index")], check=True, stdout=subprocess.DEVNULL)
    return os.path.join(out, "index"), ["p%03d" % i for i in range(n)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pylock", required=True)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--concurrency", default="", help='comma list of PYLOCK_CONCURRENCY values ("" = default)')
    ap.add_argument("--pip", action="store_true")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="pylock-wide-")
    srv = None
    try:
        index, reqs = make_index(a.n, a.seed, tmp)
        srv, base = compare.serve(index, a.latency_ms)
        pylock = installed_copy(a.pylock, tmp)
        print("%d requirements, %d ms latency, floor %d ms (4 rounds)" % (a.n, a.latency_ms, 4 * a.latency_ms))
        for value in a.concurrency.split(","):
            if value:
                os.environ["PYLOCK_CONCURRENCY"] = value
            else:
                os.environ.pop("PYLOCK_CONCURRENCY", None)
            times, requests = [], set()
            for i in range(a.repeat):
                work = tempfile.mkdtemp(dir=tmp)
                r = compare.run_pylock(pylock, base, reqs, os.path.join(work, "cache"), work, "3.11",
                                       a.latency_ms, fresh=True)
                if r["exit"] != 0:
                    raise SystemExit("pylock failed: %s" % r["summary"])
                times.append(r["seconds"])
                requests.add(r["requests"])
            print("pylock cold, PYLOCK_CONCURRENCY=%-4s median %.3f s (min %.3f)  requests %s" % (
                value or "-", statistics.median(times), min(times), sorted(requests)), flush=True)
        if a.pip:
            cmd = [sys.executable, os.path.join(compare.BENCH, "pip_resolve.py"), "--index-url", base + "/simple/",
                   "--python-version", "3.11", *reqs]
            compare.stats(base, reset=True)
            out = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
            s = compare.settled_stats(base, a.latency_ms)
            print("pip cold: %.3f s, %d requests, ok=%s" % (out["seconds"], s["requests"], out["ok"]))
    finally:
        if srv is not None:
            srv.terminate()
            srv.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
