package resolver_test

import (
	"context"
	"errors"
	"path/filepath"
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

// BenchmarkResolveUniversalSeed resolves the bundled seed stack
// (testdata/index.toml: fastapi, uvicorn, gunicorn, opencv-python, pillow,
// numpy) for every environment of Python >=3.9, metadata in memory: its
// requirements carry markers (colorama on Windows, exceptiongroup below
// 3.11), so the forks' markers are merged and simplified.
func BenchmarkResolveUniversalSeed(b *testing.B) {
	sc, err := corpus.LoadPackse(filepath.Join(testenv.ModuleRoot(), "testdata", "index.toml"))
	if err != nil {
		b.Fatal(err)
	}
	tg, _ := resolvelibEnv(b)
	p := memprovider.New(sc.Index, tg, memprovider.Options{})
	root, err := parseReqs(sc.Root)
	if err != nil {
		b.Fatal(err)
	}
	resolveOnce := func() {
		if _, err := resolver.ResolveUniversal(context.Background(), p, root, resolver.UniversalOptions{RequiresPython: ">=3.9"}); err != nil {
			b.Fatal(err)
		}
	}
	resolveOnce()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		resolveOnce()
	}
}
