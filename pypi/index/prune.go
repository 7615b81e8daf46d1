package index

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Pruning a cache
//
// Each kind of cache entry lives in a namespace directory named with its
// layout version ("pages-v3"); a pylock that changes a layout bumps the
// version and never reads the old directory again, and an interrupted
// process can leave a temporary file behind. These helpers find what the
// current layouts will not read again, for `pylock cache prune`. Newer
// versions than the current ones belong to a newer pylock sharing the
// cache and are kept.

// Namespaces lists the cache directories the index client reads and
// writes, at their current layout versions.
func Namespaces() []string {
	return []string{httpDir, pagesDir, metaDir, resultsDir, tmpDir}
}

var versioned = regexp.MustCompile(`^([a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*)-v([0-9]{1,6})$`)

// OldLayouts returns the names of the top-level directories of the cache
// at dir that hold an older layout of one of the namespaces in current
// ("name-vN"): "name-vM" with M < N. A missing dir has none.
func OldLayouts(dir string, current []string) ([]string, error) {
	latest := map[string]int{}
	for _, ns := range current {
		m := versioned.FindStringSubmatch(ns)
		if m == nil {
			return nil, fmt.Errorf("cache: namespace %q is not name-vN", ns)
		}
		v, _ := strconv.Atoi(m[2])
		latest[m[1]] = max(latest[m[1]], v)
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	var old []string
	for _, e := range entries {
		m := versioned.FindStringSubmatch(e.Name())
		if m == nil || !e.IsDir() {
			continue
		}
		v, _ := strconv.Atoi(m[2])
		if cur, ok := latest[m[1]]; ok && v < cur {
			old = append(old, e.Name())
		}
	}
	return old, nil
}

// StaleTemps returns the temporary files in the index client's current
// namespaces of the cache at dir (".tmp-*" files, and anything in the
// download spool) last modified before cutoff: a live process's are
// seconds old, older ones were left by a process that was killed.
func StaleTemps(dir string, cutoff time.Time) ([]string, error) {
	var out []string
	for _, sub := range Namespaces() {
		root := filepath.Join(dir, sub)
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if d.IsDir() || !(sub == tmpDir || strings.HasPrefix(d.Name(), ".tmp")) {
				return nil
			}
			if fi, err := d.Info(); err == nil && fi.ModTime().Before(cutoff) {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
	}
	return out, nil
}

// ResultKeys returns the keys of the results stored in the cache at dir,
// sorted.
func ResultKeys(dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(dir, resultsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	var keys []string
	for _, e := range entries {
		if e.Type().IsRegular() && resultKeyOK(e.Name()) {
			keys = append(keys, e.Name())
		}
	}
	slices.Sort(keys)
	return keys, nil
}

// ResultPath is the file of the result stored for key in the cache at dir.
func ResultPath(dir, key string) string {
	return filepath.Join(dir, resultsDir, key)
}

// PagesPresent reports whether every one of pages is still in the cache at
// dir as the same entry (its CRC-32), at any age: a result computed from
// pages one of which is gone or was rewritten can never be reused.
func PagesPresent(dir string, pages []CachedPage) bool {
	return PagesUnchanged(dir, pages, time.Time{}, true)
}
