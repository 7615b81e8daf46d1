package build

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/sdist"
)

// cachePath is where the metadata built for key lives ("" without a cache).
func (b *Builder) cachePath(key string) string {
	if b.opts.CacheDir == "" {
		return ""
	}
	return filepath.Join(b.opts.CacheDir, "built-metadata", key+".METADATA")
}

// cacheGet returns cached metadata for key, nil when absent. A corrupt
// entry is removed and treated as absent; other storage errors surface.
func (b *Builder) cacheGet(key string) (*index.Metadata, error) {
	p := b.cachePath(key)
	if p == "" {
		return nil, nil
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("build cache: %w", err)
	}
	m, err := index.ParseMetadata(data)
	if err != nil {
		os.Remove(p)
		return nil, nil
	}
	return m, nil
}

// cachePut stores metadata atomically (temp file + rename).
func (b *Builder) cachePut(key string, m *index.Metadata) error {
	p := b.cachePath(key)
	if p == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("build cache: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("build cache: %w", err)
	}
	_, werr := tmp.Write(renderMetadata(m))
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), p)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("build cache: %w", werr)
	}
	return nil
}

// renderMetadata writes the fields pylock uses back as core metadata.
func renderMetadata(m *index.Metadata) []byte {
	var b strings.Builder
	field := func(k, v string) {
		if v != "" {
			b.WriteString(k + ": " + strings.ReplaceAll(v, "\n", " ") + "\n")
		}
	}
	field("Metadata-Version", m.MetadataVersion)
	field("Name", m.Name)
	field("Version", m.Version)
	field("Requires-Python", m.RequiresPython)
	for _, e := range m.ProvidesExtra {
		field("Provides-Extra", e)
	}
	for _, r := range m.RequiresDist {
		field("Requires-Dist", r)
	}
	return []byte(b.String())
}

// treeKey is the cache key of a source tree's built metadata:
// "tree-<hex>" of sdist.TreeHash (the hash a lock records for a directory).
func treeKey(dir string) (string, error) {
	h, err := sdist.TreeHash(dir)
	if err != nil {
		return "", err
	}
	return "tree-" + strings.TrimPrefix(h, "sha256:"), nil
}

// sortedCopy returns s sorted (for stable messages).
func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
