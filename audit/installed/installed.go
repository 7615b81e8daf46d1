// Package installed reads the distributions installed in a Python
// environment from their *.dist-info directories (the "Recording installed
// projects" spec, formerly PEP 376/627), without running Python except to
// ask an interpreter for its sys.path.
package installed

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pylock/pylock/pypi/names"
)

// Dist is one installed distribution.
type Dist struct {
	Name      string // canonical
	RawName   string // as in METADATA
	Version   string
	Installer string // INSTALLER contents, e.g. "pip"
	Dir       string // the .dist-info directory
	Root      string // the site-packages directory holding it
	Record    []RecordEntry
	// DirectURL is what direct_url.json (PEP 610) says the distribution was
	// installed from; nil for an index install.
	DirectURL *DirectURL
}

// DirectURL is a PEP 610 direct_url.json: the URL a distribution was
// installed from and what kind of source it was.
type DirectURL struct {
	URL          string
	Subdirectory string
	Dir          bool   // dir_info: a local directory
	Editable     bool   // dir_info.editable
	VCS          string // vcs_info.vcs ("git"), "" when not a VCS install
	CommitID     string // vcs_info.commit_id
	ArchiveHash  string // archive_info hash as "alg=hex", or ""
}

// parseDirectURL reads a direct_url.json; nil when it is unreadable.
func parseDirectURL(b []byte) *DirectURL {
	var j struct {
		URL          string `json:"url"`
		Subdirectory string `json:"subdirectory"`
		DirInfo      *struct {
			Editable bool `json:"editable"`
		} `json:"dir_info"`
		VCSInfo *struct {
			VCS      string `json:"vcs"`
			CommitID string `json:"commit_id"`
		} `json:"vcs_info"`
		ArchiveInfo *struct {
			Hash   string            `json:"hash"`
			Hashes map[string]string `json:"hashes"`
		} `json:"archive_info"`
	}
	if json.Unmarshal(b, &j) != nil || j.URL == "" {
		return nil
	}
	d := &DirectURL{URL: j.URL, Subdirectory: j.Subdirectory}
	switch {
	case j.DirInfo != nil:
		d.Dir, d.Editable = true, j.DirInfo.Editable
	case j.VCSInfo != nil:
		d.VCS, d.CommitID = j.VCSInfo.VCS, j.VCSInfo.CommitID
	case j.ArchiveInfo != nil:
		d.ArchiveHash = j.ArchiveInfo.Hash
		if h := j.ArchiveInfo.Hashes["sha256"]; h != "" {
			d.ArchiveHash = "sha256=" + h
		}
	}
	return d
}

// RecordEntry is one RECORD row.
type RecordEntry struct {
	Path string // relative to Root
	Hash string // "sha256=<urlsafe b64, no padding>" or ""
	Size int64  // -1 when not recorded
}

// Env is a set of installed distributions keyed by canonical name.
type Env struct {
	Paths []string
	Dists map[string]*Dist
}

// ReadSitePackages reads every *.dist-info directory directly inside the
// given directories. The first occurrence of a name wins, as on sys.path.
func ReadSitePackages(dirs ...string) (*Env, error) {
	env := &Env{Paths: dirs, Dists: map[string]*Dist{}}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && len(dirs) > 1 {
				continue
			}
			return nil, fmt.Errorf("reading site-packages %s: %w", dir, err)
		}
		for _, e := range entries {
			if !e.IsDir() || !strings.HasSuffix(e.Name(), ".dist-info") {
				continue
			}
			d, err := readDistInfo(dir, filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			if _, dup := env.Dists[d.Name]; !dup {
				env.Dists[d.Name] = d
			}
		}
	}
	return env, nil
}

// Names returns the canonical names in sorted order.
func (e *Env) Names() []string {
	out := make([]string, 0, len(e.Dists))
	for n := range e.Dists {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func readDistInfo(root, dir string) (*Dist, error) {
	meta, err := os.ReadFile(filepath.Join(dir, "METADATA"))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, "METADATA"), err)
	}
	name, version := headerValue(meta, "Name"), headerValue(meta, "Version")
	if name == "" || version == "" {
		return nil, fmt.Errorf("%s: METADATA has no Name or Version", dir)
	}
	d := &Dist{Name: names.Canonicalize(name), RawName: name, Version: version, Dir: dir, Root: root}
	if b, err := os.ReadFile(filepath.Join(dir, "INSTALLER")); err == nil {
		d.Installer = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile(filepath.Join(dir, "direct_url.json")); err == nil {
		d.DirectURL = parseDirectURL(b)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "RECORD")); err == nil {
		rec, err := parseRecord(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "RECORD"), err)
		}
		d.Record = rec
	}
	return d, nil
}

// headerValue returns the first value of an RFC 822 style header in the
// header block of core metadata.
func headerValue(meta []byte, key string) string {
	sc := bufio.NewScanner(bytes.NewReader(meta))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), key) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func parseRecord(b []byte) ([]RecordEntry, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	var out []RecordEntry
	for line := 1; ; line++ {
		row, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if len(row) == 0 || row[0] == "" {
			continue
		}
		e := RecordEntry{Path: row[0], Size: -1}
		if len(row) > 1 {
			e.Hash = row[1]
		}
		if len(row) > 2 && row[2] != "" {
			fmt.Sscan(row[2], &e.Size)
		}
		out = append(out, e)
	}
}

// Tampered is a recorded file whose content no longer matches RECORD.
type Tampered struct {
	Path   string
	Reason string // "missing", "hash mismatch", "size mismatch"
}

// Verify checks every RECORD entry that carries a sha256 hash.
func (d *Dist) Verify() []Tampered {
	var out []Tampered
	for _, e := range d.Record {
		algo, want, ok := strings.Cut(e.Hash, "=")
		if !ok || algo != "sha256" {
			continue
		}
		p := e.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(d.Root, filepath.FromSlash(p))
		}
		data, err := os.ReadFile(p)
		if err != nil {
			out = append(out, Tampered{Path: e.Path, Reason: "missing"})
			continue
		}
		sum := sha256.Sum256(data)
		if got := base64.RawURLEncoding.EncodeToString(sum[:]); got != strings.TrimRight(want, "=") {
			out = append(out, Tampered{Path: e.Path, Reason: "hash mismatch"})
		}
	}
	return out
}

// SitePackagesOf asks the interpreter at python for the directories of
// sys.path that exist (site-packages and friends), with a timeout.
func SitePackagesOf(ctx context.Context, python string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	const script = "import sys, json; print(json.dumps([p for p in sys.path if p]))"
	out, err := exec.CommandContext(ctx, python, "-c", script).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("asking %s for sys.path: %w: %s", python, err, strings.TrimSpace(string(ee.Stderr)))
		}
		return nil, fmt.Errorf("asking %s for sys.path: %w", python, err)
	}
	var paths []string
	if err := json.Unmarshal(out, &paths); err != nil {
		return nil, fmt.Errorf("asking %s for sys.path: unexpected output %q", python, strings.TrimSpace(string(out)))
	}
	var dirs []string
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			dirs = append(dirs, p)
		}
	}
	return dirs, nil
}

// ReadPython reads the environment of the interpreter at python.
func ReadPython(ctx context.Context, python string) (*Env, error) {
	dirs, err := SitePackagesOf(ctx, python)
	if err != nil {
		return nil, err
	}
	return ReadSitePackages(dirs...)
}
