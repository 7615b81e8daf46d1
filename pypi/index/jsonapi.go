package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/pylock/pylock/pypi/names"
)

// The PyPI JSON API (https://docs.pypi.org/api/json/) as a second source:
// /pypi/<name>/json lists every release's files; /pypi/<name>/<version>/json
// carries the release's requires_dist (null when empty), requires_python and
// provides_extra. Its requires_dist is what PyPI extracted at upload time,
// which for sdist-only releases may be empty or wrong; prefer Metadata.

type apiDoc struct {
	Info struct {
		Name           string   `json:"name"`
		Version        string   `json:"version"`
		RequiresDist   []string `json:"requires_dist"`
		RequiresPython *string  `json:"requires_python"`
		ProvidesExtra  []string `json:"provides_extra"`
		Yanked         bool     `json:"yanked"`
		YankedReason   *string  `json:"yanked_reason"`
	} `json:"info"`
	Releases map[string][]apiFile `json:"releases"`
	URLs     []apiFile            `json:"urls"`
}

type apiFile struct {
	Filename       string            `json:"filename"`
	URL            string            `json:"url"`
	Digests        map[string]string `json:"digests"`
	Size           *int64            `json:"size"`
	RequiresPython *string           `json:"requires_python"`
	Yanked         bool              `json:"yanked"`
	YankedReason   *string           `json:"yanked_reason"`
	UploadTime     string            `json:"upload_time_iso_8601"`
}

func (c *Client) apiURL(parts ...string) (string, error) {
	if c.jsonAPI == "" {
		return "", &Error{Op: "json-api", Project: parts[0], URL: c.indexes[0].display(),
			Err: errors.New("no JSON API for this index (set Options.JSONAPIURL)")}
	}
	u, err := url.Parse(c.jsonAPI)
	if err != nil {
		return "", err
	}
	u = u.JoinPath(append(parts, "json")...)
	return u.String(), nil
}

func (c *Client) apiGet(ctx context.Context, project, version string) (*apiDoc, *getResp, error) {
	c.consult.elsewhere()
	parts := []string{project}
	if version != "" {
		parts = append(parts, version)
	}
	u, err := c.apiURL(parts...)
	if err != nil {
		return nil, nil, err
	}
	r, err := c.get(ctx, getReq{url: u, accept: "application/json", cache: true, limit: c.opts.MaxBodyBytes,
		op: "json-api", project: project, version: version})
	if err != nil {
		return nil, nil, err
	}
	var doc apiDoc
	if err := json.Unmarshal(r.body, &doc); err != nil {
		return nil, nil, &Error{Op: "json-api", Project: project, Version: version, URL: Redact(u), Err: fmt.Errorf("bad JSON: %w", err)}
	}
	return &doc, r, nil
}

func (f apiFile) file(base *url.URL, index string) File {
	out := File{Filename: f.Filename, URL: f.URL, Hashes: cleanHashes(f.Digests), Size: -1, Yanked: f.Yanked, Index: index}
	if u, err := base.Parse(f.URL); err == nil {
		out.URL = u.String()
	}
	if f.Size != nil {
		out.Size = *f.Size
	}
	if f.RequiresPython != nil {
		out.RequiresPython = *f.RequiresPython
	}
	if f.YankedReason != nil {
		out.YankedReason = *f.YankedReason
	}
	if f.UploadTime != "" {
		out.UploadTime, _ = time.Parse(time.RFC3339Nano, f.UploadTime)
	}
	return out
}

// JSONProject returns a project's files from the PyPI JSON API (all
// releases), sorted by filename. A missing project wraps ErrNotFound.
func (c *Client) JSONProject(ctx context.Context, name string) (*Project, error) {
	cn := names.Canonicalize(name)
	doc, r, err := c.apiGet(ctx, cn, "")
	if err != nil {
		return nil, err
	}
	p := &Project{Name: cn, Index: Redact(c.jsonAPI)}
	for _, files := range doc.Releases {
		for _, f := range files {
			p.Files = append(p.Files, f.file(r.final, p.Index))
		}
	}
	sort.Slice(p.Files, func(i, j int) bool { return p.Files[i].Filename < p.Files[j].Filename })
	return p, nil
}

// JSONRelease returns one release's metadata (from the API's "info"; the
// MetadataVersion is empty) and files from the PyPI JSON API.
func (c *Client) JSONRelease(ctx context.Context, name, version string) (*Metadata, []File, error) {
	cn := names.Canonicalize(name)
	doc, r, err := c.apiGet(ctx, cn, strings.TrimSpace(version))
	if err != nil {
		return nil, nil, err
	}
	m := &Metadata{Name: doc.Info.Name, Version: doc.Info.Version, RequiresDist: doc.Info.RequiresDist,
		ProvidesExtra: doc.Info.ProvidesExtra}
	if doc.Info.RequiresPython != nil {
		m.RequiresPython = *doc.Info.RequiresPython
	}
	var files []File
	for _, f := range doc.URLs {
		files = append(files, f.file(r.final, Redact(c.jsonAPI)))
	}
	return m, files, nil
}

// OptionsFromEnv fills unset index options from the environment, as pip
// and uv users expect: IndexURL from PYLOCK_INDEX_URL, else PIP_INDEX_URL;
// ExtraIndexURLs from PIP_EXTRA_INDEX_URL (space-separated) when none are
// set; CacheDir from PYLOCK_CACHE_DIR. Flags should be applied after (they
// win); New itself reads only PYLOCK_CACHE_DIR.
func OptionsFromEnv(o Options) Options {
	if o.IndexURL == "" {
		o.IndexURL = firstEnv("PYLOCK_INDEX_URL", "PIP_INDEX_URL")
	}
	if len(o.ExtraIndexURLs) == 0 {
		o.ExtraIndexURLs = strings.Fields(os.Getenv("PIP_EXTRA_INDEX_URL"))
	}
	if o.CacheDir == "" {
		o.CacheDir = os.Getenv("PYLOCK_CACHE_DIR")
	}
	return o
}

func firstEnv(keys ...string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(os.Getenv(k)); v != "" {
			return v
		}
	}
	return ""
}
