// Command fetch measures pylock's index client on a cold (and then warm)
// cache: starting from root projects it walks the Requires-Dist graph
// without resolving, fetching each reached project's page and the metadata
// of its newest release (-mode newest, what a resolver needs first) or of
// every release (-mode all), and prints wall time, request counts, peak
// concurrency and the graph depth.
//
// Each fetched metadata immediately starts its dependencies' fetches (no
// level barrier), so the wall time should track the graph depth times the
// round-trip latency (page + metadata per level), not the package count.
// Requirements whose marker mentions an extra are not followed; other
// markers are (the walk is environment-independent).
//
// Serve a corpus with the bench server and point the tool at it:
//
//	python3 ../shared/bench/pyindex.py build resolvelib:../shared/corpus/resolvelib/index/pypi-2020-02-13-chalice.json --out /tmp/idx-chalice
//	go run ./bench/fetch -serve /tmp/idx-chalice -latency-ms 20 chalice
//
// or -fake PATH.json to serve a resolvelib snapshot from the in-process Go
// fake index (internal/fakeindex, same latency option), which separates the
// client's limits from the Python server's; or -index-url for a running
// index.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pylock/pylock/internal/fakeindex"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep508"
)

func main() {
	indexURL := flag.String("index-url", "", "Simple API URL of a running index")
	serve := flag.String("serve", "", "serve this pyindex.py tree with ../shared/bench/pyindex.py instead")
	fake := flag.String("fake", "", "serve this resolvelib snapshot JSON with the in-process fake index instead")
	pyindex := flag.String("pyindex", "../shared/bench/pyindex.py", "path of pyindex.py (with -serve)")
	latency := flag.Int("latency-ms", 20, "server latency (with -serve)")
	mode := flag.String("mode", "newest", "newest: metadata of the newest release per project; all: of every release")
	conc := flag.Int("concurrency", 16, "max requests in flight")
	flag.BoolVar(&trace, "trace", false, "print when each fetch starts and ends")
	flag.Parse()
	roots := flag.Args()
	if len(roots) == 0 {
		roots = []string{"chalice"}
	}
	base := strings.TrimSuffix(strings.TrimSuffix(*indexURL, "/"), "/simple")
	if *serve != "" {
		var stop func()
		base, stop = startServer(*pyindex, *serve, *latency)
		defer stop()
	}
	if *fake != "" {
		data, err := os.ReadFile(*fake)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		idx, err := fakeindex.FromResolvelib(data)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		srv := fakeindex.New(idx, fakeindex.Options{Latency: time.Duration(*latency) * time.Millisecond})
		defer srv.Close()
		base = srv.URL()
	}
	if base == "" {
		fmt.Fprintln(os.Stderr, "need -index-url or -serve")
		os.Exit(2)
	}
	cache, _ := os.MkdirTemp("", "pylock-fetch-cache-")
	defer os.RemoveAll(cache)
	for _, run := range []string{"cold", "warm"} {
		resetStats(base)
		r := walk(base+"/simple/", cache, *mode, *conc, roots)
		srv := stats(base)
		fmt.Printf("%s %s mode=%s: %d projects, %d metadata, depth %d, wall %v, client %d requests (%d cache hits, %d revalidated, %d retries), peak %d in flight; server %v requests %v\n",
			run, strings.Join(roots, ","), *mode, r.projects, r.metadata, r.depth, r.wall.Round(time.Millisecond),
			r.stats.Requests, r.stats.CacheHits, r.stats.Revalidated, r.stats.Retries, r.stats.PeakConcurrency,
			srv["requests"], srv["by_kind"])
		if run == "cold" && (*serve != "" || *fake != "") {
			fmt.Printf("  lower bound depth × 2 × latency = %v\n", time.Duration(r.depth*2**latency)*time.Millisecond)
		}
	}
}

var trace bool

var traceStart time.Time

func tracef(format string, args ...any) {
	if trace {
		fmt.Fprintf(os.Stderr, "%7.1fms "+format+"\n", append([]any{float64(time.Since(traceStart).Microseconds()) / 1000}, args...)...)
	}
}

type result struct {
	projects, metadata, depth int
	wall                      time.Duration
	stats                     index.Stats
}

func walk(simple, cache, mode string, conc int, roots []string) result {
	c, err := index.New(index.Options{IndexURL: simple, CacheDir: cache, Concurrency: conc})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer c.Close()
	ctx := context.Background()
	var mu sync.Mutex
	depth := map[string]int{}
	var nmeta int
	var wg sync.WaitGroup
	var visit func(name string, d int)
	visit = func(name string, d int) {
		name = names.Canonicalize(name)
		mu.Lock()
		if old, seen := depth[name]; seen {
			if d < old {
				depth[name] = d
			}
			mu.Unlock()
			return
		}
		depth[name] = d
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			tracef("page %s start (depth %d)", name, d)
			p, err := c.Project(ctx, name)
			tracef("page %s done (%d files)", name, nfiles(p))
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return
			}
			for _, f := range pick(p.Files, mode) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tracef("  meta %s start", f.Filename)
					m, err := c.Metadata(ctx, f)
					tracef("  meta %s done", f.Filename)
					if err != nil {
						fmt.Fprintln(os.Stderr, err)
						return
					}
					mu.Lock()
					nmeta++
					mu.Unlock()
					for _, r := range m.RequiresDist {
						req, err := pep508.ParseRequirement(r)
						if err != nil || req.Marker.Mentions("extra") {
							continue
						}
						visit(req.NormalizedName(), d+1)
					}
				}()
			}
		}()
	}
	start := time.Now()
	traceStart = start
	for _, r := range roots {
		visit(r, 0)
	}
	wg.Wait()
	res := result{projects: len(depth), metadata: nmeta, wall: time.Since(start), stats: c.Stats()}
	for _, d := range depth {
		res.depth = max(res.depth, d+1)
	}
	return res
}

// pick returns the files whose metadata to fetch: one wheel (else sdist) of
// the newest release by upload time, or one per release.
func pick(files []index.File, mode string) []index.File {
	byVersion := map[string]index.File{}
	newest := map[string]time.Time{}
	for _, f := range files {
		v := versionOf(f.Filename)
		if old, ok := byVersion[v]; ok && strings.HasSuffix(old.Filename, ".whl") {
			continue
		}
		byVersion[v] = f
		if f.UploadTime.After(newest[v]) {
			newest[v] = f.UploadTime
		}
	}
	vs := make([]string, 0, len(byVersion))
	for v := range byVersion {
		vs = append(vs, v)
	}
	sort.Slice(vs, func(i, j int) bool { return newest[vs[i]].Before(newest[vs[j]]) })
	if mode == "all" {
		out := make([]index.File, len(vs))
		for i, v := range vs {
			out[i] = byVersion[v]
		}
		return out
	}
	if len(vs) == 0 {
		return nil
	}
	return []index.File{byVersion[vs[len(vs)-1]]}
}

func versionOf(filename string) string {
	parts := strings.Split(filename, "-")
	if len(parts) >= 2 {
		return strings.TrimSuffix(parts[1], ".tar.gz")
	}
	return filename
}

func startServer(pyindex, tree string, latency int) (string, func()) {
	abs, _ := filepath.Abs(pyindex)
	cmd := exec.Command("python3", abs, "serve", tree, "--port", "0", "--latency-ms", fmt.Sprint(latency))
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	m := regexp.MustCompile(`port=(\d+)`).FindStringSubmatch(line)
	if m == nil {
		fmt.Fprintf(os.Stderr, "pyindex.py serve printed %q\n", line)
		cmd.Process.Kill()
		os.Exit(1)
	}
	go io.Copy(io.Discard, out)
	return "http://127.0.0.1:" + m[1], func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}
}

func resetStats(base string) {
	if resp, err := http.Get(base + "/_stats/reset"); err == nil {
		resp.Body.Close()
	}
}

func stats(base string) map[string]any {
	resp, err := http.Get(base + "/_stats")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var st map[string]any
	json.NewDecoder(resp.Body).Decode(&st)
	return st
}

func nfiles(p *index.Project) int {
	if p == nil {
		return 0
	}
	return len(p.Files)
}
