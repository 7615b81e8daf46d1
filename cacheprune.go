package pylock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/pylock/pylock/pypi/index"
	"github.com/pylock/pylock/pypi/target"
)

// CacheDir is the cache directory a run with --cache-dir cacheDir ("" =
// not given) uses: cacheDir, else $PYLOCK_CACHE_DIR, else pylock under the
// user's cache directory ("" when there is none).
func CacheDir(cacheDir string) string {
	return buildCacheDir(index.Options{CacheDir: cacheDir})
}

// CacheReport lists what PruneCache or CleanCache removed (or, on a dry
// run, would remove).
type CacheReport struct {
	Paths []string // directories and files, absolute or as under dir
	Files int      // regular files among them and within them
	Bytes int64    // their sizes
}

// staleTempAge is how old a temporary file must be for PruneCache to take
// it as left behind by a killed process: a live one's are seconds old.
const staleTempAge = time.Hour

// cacheEntry matches the names pylock gives the top-level entries of its
// cache: versioned namespaces of the index client, the previous-lock pins
// and the interpreter probes (any version), and the directories of git
// checkouts, direct references' archives and sdist builds.
var cacheEntry = regexp.MustCompile(`^(?:(?:http|pages|meta|results|tmp|prefs|interp)-v[0-9]+|git|direct|build)$`)

// checkCacheDir refuses a directory that holds anything pylock does not
// put in its cache (--cache-dir ~ by mistake, say): nothing there is
// removed.
func checkCacheDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	var foreign []string
	for _, e := range entries {
		if !cacheEntry.MatchString(e.Name()) {
			foreign = append(foreign, e.Name())
		}
	}
	if len(foreign) > 0 {
		more := ""
		if len(foreign) > 3 {
			foreign, more = foreign[:3], fmt.Sprintf(" and %d more", len(foreign)-3)
		}
		return fmt.Errorf("not a pylock cache: it holds %s%s, which pylock does not create; nothing removed", strings.Join(foreign, ", "), more)
	}
	return nil
}

// PruneCache removes from the cache at dir what this pylock will not read
// again, and keeps everything it can still use:
//   - the directories of older layouts of its entries (http-v3 once http-v4
//     is current, say: left by an earlier pylock; newer layouts belong to
//     a newer pylock sharing the cache and are kept);
//   - temporary files more than an hour old (left by a killed process);
//   - stored results (Options.ReuseResult) that can never be reused: a
//     project page they were computed from was rewritten or removed since.
//
// A dir that holds something pylock does not create is refused. With
// dryRun it removes nothing and reports what it would remove. Other
// pylock processes may use the cache meanwhile: what they still read is
// not removed, and a run whose stored result disappears resolves again.
func PruneCache(dir string, now time.Time, dryRun bool) (CacheReport, error) {
	var rep CacheReport
	if dir == "" {
		return rep, errors.New("no cache directory")
	}
	if err := checkCacheDir(dir); err != nil {
		return rep, err
	}
	old, err := index.OldLayouts(dir, append(index.Namespaces(), prefsNamespace, target.ProbeNamespace))
	if err != nil {
		return rep, err
	}
	var paths []string
	for _, name := range old {
		paths = append(paths, filepath.Join(dir, name))
	}
	temps, err := index.StaleTemps(dir, now.Add(-staleTempAge))
	if err != nil {
		return rep, err
	}
	paths = append(paths, temps...)
	keys, err := index.ResultKeys(dir)
	if err != nil {
		return rep, err
	}
	for _, key := range keys {
		if rec, ok := loadRecord(dir, key); ok && index.PagesPresent(dir, rec.Pages) {
			continue
		}
		paths = append(paths, index.ResultPath(dir, key)) // unreusable or damaged
	}
	return rep, removeAll(&rep, paths, dryRun)
}

// CleanCache removes the whole cache at dir (nothing when there is none),
// unless dir holds something pylock does not create.
func CleanCache(dir string, dryRun bool) (CacheReport, error) {
	var rep CacheReport
	if dir == "" {
		return rep, errors.New("no cache directory")
	}
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return rep, nil
	}
	if err := checkCacheDir(dir); err != nil {
		return rep, err
	}
	return rep, removeAll(&rep, []string{dir}, dryRun)
}

// removeAll counts paths into rep and, unless dryRun, removes them.
func removeAll(rep *CacheReport, paths []string, dryRun bool) error {
	for _, p := range paths {
		files, size := du(p)
		if !dryRun {
			if err := os.RemoveAll(p); err != nil {
				return fmt.Errorf("cache: %w", err)
			}
		}
		rep.Paths = append(rep.Paths, p)
		rep.Files += files
		rep.Bytes += size
	}
	return nil
}

// du counts the regular files at or under p and their sizes.
func du(p string) (files int, size int64) {
	filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				files++
				size += fi.Size()
			}
		}
		return nil
	})
	return files, size
}
