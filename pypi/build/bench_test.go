package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pylock/pylock/internal/buildtest"
	"github.com/pylock/pylock/pypi/index"
)

// BenchmarkWarmSdistMetadata measures a warm run: a fresh Builder (no
// in-process memo) answering from the on-disk cache. The cold build is
// timed once and reported as cold-ms.
func BenchmarkWarmSdistMetadata(b *testing.B) {
	if _, err := FindInterpreter(context.Background(), ""); err != nil {
		b.Skip(err)
	}
	data := buildtest.TarGz(map[string]string{
		"inproj-0.3/pyproject.toml":      "[build-system]\nrequires = []\nbuild-backend = \"inbackend\"\nbackend-path = [\"_build\"]\n",
		"inproj-0.3/_build/inbackend.py": mustRead(b, "testdata/inbackend/_build/inbackend.py"),
		"inproj-0.3/PKG-INFO":            "Metadata-Version: 1.1\nName: inproj\nVersion: 0.3\n",
		"inproj-0.3/inproj/__init__.py":  "",
	})
	path := filepath.Join(b.TempDir(), "inproj-0.3.tar.gz")
	os.WriteFile(path, data, 0o644)
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	cache := b.TempDir()
	pkg := Package{Name: "inproj", Version: "0.3"}
	cold := time.Now()
	if _, err := New(Options{CacheDir: cache}).SdistMetadata(context.Background(), path, sha, pkg); err != nil {
		b.Fatal(err)
	}
	coldMs := float64(time.Since(cold).Milliseconds())
	b.ResetTimer()
	for b.Loop() {
		res, err := New(Options{CacheDir: cache}).SdistMetadata(context.Background(), path, sha, pkg)
		if err != nil || res.Source != SourceCache {
			b.Fatalf("%v %+v", err, res)
		}
	}
	b.ReportMetric(coldMs, "cold-ms")
}

func mustRead(b *testing.B, p string) string {
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	return string(data)
}

// BenchmarkColdSetuptoolsTree builds a setuptools project's metadata from
// scratch each time (a new build environment from the bundled setuptools
// and wheel wheels, both hooks), with [build-system] requires of
// setuptools alone (get_requires_for_build_wheel then asks for wheel,
// which is installed before a fresh runner) and of setuptools and wheel
// (nothing to install: the runner started beside the first hook runs the
// second).
//
//	go test ./pypi/build -run '^$' -bench ColdSetuptoolsTree -benchtime 5x
func BenchmarkColdSetuptoolsTree(b *testing.B) {
	py, err := FindInterpreter(context.Background(), "")
	if err != nil {
		b.Skip(err)
	}
	idx := b.TempDir()
	buildtest.IndexWith(b, idx, py.Path, "setuptools", "wheel")
	c, err := index.New(index.Options{IndexURL: idx, NoCache: true})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for _, requires := range []string{`["setuptools"]`, `["setuptools", "wheel"]`} {
		b.Run("requires="+requires, func(b *testing.B) {
			dir := b.TempDir()
			os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[build-system]\nrequires = "+requires+
				"\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"demo\"\nversion = \"0.1\"\ndynamic = [\"dependencies\"]\n"), 0o644)
			os.WriteFile(filepath.Join(dir, "setup.py"), []byte("from setuptools import setup\nsetup(py_modules=[], install_requires=[\"six\"])\n"), 0o644)
			for b.Loop() {
				res, err := New(Options{Resolver: &dirResolver{c: c}}).DirMetadata(context.Background(), dir, Package{Name: "demo"}, "")
				if err != nil || res.Source != SourceBuild || len(res.Metadata.RequiresDist) != 1 {
					b.Fatalf("%v %+v", err, res)
				}
			}
		})
	}
}
