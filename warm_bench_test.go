package pylock_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pylock/pylock"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/reqfile"
)

// BenchmarkWarmResolve times a resolve whose cache a previous run filled
// (every page fresh), against resolvelib corpus snapshots served in process:
// the warm path (cache reads, page decoding, solving, lock building). The
// index stays up and counts requests: a warm run must make none.
//
//	go test -run '^$' -bench WarmResolve -benchmem -cpuprofile /tmp/warm.prof .
func BenchmarkWarmResolve(b *testing.B) {
	for _, c := range []struct{ name, snapshot, reqs string }{
		{"chalice", "pypi-2020-02-13-chalice", "chalice\n"},
		{"pyrax", "pypi-2020-02-15-pyrax", "pyrax==1.9.8\n"},
	} {
		b.Run(c.name, func(b *testing.B) {
			srv := resolvelibServer(b, c.snapshot)
			cache := b.TempDir()
			run := func() error {
				_, err := pylock.Resolve(context.Background(), pylock.Options{
					Inputs:   inputs.FromPaths(reqfile.PyprojectOptions{}, "-"),
					Stdin:    strings.NewReader(c.reqs),
					IndexURL: srv.SimpleURL(),
					Target:   pylock.TargetSpec{PythonVersion: "3.11", Platform: "x86_64-manylinux_2_28"},
					CacheDir: cache,
					Getenv:   func(string) string { return "" },
				})
				if pylock.KindOf(err) == pylock.KindNoSolution {
					return nil // pyrax==1.9.8 has none: the explanation is part of the work
				}
				return err
			}
			// Fill the cache; twice, so that speculative fetches the first
			// run abandoned are cached too.
			for range 2 {
				if err := run(); err != nil && !errors.Is(err, context.Canceled) {
					b.Fatal(err)
				}
			}
			before := settle(srv).Requests
			b.ReportAllocs()
			cpu0 := testenv.CPUTime()
			b.ResetTimer()
			for range b.N {
				if err := run(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			// CPU time (user+system, all threads, GC included) tells more than
			// wall time on a shared machine.
			testenv.ReportCPUPerOp(b, cpu0)
			if n := srv.Stats().Requests - before; n != 0 {
				b.Errorf("warm runs made %d requests, want 0", n)
				for _, r := range srv.Log()[before:] {
					b.Log(r)
				}
			}
		})
	}
}
