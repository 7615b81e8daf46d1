package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pylock/pylock/internal/buildtest"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/wheel"
)

// dirResolver pins build requirements from a local directory index through
// index.Client: the newest wheel matching each requirement, following
// unconditional dependencies. It records what it was asked.
type dirResolver struct {
	c     *index.Client
	mu    sync.Mutex
	asked [][]string
}

func (r *dirResolver) ResolveBuildEnv(ctx context.Context, py *Interpreter, reqs []pep508.Requirement) ([]PinnedFile, error) {
	var asked []string
	for _, q := range reqs {
		asked = append(asked, q.String())
	}
	r.mu.Lock()
	r.asked = append(r.asked, asked)
	r.mu.Unlock()
	seen := map[string]bool{}
	var out []PinnedFile
	for len(reqs) > 0 {
		q := reqs[0]
		reqs = reqs[1:]
		if seen[q.NormalizedName()] {
			continue
		}
		seen[q.NormalizedName()] = true
		p, err := r.c.Project(ctx, q.NormalizedName())
		if err != nil {
			return nil, err
		}
		var best *index.File
		var bestV pep440.Version
		for i, f := range p.Files {
			w, err := wheel.ParseFilename(f.Filename)
			if err != nil || !q.Specifier.Contains(w.Version) {
				continue
			}
			if best == nil || bestV.Less(w.Version) {
				best, bestV = &p.Files[i], w.Version
			}
		}
		if best == nil {
			return nil, fmt.Errorf("no wheel for %s", q)
		}
		md, err := r.c.Metadata(ctx, *best)
		if err != nil {
			return nil, err
		}
		for _, d := range md.RequiresDist {
			if dr, err := pep508.ParseRequirement(d); err == nil && dr.Marker.String() == "" {
				reqs = append(reqs, dr)
			}
		}
		out = append(out, PinnedFile{Name: p.Name, Version: bestV.String(), Filename: best.Filename, URL: best.URL, SHA256: best.Hashes["sha256"]})
	}
	return out, nil
}

func normReqs(t *testing.T, in []string) []string {
	var out []string
	for _, s := range in {
		r, err := pep508.ParseRequirement(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		out = append(out, r.String())
	}
	sort.Strings(out)
	return out
}

// TestSetuptoolsLegacySdist builds, for real and offline, an sdist whose
// PKG-INFO is Metadata-Version 1.1 and whose dependencies live only in
// setup.py, with the setuptools wheel CPython bundles and a wheel of
// `wheel` served from a local directory index.
func TestSetuptoolsLegacySdist(t *testing.T) {
	py := needPython(t)
	idx := t.TempDir()
	buildtest.IndexWith(t, idx, py.Path, "setuptools", "wheel")
	c, err := index.New(index.Options{IndexURL: idx, NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sdist := buildtest.TarGz(map[string]string{
		"oldpkg-1.0/PKG-INFO": "Metadata-Version: 1.1\nName: oldpkg\nVersion: 1.0\nSummary: old style\n",
		"oldpkg-1.0/setup.py": `from setuptools import setup
setup(name="oldpkg", version="1.0", packages=["oldpkg"], python_requires=">=3.6",
      install_requires=["six>=1.0", 'colorama; sys_platform == "win32"'],
      extras_require={"socks": ["pysocks>=1.5"]})
`,
		"oldpkg-1.0/oldpkg/__init__.py": "",
	})
	path := filepath.Join(t.TempDir(), "oldpkg-1.0.tar.gz")
	os.WriteFile(path, sdist, 0o644)
	sum := sha256.Sum256(sdist)
	sha := hex.EncodeToString(sum[:])

	res := &dirResolver{c: c}
	cache := t.TempDir()
	var log logSink
	b := New(Options{Resolver: res, CacheDir: cache, Log: log.log})
	start := time.Now()
	got, err := b.SdistMetadata(context.Background(), path, sha, Package{Name: "oldpkg", Version: "1.0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cold build: %s", time.Since(start).Round(time.Millisecond))
	if got.Source != SourceBuild {
		t.Errorf("source = %q", got.Source)
	}
	want := normReqs(t, []string{"six>=1.0", `colorama; sys_platform == "win32"`, `pysocks>=1.5; extra == "socks"`})
	if g := normReqs(t, got.Metadata.RequiresDist); strings.Join(g, "|") != strings.Join(want, "|") {
		t.Errorf("Requires-Dist = %q, want %q", g, want)
	}
	if got.Metadata.RequiresPython != ">=3.6" || len(got.Metadata.ProvidesExtra) != 1 || names.Canonicalize(got.Metadata.ProvidesExtra[0]) != "socks" {
		t.Errorf("metadata = %+v", got.Metadata)
	}
	// [build-system] defaults, then get_requires_for_build_wheel's answer.
	if len(res.asked) != 2 || strings.Join(res.asked[0], ",") != "setuptools>=40.8.0" || strings.Join(res.asked[1], ",") != "wheel" {
		t.Errorf("resolver asked %q", res.asked)
	}
	if !strings.Contains(log.String(), "setuptools==") || !strings.Contains(log.String(), "wheel==") {
		t.Errorf("log lacks the build environment:\n%s", log.String())
	}
	// Warm: the cache answers; nothing is resolved or built.
	res2 := &dirResolver{c: c}
	start = time.Now()
	got2, err := New(Options{Resolver: res2, CacheDir: cache}).SdistMetadata(context.Background(), path, sha, Package{Name: "oldpkg", Version: "1.0"})
	if err != nil || got2.Source != SourceCache || len(res2.asked) != 0 {
		t.Fatalf("warm: %v %+v asked %q", err, got2, res2.asked)
	}
	t.Logf("warm (cached): %s", time.Since(start).Round(time.Microsecond))
}
