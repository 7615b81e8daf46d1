package build

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pylock/pylock/pypi/index"
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

// skipInTree lists directory names TreeHash ignores: version control,
// caches, virtual environments, and what builds write into a tree.
var skipInTree = map[string]bool{
	".git": true, ".hg": true, ".svn": true, ".bzr": true, "__pycache__": true,
	".tox": true, ".nox": true, ".venv": true, ".mypy_cache": true, ".pytest_cache": true,
}

// TreeHash is a content hash of a source tree: relative paths, the
// executable bit and contents of regular files, and symlink targets,
// skipping version-control and cache directories, *.egg-info directories
// and the top-level build/ and dist/ directories that builds write.
func TreeHash(dir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (skipInTree[d.Name()] || strings.HasSuffix(d.Name(), ".egg-info") || rel == "build" || rel == "dist") {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			t, err := os.Readlink(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "L %q %q\n", rel, t)
		case info.Mode().IsRegular():
			fh, err := os.Open(p)
			if err != nil {
				return err
			}
			fh2 := sha256.New()
			_, err = io.Copy(fh2, fh)
			fh.Close()
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "F %q %v %x\n", rel, info.Mode()&0o111 != 0, fh2.Sum(nil))
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("hashing %s: %w", dir, err)
	}
	return "tree-" + hex.EncodeToString(h.Sum(nil)), nil
}

// sortedCopy returns s sorted (for stable messages).
func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
