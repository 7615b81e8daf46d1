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

// BenchmarkResolveUniversal resolves each resolvelib case for every
// environment of Python >=3.8 with all metadata already in memory (the
// provider is warmed by one resolution before timing, as in
// BenchmarkResolvelib, which it is meant to be compared with).
func BenchmarkResolveUniversal(b *testing.B) {
	cases, err := corpus.LoadAllResolvelib(testenv.CorpusDir(b))
	if err != nil {
		b.Fatal(err)
	}
	tg, _ := resolvelibEnv(b)
	for _, c := range cases {
		b.Run(c.Name, func(b *testing.B) {
			p := memprovider.New(c.Index, tg, memprovider.Options{})
			root, err := parseReqs(c.Requested)
			if err != nil {
				b.Fatal(err)
			}
			resolveOnce := func() {
				_, err := resolver.ResolveUniversal(context.Background(), p, root, resolver.UniversalOptions{RequiresPython: ">=3.8"})
				var ns *resolver.NoSolutionError
				if err != nil && !errors.As(err, &ns) {
					b.Fatal(err)
				}
			}
			resolveOnce()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				resolveOnce()
			}
		})
	}
}
