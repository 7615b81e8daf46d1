package pylock

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
)

// LockedFiles lists the distribution files of a lock (every wheel and
// sdist of every package, archives too) as index files with the URL, size
// and hashes the lock records, for index.Client.VerifyFiles. Files given
// by a path are resolved against the lock's directory lockDir. VCS and
// directory sources have no file to check.
func LockedFiles(lock *lockfile.Lock, lockDir string) []index.File {
	var out []index.File
	for _, p := range lock.Packages {
		arts := append([]lockfile.Artifact{}, p.Wheels...)
		if p.Sdist != nil {
			arts = append(arts, *p.Sdist)
		}
		if p.Archive != nil {
			arts = append(arts, *p.Archive)
		}
		for _, a := range arts {
			u := a.URL
			if u == "" && a.Path != "" {
				pth := a.Path
				if !filepath.IsAbs(pth) {
					pth = filepath.Join(lockDir, pth)
				}
				u = (&url.URL{Scheme: "file", Path: filepath.ToSlash(pth)}).String()
			}
			if u == "" {
				continue
			}
			name := a.Name
			if name == "" {
				name = filepath.Base(u)
			}
			size := a.Size
			if size == 0 {
				size = -1
			}
			out = append(out, index.File{Filename: name, URL: u, Hashes: a.Hashes, Size: size})
		}
	}
	return out
}

// verifyFiles is Options.VerifyFiles: every locked file downloaded and
// checked against the lock's hashes and sizes (an index failure if not).
func verifyFiles(ctx context.Context, req Options, c *index.Client, lock *lockfile.Lock) error {
	if !req.VerifyFiles {
		return nil
	}
	if req.Offline {
		return usageErr(fmt.Errorf("--verify-files downloads the locked files: it cannot be combined with --offline"))
	}
	dir := "."
	if req.LockPath != "" {
		dir = filepath.Dir(req.LockPath)
	}
	if err := c.VerifyFiles(ctx, LockedFiles(lock, dir)); err != nil {
		return &Error{Kind: KindIndex, Err: fmt.Errorf("--verify-files: %w", err)}
	}
	return nil
}
