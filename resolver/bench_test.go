package resolver_test

import (
	"context"
	"errors"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/memprovider"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/resolver"
)

// BenchmarkResolvelib resolves each real resolvelib case (target CPython
// 3.11 Linux, markers evaluated) with all metadata already in memory: the
// provider is warmed by one resolution before timing. cpu-ms/op is the
// process CPU time per resolution (steadier than wall time on a busy
// machine).
func BenchmarkResolvelib(b *testing.B) {
	cases, err := corpus.LoadAllResolvelib(testenv.CorpusDir(b))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range cases {
		b.Run(c.Name, func(b *testing.B) {
			tg, opts := resolvelibEnv(b)
			p := memprovider.New(c.Index, tg, memprovider.Options{})
			root, err := parseReqs(c.Requested)
			if err != nil {
				b.Fatal(err)
			}
			resolveOnce := func() {
				_, err := resolver.Resolve(context.Background(), p, root, opts)
				var ns *resolver.NoSolutionError
				if err != nil && !errors.As(err, &ns) {
					b.Fatal(err)
				}
			}
			resolveOnce()
			cpu0 := testenv.CPUTime()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				resolveOnce()
			}
			b.StopTimer()
			testenv.ReportCPUPerOp(b, cpu0)
		})
	}
}
