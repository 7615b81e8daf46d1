package pylock

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pylock/pylock/lockfile"
	"github.com/pylock/pylock/pypi/index"
	pyinputs "github.com/pylock/pylock/pypi/inputs"
	"github.com/pylock/pylock/pypi/pep508"
	"github.com/pylock/pylock/pypi/target"
)

// Reused results (Options.ReuseResult)
//
// A resolution is a function of what this process reads: the options, the
// input files (and the environment variables they name), the previous
// lock, the target, pylock itself, and the index's project pages (the
// metadata it reads is content-addressed by hashes those pages give, so
// the pages fix it too). When a run read every page from the cache, sent
// no request, named no direct reference and built no sdist, its result is
// stored under a key over all of those but the pages (resultKey), with the
// pages entries it read and their CRC-32s (index.CachedPages). A later run
// with the same key whose pages entries are all still the same entries,
// byte for byte, and fresh (index.PagesUnchanged) returns that result
// without resolving: it is the result resolving would give. Anything else
// (a page revalidated or refetched since, --refresh, an edited input, a
// different pylock build) resolves as usual.

// resultRecord is a stored result: the lock as TOML and what else the
// Result carried, with the pages it was computed from.
type resultRecord struct {
	Pages    []index.CachedPage `json:"pages"`
	Lock     string             `json:"lock"`
	Warnings []string           `json:"warnings,omitempty"`
	ABIGuard []string           `json:"abi_guard,omitempty"`
	Stats    index.Stats        `json:"stats"`
}

// resultKey is the key of req's result for the inputs in, the index
// options io and the target t, or "" when the result cannot be reused:
// with --refresh, --no-cache or --verify-files, or a direct reference
// among the inputs (what it names is not an index page).
func resultKey(req Options, in *inputs, io index.Options, t target.Target, getenv func(string) string) string {
	if !req.ReuseResult || req.Refresh || req.NoCache || req.VerifyFiles || len(in.direct) > 0 {
		return ""
	}
	id := buildIdentity()
	if id == "" {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "pylock-results-v1\n%s\n", id)
	if writeKeyValue(h, keyedOptions(req)) != nil {
		return ""
	}
	fmt.Fprintf(h, "environments %q %q\n", markerStrings(req.Environments), markerStrings(req.RequiredEnvironments))
	for _, f := range in.files {
		fmt.Fprintf(h, "input %q\n", f.Path)
	}
	fmt.Fprintf(h, "inputs %s\n", (&pyinputs.Set{Files: in.files}).Hash()) // [tool.pylock] inputs-hash
	// The ${NAME}s of the inputs, as getenv and the process see them (the
	// lock records some as placeholders, from the process environment),
	// and the variables the index options and [tool.pylock] come from.
	for _, name := range append(slices.Clone(in.envRefs), "PYLOCK_INDEX_URL", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PYLOCK_CACHE_DIR") {
		v, set := os.LookupEnv(name)
		fmt.Fprintf(h, "env %q=%q %q %v\n", name, getenv(name), v, set)
	}
	fmt.Fprintf(h, "index %q %q %q %q %q\n", io.IndexURL, io.ExtraIndexURLs, io.FindLinks, io.Strategy, buildCacheDir(io))
	env := t.Env()
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	fmt.Fprint(h, "target ")
	if writeKeyValue(h, t) != nil {
		return ""
	}
	fmt.Fprintf(h, " %s", t.Python)
	for _, k := range keys {
		fmt.Fprintf(h, " %s=%q", k, env[k])
	}
	fmt.Fprintf(h, "\nprevious %s\n", fileDigest(req.PreviousLock))
	return hex.EncodeToString(h.Sum(nil))
}

// keyedOptions is req as hashed into a result's key (writeKeyValue):
// without the callbacks and stdin (tagged json:"-"; stdin's bytes are among the
// inputs' contents), Offline (a result is reused offline from pages of any
// age, as resolving offline would read them), and the markers (hashed as
// strings).
func keyedOptions(req Options) Options {
	req.Offline = false
	req.Environments, req.RequiredEnvironments = nil, nil
	return req
}

func markerStrings(ms []pep508.Marker) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.String()
	}
	return out
}

// fileDigest is the SHA-256 of the file at path, or "none" when there is
// no readable file there (the previous lock then gives no pins either).
func fileDigest(path string) string {
	if path == "" || path == "-" {
		return "none"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "none"
	}
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// buildIdentity names this pylock build: its module version and VCS
// revision, and for a development build (no revision, or modified
// sources) its executable's path, size and modification time. "" when it
// cannot be told (results are then never reused).
var buildIdentity = sync.OnceValue(func() string {
	parts := []string{runtime.Version()}
	dev := true
	if bi, ok := debug.ReadBuildInfo(); ok {
		parts = append(parts, bi.Main.Path, bi.Main.Version)
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				parts = append(parts, s.Value)
				dev = false
			case "vcs.modified":
				if s.Value == "true" {
					dev = true
				}
			}
		}
	}
	if dev {
		exe, err := os.Executable()
		if err != nil {
			return ""
		}
		st, err := os.Stat(exe)
		if err != nil {
			return ""
		}
		parts = append(parts, exe, fmt.Sprint(st.Size(), st.ModTime().UnixNano()))
	}
	return strings.Join(parts, "\n")
})

// reusedResult returns the result stored under key when every page it was
// computed from is unchanged, or nil.
func reusedResult(key string, io index.Options, t target.Target, start time.Time) *Result {
	dir := buildCacheDir(io)
	rec, ok := loadRecord(dir, key)
	if !ok {
		return nil
	}
	if !index.PagesUnchanged(dir, rec.Pages, time.Now(), io.Offline) {
		return nil
	}
	lock, err := lockfile.Parse("", []byte(rec.Lock))
	if err != nil {
		return nil
	}
	return &Result{Lock: lock, Target: t, IndexStats: rec.Stats, Warnings: rec.Warnings, ABIGuard: rec.ABIGuard,
		Duration: time.Since(start)}
}

// loadRecord reads and decodes the result stored under key in the cache
// at dir; false when there is none or it is damaged.
func loadRecord(dir, key string) (*resultRecord, bool) {
	data, ok := index.LoadResult(dir, key)
	if !ok {
		return nil, false
	}
	var rec resultRecord
	if err := json.Unmarshal(data, &rec); err != nil || rec.Lock == "" {
		return nil, false
	}
	return &rec, true
}

// remember stores res under r.reuseKey when it can be reused: every page
// came from the cache, no request was sent and no sdist was needed.
func (r *run) remember(res *Result) {
	if r.reuseKey == "" || res.Lock == nil || r.builds.used() {
		return
	}
	pages, ok := r.client.CachedPages()
	if !ok {
		return
	}
	toml, err := res.Lock.MarshalTOML()
	if err != nil {
		return
	}
	data, err := json.Marshal(resultRecord{Pages: pages, Lock: string(toml), Warnings: res.Warnings,
		ABIGuard: res.ABIGuard, Stats: res.IndexStats})
	if err != nil {
		return
	}
	r.client.StoreResult(r.reuseKey, data)
}
