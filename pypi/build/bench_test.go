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
