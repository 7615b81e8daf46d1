#!/usr/bin/env python3
"""Interleaved A/B timing of pylock binaries on one command.

On a shared or virtual machine a binary timed now and another one a minute
later see different machines (this VM's speed drifts by about 15%). This
runs the binaries in alternating rounds, so both see the same drift, and
prints each one's median, quartiles and minimum wall time (spawn to reaped).

    python3 bench/ab.py --rounds 15 --runs 20 /tmp/pylock-old /tmp/pylock-new -- \\
        resolve req.txt --index-url http://127.0.0.1:8000/simple/ -o pylock.toml --cache-dir cache --no-progress

With --cold the directory given by --cache-dir and the file given by -o are
removed before every run (an empty cache, no previous lock), and the
"(N requests" figure of pylock's summary line is collected too. Without it
the runs are warm: fill the cache with one run first. --pause-ms N idles N
ms before every run, as compare.py does between its runs. Each binary runs
from a copy written with write(2) (installed.py: a binary just linked runs
slower until the page cache drops it). Standard library only.
"""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile, time

from installed import installed_copy


def option(args, name):
    """The value after name in args, or None."""
    for i, a in enumerate(args[:-1]):
        if a == name:
            return args[i + 1]
    return None


def main():
    if "--" not in sys.argv:
        raise SystemExit("usage: ab.py [--rounds N] [--runs N] [--cold] BINARY... -- PYLOCK-ARGS...")
    i = sys.argv.index("--")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--runs", type=int, default=20, help="runs of each binary per round")
    ap.add_argument("--cold", action="store_true", help="empty cache and no previous lock before every run")
    ap.add_argument("--pause-ms", type=float, default=0,
                    help="idle this long before every run (compare.py waits between runs: a process started on an idle vCPU starts slower)")
    ap.add_argument("binaries", nargs="+")
    a = ap.parse_args(sys.argv[1:i])
    args = sys.argv[i + 1:]
    cache, out = option(args, "--cache-dir"), option(args, "-o")
    if a.cold and not cache:
        raise SystemExit("--cold needs --cache-dir in the pylock arguments (it is removed before every run)")
    # Each binary is timed from a copy written with write(2), as installed,
    # not as just linked (see installed.py).
    copies = tempfile.mkdtemp(prefix="pylock-ab-")
    try:
        run = {b: installed_copy(b, tempfile.mkdtemp(dir=copies)) for b in a.binaries}
        measure(a, args, run)
    finally:
        shutil.rmtree(copies, ignore_errors=True)


def measure(a, args, run):
    """Runs the binaries (run maps each to its copy) and prints their times."""
    cache, out = option(args, "--cache-dir"), option(args, "-o")
    times = {b: [] for b in a.binaries}
    requests = {b: set() for b in a.binaries}
    for _ in range(a.rounds):
        for b in a.binaries:
            for _ in range(a.runs):
                if a.cold:
                    shutil.rmtree(cache, ignore_errors=True)
                    if out and os.path.exists(out):
                        os.remove(out)
                if a.pause_ms:
                    time.sleep(a.pause_ms / 1000)
                t0 = time.perf_counter()
                p = subprocess.run([run[b]] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                times[b].append((time.perf_counter() - t0) * 1000)
                if p.returncode not in (0, 1):
                    raise SystemExit("%s exited %d:\n%s" % (b, p.returncode, p.stderr))
                m = re.search(r"\((\d+) requests", p.stderr)
                if m:
                    requests[b].add(int(m.group(1)))
    for b in a.binaries:
        v = sorted(times[b])
        line = "%-28s median %7.2f ms  p25 %7.2f  p75 %7.2f  min %7.2f  (%d runs)" % (
            b, statistics.median(v), v[len(v) // 4], v[3 * len(v) // 4], v[0], len(v))
        if requests[b]:
            line += "  requests %s" % sorted(requests[b])
        print(line)


if __name__ == "__main__":
    main()
