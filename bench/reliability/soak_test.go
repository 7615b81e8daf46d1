package reliability

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/pypi/index"
)

// The soak test: for every resolvelib case, N concurrent `pylock resolve`
// processes share one cache directory against one
// `pyindex.py serve --fail-rate 0.3` server; then every case is re-run
// --offline from that cache. Every lock must be byte-identical (index URL
// aside) to the case's fault-free lock, the cache must pass
// index.CheckCache (no torn entry, no temporary file left).
//
// CI runs the cases over the small synthetic indexes with N=3. Locally:
//
//	PYLOCK_SOAK_ALL=1 PYLOCK_SOAK_N=8 go test ./bench/reliability -run TestSoak -v -timeout 60m
//
// adds the 2020 PyPI snapshots (their indexes take pyindex.py minutes to
// build). The figures printed are the ones recorded in the README.

type soakCase struct {
	Name      string
	Index     string   `json:"index"`
	Requested []string `json:"requested"`
}

var bigCase = regexp.MustCompile(`^pypi-`)

func loadCases(t *testing.T, corpus string, all bool) []soakCase {
	paths, err := filepath.Glob(filepath.Join(corpus, "resolvelib", "case", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no resolvelib cases: %v", err)
	}
	var out []soakCase
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var c soakCase
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		c.Name = strings.TrimSuffix(filepath.Base(p), ".json")
		if bigCase.MatchString(c.Index) && !all {
			continue
		}
		out = append(out, c)
	}
	return out
}

func TestSoak(t *testing.T) {
	bench, corpus := testenv.BenchDir(t), testenv.CorpusDir(t)
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 not found")
	}
	n := 3
	if v, err := strconv.Atoi(os.Getenv("PYLOCK_SOAK_N")); err == nil && v > 0 {
		n = v
	}
	cases := loadCases(t, corpus, os.Getenv("PYLOCK_SOAK_ALL") == "1")
	bin := pylockBinary(t)
	work := t.TempDir()

	// One index tree per resolvelib index, served twice: clean and faulty.
	trees := map[string]string{}
	for _, c := range cases {
		if trees[c.Index] != "" {
			continue
		}
		dir := filepath.Join(work, "idx-"+c.Index)
		src := filepath.Join(corpus, "resolvelib", "index", c.Index+".json")
		if out, err := exec.Command(py, filepath.Join(bench, "pyindex.py"), "build", "resolvelib:"+src, "--out", dir).CombinedOutput(); err != nil {
			t.Fatalf("pyindex.py build %s: %v\n%s", c.Index, err, out)
		}
		trees[c.Index] = dir
	}
	type server struct{ clean, faulty string }
	servers := map[string]server{}
	for name, dir := range trees {
		servers[name] = server{testenv.StartPyindex(t, py, bench, dir), testenv.StartPyindex(t, py, bench, dir, "--fail-rate", "0.3", "--seed", "7")}
	}

	// Reference locks: fault-free, each in its own cache.
	want := map[string]outcome{}
	for _, c := range cases {
		w := resolveCase(t, bin, work, c, servers[c.Index].clean, filepath.Join(work, "cache-"+c.Name), "")
		if (w.code == 0) != (w.lock != "") || (w.code != 0 && w.code != 1) {
			t.Fatalf("%s fault-free: exit %d, %d-byte lock\n%s", c.Name, w.code, len(w.lock), w.stderr)
		}
		want[c.Name] = w
	}

	// N processes per case at once, all cases at once, one shared cache.
	shared := filepath.Join(work, "cache-shared")
	t0 := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	identical, runs := 0, 0
	compare := func(c soakCase, got outcome, label string) {
		mu.Lock()
		defer mu.Unlock()
		runs++
		if w := want[c.Name]; got.code != w.code || got.lock != w.lock {
			t.Errorf("%s %s: exit %d, lock differs from the fault-free run (exit %d)\nstderr: %s", c.Name, label, got.code, w.code, got.stderr)
			return
		}
		identical++
	}
	for _, c := range cases {
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				compare(c, resolveCase(t, bin, work, c, servers[c.Index].faulty, shared, fmt.Sprint(i)), "with faults")
			}()
		}
	}
	wg.Wait()
	concurrent := time.Since(t0)
	// Offline re-runs from the shared cache (same URLs, no network).
	for _, c := range cases {
		compare(c, resolveCase(t, bin, work, c, servers[c.Index].faulty, shared, "offline", "--offline"), "--offline")
	}
	entries, err := index.CheckCache(shared)
	if err != nil {
		t.Errorf("shared cache: %v", err)
	}
	requests, faults := 0, 0
	for _, s := range servers {
		st := serverStats(t, s.faulty)
		requests += int(st.Requests)
		for _, v := range st.Faults {
			faults += v
		}
	}
	fmt.Printf("soak: %d cases x %d processes at once + %d --offline re-runs: %d/%d locks identical to the fault-free locks; "+
		"faulty servers: %d requests, %d faults injected; shared cache: %d entries, intact, no temp files; %v\n",
		len(cases), n, len(cases), identical, runs, requests, faults, entries, concurrent.Round(time.Second))
	if faults == 0 {
		t.Error("no fault was injected: the test proves nothing")
	}
}

type outcome struct {
	code   int
	lock   string // with the index URL replaced
	stderr string
}

var (
	urlRE     = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	commandRE = regexp.MustCompile(`(?m)^command = .*$`)
)

func resolveCase(t *testing.T, bin, work string, c soakCase, base, cache, tag string, extra ...string) outcome {
	dir, err := os.MkdirTemp(work, c.Name+"-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "req.txt"), []byte(strings.Join(c.Requested, "\n")+"\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"resolve", "req.txt", "--index-url", base + "/simple/", "-o", "pylock.toml",
		"--python-version", "3.12", "--python-platform", "linux", "--no-progress"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PYLOCK_HTTP_RETRIES=10", "PYLOCK_CACHE_DIR="+cache)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	lock, _ := os.ReadFile(filepath.Join(dir, "pylock.toml"))
	// The recorded command differs by --offline; the rest must not differ.
	norm := commandRE.ReplaceAllString(urlRE.ReplaceAllString(string(lock), "http://index"), "")
	return outcome{code: code, lock: norm, stderr: stderr.String()}
}

type pyindexStats struct {
	Requests float64        `json:"requests"`
	Faults   map[string]int `json:"faults"`
}

func serverStats(t *testing.T, base string) pyindexStats {
	resp, err := http.Get(base + "/_stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st pyindexStats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}
