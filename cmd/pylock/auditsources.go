package main

import (
	"context"
	"os"
	"path/filepath"

	"github.com/pylock/pylock/audit"
	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/vcs"
)

// sourceOptions configures audit's direct-reference drift check for lock l
// at lockPath (nil when l has no direct references). Offline, git
// revisions and archive URLs are not asked about; local directories and
// archives still are.
func sourceOptions(l *lockfile.Lock, lockPath, cacheDir string, offline bool) *audit.SourceOptions {
	direct := false
	for i := range l.Packages {
		p := &l.Packages[i]
		direct = direct || p.VCS != nil || p.Directory != nil || p.Archive != nil
	}
	if !direct {
		return nil
	}
	o := &audit.SourceOptions{LockDir: filepath.Dir(lockPath)}
	if offline {
		return o
	}
	if cacheDir == "" {
		cacheDir = os.Getenv("PYLOCK_CACHE_DIR")
	}
	if cacheDir == "" {
		if ucd, err := os.UserCacheDir(); err == nil {
			cacheDir = filepath.Join(ucd, "pylock")
		}
	}
	if cacheDir != "" {
		o.Git = &vcs.Git{CacheDir: filepath.Join(cacheDir, "git")}
	}
	o.Fetch = fetchURLIn(cacheDir)
	return o
}

// fetchURLIn returns audit's archive fetcher: the index client's download
// path (~/.netrc credentials, retries, size cap, redacted errors), with a
// temporary file in cacheDir.
func fetchURLIn(cacheDir string) func(ctx context.Context, u string) ([]byte, error) {
	return func(ctx context.Context, u string) ([]byte, error) {
		c, err := index.New(index.Options{CacheDir: cacheDir})
		if err != nil {
			return nil, err
		}
		defer c.Close()
		tmp, err := os.MkdirTemp("", "pylock-audit-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		dst := filepath.Join(tmp, "archive")
		if _, err := c.DownloadURL(ctx, u, dst); err != nil {
			return nil, err
		}
		return os.ReadFile(dst)
	}
}
