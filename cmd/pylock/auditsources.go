package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/pylock/pylock/audit"
	"github.com/pylock/pylock/lockfile"
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
	o.Fetch = fetchURL
	return o
}

// fetchURL downloads an archive for the drift check.
func fetchURL(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return io.ReadAll(resp.Body)
}
