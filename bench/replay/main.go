// Command replay measures what a resolver that already knew the answer
// would take on a given index server: it sends a fixed plan of requests
// round by round (every request of a round at once, the next round when
// the last answer of this one is in) and prints the wall time. It does no
// parsing, solving, caching or writing, so its time is the round trips,
// the server's own work and the client's HTTP stack: the floor any client
// can reach on that server, where the network floor of bench/compare.py
// (rounds x latency) counts the latency alone.
//
// A plan lists one request path per line; a blank line ends a round and
// '#' starts a comment. Paths under /simple/ ask for PEP 691 JSON, as
// pylock does. bench/replay/cheroot.plan is the cheroot case's: the 32
// requests of the pages and metadata its resolution needs, in the 6
// rounds their data dependencies force.
//
//	python3 ../shared/bench/pyindex.py serve /tmp/pylock-bench-indexes/cheroot --port 8000 --latency-ms 20 &
//	go run ./bench/replay -index-url http://127.0.0.1:8000 -plan bench/replay/cheroot.plan -repeat 9 -spawn
//
// With -spawn each run is a child process timed from spawn to reaped, as
// bench/compare.py times pylock, so the figure includes a Go program's
// start and exit.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pylock/pylock/lockfile"
)

func main() {
	index := flag.String("index-url", "", "the server's root URL (http://127.0.0.1:PORT)")
	planPath := flag.String("plan", "", "the plan file")
	lockPath := flag.String("lock", "", "derive the plan from this pylock.toml instead (lockPlan)")
	printPlan := flag.Bool("print-plan", false, "print the plan and exit")
	repeat := flag.Int("repeat", 5, "runs (the median is reported)")
	spawn := flag.Bool("spawn", false, "time each run as a child process, spawn to reaped")
	child := flag.Bool("child", false, "internal: one run, no output")
	flag.Parse()
	if (*index == "" && !*printPlan) || (*planPath == "") == (*lockPath == "") {
		fmt.Fprintln(os.Stderr, "usage: replay -index-url URL (-plan FILE | -lock pylock.toml) [-repeat N] [-spawn]\n       replay -lock pylock.toml -print-plan")
		os.Exit(2)
	}
	var rounds [][]string
	var err error
	if *lockPath != "" {
		rounds, err = readLockPlan(*lockPath)
	} else {
		rounds, err = readPlan(*planPath)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "replay:", err)
		os.Exit(1)
	}
	if *printPlan {
		fmt.Print(formatPlan(rounds))
		return
	}
	if *child {
		if err := replay(context.Background(), *index, rounds); err != nil {
			fmt.Fprintln(os.Stderr, "replay:", err)
			os.Exit(1)
		}
		return
	}
	var times []time.Duration
	for range max(1, *repeat) {
		t0 := time.Now()
		if *spawn {
			err = spawnRun(*index, *planPath, *lockPath)
		} else {
			err = replay(context.Background(), *index, rounds)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "replay:", err)
			os.Exit(1)
		}
		times = append(times, time.Since(t0))
	}
	n := 0
	for _, r := range rounds {
		n += len(r)
	}
	slices.Sort(times)
	fmt.Printf("%d requests in %d rounds: median %.1f ms, min %.1f ms over %d runs", n, len(rounds),
		ms(times[len(times)/2]), ms(times[0]), len(times))
	if *spawn {
		fmt.Print(" (spawn to reaped)")
	}
	fmt.Println()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// spawnRun runs one replay in a child process and waits for it.
func spawnRun(index, plan, lock string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, "-child", "-index-url", index, "-plan", plan)
	if lock != "" {
		cmd = exec.Command(self, "-child", "-index-url", index, "-lock", lock)
	}
	cmd.Stderr = os.Stderr
	return cmd.Run()
}

// readPlan reads a plan file: rounds of request paths.
func readPlan(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rounds, err := parsePlan(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rounds, nil
}

// readLockPlan reads a pylock.toml and returns its lockPlan.
func readLockPlan(path string) ([][]string, error) {
	l, err := lockfile.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rounds, err := lockPlan(l)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rounds, nil
}

// formatPlan writes rounds in the plan format parsePlan reads.
func formatPlan(rounds [][]string) string {
	var b strings.Builder
	for i, r := range rounds {
		if i > 0 {
			b.WriteString("\n")
		}
		for _, p := range r {
			b.WriteString(p + "\n")
		}
	}
	return b.String()
}

// parsePlan parses a plan: one path per line, rounds separated by blank
// lines, '#' comments. Every path must start with "/".
func parsePlan(r io.Reader) ([][]string, error) {
	var rounds [][]string
	var cur []string
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		text = strings.TrimSpace(text)
		if text == "" {
			if len(cur) > 0 && strings.TrimSpace(sc.Text()) == "" {
				rounds, cur = append(rounds, cur), nil
			}
			continue
		}
		if !strings.HasPrefix(text, "/") || strings.ContainsAny(text, " \t") {
			return nil, fmt.Errorf("line %d: %q is not a request path (one path per line, starting with /)", line, text)
		}
		cur = append(cur, text)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(cur) > 0 {
		rounds = append(rounds, cur)
	}
	if len(rounds) == 0 {
		return nil, errors.New("the plan has no requests")
	}
	return rounds, nil
}

// replay sends rounds to index, each round's requests at once, and fails
// on the first error or non-200 answer.
func replay(ctx context.Context, index string, rounds [][]string) error {
	widest := 0
	for _, r := range rounds {
		widest = max(widest, len(r))
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = widest
	defer t.CloseIdleConnections()
	c := &http.Client{Transport: t}
	base := strings.TrimSuffix(index, "/")
	for _, round := range rounds {
		errs := make([]error, len(round))
		var wg sync.WaitGroup
		for i, p := range round {
			wg.Go(func() { errs[i] = get(ctx, c, base+p) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
	}
	return nil
}

func get(ctx context.Context, c *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if strings.Contains(u, "/simple/") {
		req.Header.Set("Accept", "application/vnd.pypi.simple.v1+json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return nil
}
