package resolver_test

import (
	"context"
	"testing"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/internal/memprovider"
	"github.com/pylock/pylock/internal/testenv"
	"github.com/pylock/pylock/resolver"
)

// BenchmarkResolveUniversal resolves each resolvelib case for every
// environment of Python >=3.8 with metadata in memory.
func BenchmarkResolveUniversal(b *testing.B) {
	cases, err := corpus.LoadAllResolvelib(testenv.CorpusDir(b))
	if err != nil {
		b.Fatal(err)
	}
	tg, _ := resolvelibEnv(b)
	for _, c := range cases {
		root, err := parseReqs(c.Requested)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p := memprovider.New(c.Index, tg, memprovider.Options{})
				_, _ = resolver.ResolveUniversal(context.Background(), p, root, resolver.UniversalOptions{RequiresPython: ">=3.8"})
			}
		})
	}
}
