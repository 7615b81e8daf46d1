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
			benchUniversal(b, memprovider.New(c.Index, tg, memprovider.Options{}), c.Requested, ">=3.8")
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
	benchUniversal(b, memprovider.New(sc.Index, tg, memprovider.Options{}), sc.Root, ">=3.9")
}

// benchUniversal times universal resolutions of requested over p for
// requiresPython, after one that warms p; "no solution" is a result.
func benchUniversal(b *testing.B, p resolver.Provider, requested []string, requiresPython string) {
	root, err := parseReqs(requested)
	if err != nil {
		b.Fatal(err)
	}
	resolveOnce := func() {
		_, err := resolver.ResolveUniversal(context.Background(), p, root, resolver.UniversalOptions{RequiresPython: requiresPython})
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
}
