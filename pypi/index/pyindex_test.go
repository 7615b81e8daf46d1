package index_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/names"
)

// The resolvelib snapshots served by the real bench server
// (../shared/bench/pyindex.py). The small ones always run. The 1-4 MB PyPI
// snapshots take pyindex.py 10-80 s each to build and the Python server
// 15-60 s to serve, which would blow the suite's time budget, so they run
// only with PYLOCK_FETCH_ALL=1 (all six) or PYLOCK_FETCH_ALL=chalice (one).
var (
	smallIndexes = []string{"backjump-test-1", "backjump-test-2", "backjump-test-3", "backjump-test-4", "issue-134", "same-package"}
	bigIndexes   = []string{"pypi-2020-02-13-chalice", "pypi-2020-02-13-dask", "pypi-2020-02-15-pandas",
		"pypi-2020-02-15-pyrax", "pypi-2020-02-19-virtualenv-six", "pypi-2020-11-17-cheroot"}
)

func TestFetchBenchServer(t *testing.T) {
	bench := testenv.BenchDir(t)
	corpusDir := testenv.CorpusDir(t)
	py, err := exec.LookPath("python3")
	if err != nil {
		testenv.Require(t, false, "python3 not found")
	}
	cases := append([]string(nil), smallIndexes...)
	switch v := os.Getenv("PYLOCK_FETCH_ALL"); {
	case v == "1":
		cases = append(cases, bigIndexes...)
	case v != "":
		for _, b := range bigIndexes {
			if strings.Contains(b, v) {
				cases = append(cases, b)
			}
		}
	}
	for _, name := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := filepath.Join(corpusDir, "resolvelib", "index", name+".json")
			want := loadSnapshot(t, src)
			dir := filepath.Join(t.TempDir(), "idx")
			t0 := time.Now()
			out, err := exec.Command(py, filepath.Join(bench, "pyindex.py"), "build", "resolvelib:"+src, "--out", dir).CombinedOutput()
			if err != nil {
				t.Fatalf("pyindex.py build: %v\n%s", err, out)
			}
			build := time.Since(t0)
			short := regexp.MustCompile(`^pypi-\d+-\d+-\d+-`).ReplaceAllString(name, "")
			var clean map[string]*index.Metadata
			for _, faults := range []bool{false, true} {
				args := []string{}
				label := short
				if faults {
					args = []string{"--fail-rate", "0.3", "--seed", "1"}
					label += " fail-rate 0.3"
				}
				base := testenv.StartPyindex(t, py, bench, dir, args...)
				t1 := time.Now()
				got, st := fetchAll(t, base, want)
				pass, fail := compareSnapshot(t, want, got)
				srv := serverStats(t, base)
				fmt.Printf("fetch %s: %d passed, %d failed (client: %d requests, %d retries, peak %d in flight; server: %v requests, faults %v; %v; build %v)\n",
					label, pass, fail, st.Requests, st.Retries, st.PeakConcurrency, srv["requests"], srv["faults"],
					time.Since(t1).Round(time.Millisecond), build.Round(time.Second))
				if !faults {
					clean = got
				} else if d := cmp.Diff(clean, got); d != "" {
					t.Errorf("results with faults differ from the fault-free run:\n%s", d)
				}
			}
		})
	}
}

// snapshot: canonical project -> version -> dependencies.
type snapshot map[string]map[string][]string

func loadSnapshot(t *testing.T, path string) snapshot {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	out := snapshot{}
	for p, v := range raw {
		var versions map[string]struct {
			Dependencies []string `json:"dependencies"`
		}
		if json.Unmarshal(v, &versions) != nil {
			continue
		}
		cn := names.Canonicalize(p)
		if out[cn] == nil {
			out[cn] = map[string][]string{}
		}
		for ver, info := range versions {
			out[cn][ver] = info.Dependencies
		}
	}
	return out
}

func serverStats(t *testing.T, base string) map[string]any {
	resp, err := http.Get(base + "/_stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st map[string]any
	json.NewDecoder(resp.Body).Decode(&st)
	return st
}

// fetchAll fetches every project page and every file's metadata, all
// concurrently. Keys are "project filename".
func fetchAll(t *testing.T, base string, want snapshot) (map[string]*index.Metadata, index.Stats) {
	c, err := index.New(index.Options{IndexURL: base + "/simple/", NoCache: true, NetrcPath: os.DevNull,
		RetryWaitMin: 5 * time.Millisecond, RetryWaitMax: 50 * time.Millisecond, Retries: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	var mu sync.Mutex
	got := map[string]*index.Metadata{}
	var wg sync.WaitGroup
	for p := range want {
		wg.Add(1)
		go func() {
			defer wg.Done()
			proj, err := c.Project(ctx, p)
			if err != nil {
				t.Errorf("project %s: %v", p, err)
				return
			}
			for _, f := range proj.Files {
				wg.Add(1)
				go func() {
					defer wg.Done()
					m, err := c.Metadata(ctx, f)
					if err != nil {
						t.Errorf("metadata %s: %v", f.Filename, err)
						return
					}
					mu.Lock()
					got[p+" "+f.Filename] = m
					mu.Unlock()
				}()
			}
		}()
	}
	wg.Wait()
	return got, c.Stats()
}

// compareSnapshot checks that every (project, version) of the source has
// exactly one file whose metadata has that version and dependencies.
func compareSnapshot(t *testing.T, want snapshot, got map[string]*index.Metadata) (pass, fail int) {
	byPV := map[string]*index.Metadata{}
	for k, m := range got {
		p, _, _ := strings.Cut(k, " ")
		byPV[p+" "+m.Version] = m
	}
	var failures []string
	projects := make([]string, 0, len(want))
	for p := range want {
		projects = append(projects, p)
	}
	sort.Strings(projects)
	for _, p := range projects {
		for v, deps := range want[p] {
			m := byPV[p+" "+v]
			switch {
			case m == nil:
				failures = append(failures, fmt.Sprintf("%s %s: no metadata", p, v))
			case names.Canonicalize(m.Name) != p:
				failures = append(failures, fmt.Sprintf("%s %s: Name %q", p, v, m.Name))
			case !cmp.Equal(m.RequiresDist, deps, cmp.Comparer(func(a, b []string) bool { return strings.Join(a, "\n") == strings.Join(b, "\n") })):
				failures = append(failures, fmt.Sprintf("%s %s: Requires-Dist %q, want %q", p, v, m.RequiresDist, deps))
			default:
				pass++
				continue
			}
			fail++
		}
	}
	if len(got) != pass+fail {
		failures = append(failures, fmt.Sprintf("%d metadata fetched for %d releases", len(got), pass+fail))
	}
	for i, f := range failures {
		if i == 10 {
			t.Errorf("... and %d more", len(failures)-10)
			break
		}
		t.Error(f)
	}
	return pass, fail
}
