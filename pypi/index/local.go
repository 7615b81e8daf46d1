package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/pylock/pylock/pypi/names"
)

// localIndex is a PEP 503 tree on disk: DIR/<project>/index.json or
// index.html (relative links resolved against the page, so a pyindex.py
// tree's "../../files/x.whl" works), or else the files in DIR/<project>/.
type localIndex struct {
	c   *Client
	dir string

	once  sync.Once
	alias map[string]string // canonical name -> directory name, for non-normalised dirs
}

func (s *localIndex) display() string { return s.dir }

func fileURL(p string) *url.URL { return &url.URL{Scheme: "file", Path: filepath.ToSlash(p)} }

func (s *localIndex) files(ctx context.Context, project string) ([]File, error) {
	s.c.consult.elsewhere()
	dir := filepath.Join(s.dir, project)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		s.once.Do(s.scan)
		alt, ok := s.alias[project]
		if !ok {
			return nil, &Error{Op: "project", Project: project, URL: s.dir, Err: ErrNotFound}
		}
		dir = filepath.Join(s.dir, alt)
	}
	for _, page := range []struct{ name, ctype string }{{"index.json", ctSimpleJSON}, {"index.html", "text/html"}} {
		p := filepath.Join(dir, page.name)
		data, err := readFileLimit(p, s.c.opts.MaxBodyBytes)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, &Error{Op: "project", Project: project, URL: p, Err: err}
		}
		files, err := parsePage(data, page.ctype, fileURL(p))
		if err != nil {
			return nil, &Error{Op: "project", Project: project, URL: p, Err: err}
		}
		return files, nil
	}
	files, err := listDir(dir)
	if err != nil {
		return nil, err
	}
	for i := range files {
		if err := hashLocal(&files[i]); err != nil {
			return nil, &Error{Op: "project", Project: project, URL: files[i].URL, Err: err}
		}
	}
	return files, nil
}

func (s *localIndex) scan() {
	s.alias = map[string]string{}
	ents, _ := os.ReadDir(s.dir)
	for _, e := range ents {
		if e.IsDir() {
			s.alias[names.Canonicalize(e.Name())] = e.Name()
		}
	}
}

// listDir lists distribution files in dir with their sha256.
func listDir(dir string) ([]File, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, &Error{Op: "find-links", URL: dir, Err: err}
	}
	var out []File
	for _, e := range ents {
		if e.IsDir() || distExt(e.Name()) == "" {
			continue
		}
		out = append(out, File{Filename: e.Name(), URL: fileURL(filepath.Join(dir, e.Name())).String(), Size: -1})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Filename < out[j].Filename })
	return out, nil
}

// hashLocal fills in Size and sha256 of a local file.
func hashLocal(f *File) error {
	u, err := url.Parse(f.URL)
	if err != nil {
		return err
	}
	fh, err := os.Open(u.Path)
	if err != nil {
		return err
	}
	defer fh.Close()
	h := sha256.New()
	n, err := io.Copy(h, fh)
	if err != nil {
		return err
	}
	f.Size = n
	f.Hashes = map[string]string{"sha256": hex.EncodeToString(h.Sum(nil))}
	return nil
}

// findLinks is a --find-links location: a directory of distribution files,
// or a page (URL or local HTML file) whose links are distribution files.
type findLinks struct {
	c    *Client
	loc  string // as given (may carry userinfo)
	dir  string // local directory, or ""
	page string // page URL (http(s) or file), or ""
}

func (c *Client) newFindLinks(loc string) (source, error) {
	u, err := url.Parse(loc)
	if err != nil && isHTTPURL(loc) {
		return nil, fmt.Errorf("--find-links %q: %w", Redact(loc), parseError(loc, err))
	}
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		if u.Host == "" {
			return nil, fmt.Errorf("--find-links URL %q has no host", Redact(loc))
		}
		c.creds.remember(u)
		return &findLinks{c: c, loc: loc, page: loc}, nil
	}
	p := loc
	if strings.HasPrefix(loc, "file:") {
		if err != nil {
			return nil, fmt.Errorf("--find-links %q: %w", Redact(loc), parseError(loc, err))
		}
		p = u.Path
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		if userinfo(loc) != "" {
			return nil, fmt.Errorf("--find-links %q: not an http(s) URL (no scheme) or an existing file or directory", Redact(loc))
		}
		return nil, fmt.Errorf("--find-links %q: %w", Redact(loc), unwrapPath(err))
	}
	if st.IsDir() {
		return &findLinks{c: c, loc: abs, dir: abs}, nil
	}
	return &findLinks{c: c, loc: abs, page: fileURL(abs).String()}, nil
}

func (s *findLinks) display() string { return Redact(s.loc) }

func (s *findLinks) files(ctx context.Context, project string) ([]File, error) {
	s.c.consult.elsewhere()
	all, err := s.c.pages.do(ctx, s.loc, func(ctx context.Context) ([]File, error) { return s.list(ctx) },
		func(err error) error {
			return &Error{Op: "find-links", Project: project, URL: s.display(), Err: fmt.Errorf("%w (waiting for the request in flight)", err)}
		})
	if err != nil {
		return nil, err
	}
	var out []File
	for _, f := range all {
		if !filenameMatches(f.Filename, project) {
			continue
		}
		if strings.HasPrefix(f.URL, "file:") && len(f.Hashes) == 0 {
			if err := hashLocal(&f); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					continue
				}
				return nil, &Error{Op: "find-links", Project: project, URL: Redact(f.URL), Err: err}
			}
		}
		out = append(out, f)
	}
	return out, nil
}

func (s *findLinks) list(ctx context.Context) ([]File, error) {
	if s.dir != "" {
		return listDir(s.dir)
	}
	if strings.HasPrefix(s.page, "file:") {
		u, _ := url.Parse(s.page)
		data, err := readFileLimit(u.Path, s.c.opts.MaxBodyBytes)
		if err != nil {
			return nil, &Error{Op: "find-links", URL: u.Path, Err: err}
		}
		return parseHTMLPage(data, u)
	}
	r, err := s.c.get(ctx, getReq{url: s.page, accept: "text/html", cache: true, limit: s.c.opts.MaxBodyBytes, op: "find-links"})
	if err != nil {
		return nil, err
	}
	files, err := parsePage(r.body, r.ctype, r.final)
	if err != nil {
		return nil, &Error{Op: "find-links", URL: Redact(s.page), Err: err}
	}
	base, _ := url.Parse(s.loc)
	out := files[:0]
	for _, f := range files {
		fu, err := url.Parse(f.URL)
		if err != nil || (fu.Scheme != "http" && fu.Scheme != "https") {
			continue
		}
		if fu.User == nil && base != nil && base.User != nil && strings.EqualFold(fu.Host, base.Host) {
			fu.User = base.User
			f.URL = fu.String()
		}
		out = append(out, f)
	}
	return out, nil
}
