package fakeindex

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/pypi/names"
)

// Build writes idx as a static index tree in dir, in pyindex.py's layout:
//
//	dir/simple/index.{html,json}, dir/simple/<name>/index.{html,json},
//	dir/files/<file>, dir/files/<wheel>.metadata,
//	dir/pypi/<name>/json, dir/pypi/<name>/<version>/json (root-relative URLs)
//
// Links in the simple pages are relative ("../../files/x.whl"), so the tree
// works as a local PEP 503 directory index and behind any static server.
// The tree is written beside dir and renamed into place.
func Build(idx *corpus.Index, dir string) error { return BuildWithOptions(idx, dir, Options{}) }

// BuildWithOptions is Build honouring the rendering options (NoMetadata).
func BuildWithOptions(idx *corpus.Index, dir string, opts Options) error {
	dir = filepath.Clean(dir)
	tmp := filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".tmp")
	os.RemoveAll(tmp)
	s := newServer(idx, opts)
	s.mu.Lock()
	ns := s.projectNamesLocked()
	s.mu.Unlock()
	w := func(rel string, data []byte) error {
		p := filepath.Join(tmp, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	}
	if err := buildTree(s, ns, w, &opts); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("fakeindex.Build %s: %w", dir, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}

func buildTree(s *Server, ns []string, w func(string, []byte) error, o *Options) error {
	if err := w("simple/index.html", rootHTML(ns)); err != nil {
		return err
	}
	if err := w("simple/index.json", rootJSON(ns)); err != nil {
		return err
	}
	for _, n := range ns {
		rp := s.project(n)
		if err := w("simple/"+n+"/index.html", rp.HTML); err != nil {
			return err
		}
		if err := w("simple/"+n+"/index.json", rp.JSON); err != nil {
			return err
		}
		for _, f := range rp.ordered() {
			if err := w("files/"+f.Filename, f.Data); err != nil {
				return err
			}
			if f.Metadata != nil && !o.NoMetadata {
				if err := w("files/"+f.Filename+".metadata", f.Metadata); err != nil {
					return err
				}
			}
		}
		if rp.API == nil {
			continue
		}
		if err := w("pypi/"+n+"/json", rp.API); err != nil {
			return err
		}
		for v, b := range rp.APIRel {
			vd := strings.NewReplacer("/", "_", `\`, "_").Replace(v)
			if err := w("pypi/"+n+"/"+vd+"/json", b); err != nil {
				return err
			}
		}
	}
	return nil
}

// FromResolvelib builds an Index from resolvelib snapshot JSON
// ({project: {version: {"dependencies": [...]}}}): one py3-none-any wheel
// per version, no sdist, as pyindex.py does. Non-object entries are skipped.
// (internal/corpus.LoadResolvelibIndex is the general loader; this one keeps
// the fake server's tests self-contained.)
func FromResolvelib(data []byte) (*corpus.Index, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	idx := &corpus.Index{Projects: map[string]*corpus.Project{}}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, name := range keys {
		var versions map[string]json.RawMessage
		if json.Unmarshal(raw[name], &versions) != nil {
			continue
		}
		cn := names.Canonicalize(name)
		p := idx.Projects[cn]
		if p == nil {
			p = &corpus.Project{Name: cn}
			idx.Projects[cn] = p
		}
		vkeys := make([]string, 0, len(versions))
		for v := range versions {
			vkeys = append(vkeys, v)
		}
		sort.Strings(vkeys)
		for _, v := range vkeys {
			info := versions[v]
			var rel struct {
				Dependencies   []string `json:"dependencies"`
				RequiresPython string   `json:"requires_python"`
			}
			if json.Unmarshal(info, &rel) != nil {
				continue
			}
			p.Releases = append(p.Releases, &corpus.Release{Version: v, Requires: rel.Dependencies,
				RequiresPython: rel.RequiresPython, Wheel: true, WheelTags: []string{"py3-none-any"}})
		}
	}
	return idx, nil
}
