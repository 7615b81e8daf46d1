package fakeindex

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/pylock/pylock/internal/corpus"
	"github.com/pylock/pylock/pypi/names"
)

// uploadBase: release i of a project (ascending version order) is uploaded
// at uploadBase + i days, its j-th file j minutes later (as pyindex.py).
var uploadBase = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

func unixTime(s int64) time.Time { return time.Unix(s, 0).UTC() }

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// dist is one rendered distribution file.
type dist struct {
	Filename    string
	Data        []byte
	Metadata    []byte // PEP 658 file (wheels only)
	PackageType string // bdist_wheel | sdist
	PyVersion   string // wheel python tag or "source"
	Upload      time.Time
	Release     *corpus.Release
}

// project is a rendered project: its files and every document about it.
type project struct {
	Name     string
	Releases []*corpus.Release // ascending version order
	Files    map[string]*dist  // by filename
	ByRel    map[*corpus.Release][]*dist
	HTML     []byte
	JSON     []byte
	API      []byte            // root-relative URLs; nil when no releases
	APIRel   map[string][]byte // by version as written
	Serial   int
}

func sortedReleases(p *corpus.Project) []*corpus.Release {
	rels := append([]*corpus.Release(nil), p.Releases...)
	sort.SliceStable(rels, func(i, j int) bool {
		return compareVersions(parseVersion(rels[i].Version), parseVersion(rels[j].Version)) < 0
	})
	return rels
}

func yankedReason(r *corpus.Release) any {
	if !r.Yanked || r.YankedReason == "" {
		return nil
	}
	return r.YankedReason
}

// renderProject builds all artifacts and pages of one project.
func renderProject(p *corpus.Project, o *Options, serial int) *project {
	name := names.Canonicalize(p.Name)
	rp := &project{Name: name, Releases: sortedReleases(p), Files: map[string]*dist{},
		ByRel: map[*corpus.Release][]*dist{}, APIRel: map[string][]byte{}, Serial: serial}
	for i, rel := range rp.Releases {
		t0 := rel.UploadTime
		if t0.IsZero() {
			t0 = uploadBase.AddDate(0, 0, i)
		}
		var files []*dist
		if rel.Sdist {
			fn, data := buildSdist(name, rel)
			files = append(files, &dist{Filename: fn, Data: data, PackageType: "sdist", PyVersion: "source", Release: rel})
		}
		tags := rel.WheelTags
		if rel.Wheel && len(tags) == 0 {
			tags = []string{"py3-none-any"}
		}
		for _, tag := range tags {
			fn, data, meta := buildWheel(name, rel, tag)
			files = append(files, &dist{Filename: fn, Data: data, Metadata: meta, PackageType: "bdist_wheel",
				PyVersion: strings.Split(tag, "-")[0], Release: rel})
		}
		for j, f := range files {
			f.Upload = t0.Add(time.Duration(j) * time.Minute)
			rp.Files[f.Filename] = f
		}
		rp.ByRel[rel] = files
	}
	rp.HTML = rp.renderHTML(o)
	rp.JSON = rp.renderJSON(o)
	rp.renderAPI()
	return rp
}

func (rp *project) ordered() []*dist {
	var out []*dist
	for _, r := range rp.Releases {
		out = append(out, rp.ByRel[r]...)
	}
	return out
}

func (rp *project) renderHTML(o *Options) []byte {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n")
	fmt.Fprintf(&b, "    <title>Links for %s</title>\n  </head>\n  <body>\n    <h1>Links for %s</h1>\n",
		html.EscapeString(rp.Name), html.EscapeString(rp.Name))
	for _, f := range rp.ordered() {
		href := "../../files/" + url.PathEscape(f.Filename) + "#sha256=" + sha256Hex(f.Data)
		attrs := []string{`href="` + html.EscapeString(href) + `"`}
		if rp := f.Release.RequiresPython; rp != "" {
			attrs = append(attrs, `data-requires-python="`+html.EscapeString(rp)+`"`)
		}
		if f.Metadata != nil && !o.NoMetadata {
			mh := "sha256=" + sha256Hex(f.Metadata)
			attrs = append(attrs, `data-dist-info-metadata="`+mh+`"`, `data-core-metadata="`+mh+`"`)
		}
		if f.Release.Yanked {
			attrs = append(attrs, `data-yanked="`+html.EscapeString(f.Release.YankedReason)+`"`)
		}
		fmt.Fprintf(&b, "    <a %s>%s</a><br />\n", strings.Join(attrs, " "), html.EscapeString(f.Filename))
	}
	b.WriteString("  </body>\n</html>\n")
	return []byte(b.String())
}

func (rp *project) renderJSON(o *Options) []byte {
	type jfile struct {
		Filename       string            `json:"filename"`
		URL            string            `json:"url"`
		Hashes         map[string]string `json:"hashes"`
		RequiresPython *string           `json:"requires-python"`
		Size           int               `json:"size"`
		UploadTime     string            `json:"upload-time"`
		Yanked         any               `json:"yanked"`
		CoreMetadata   any               `json:"core-metadata"`
		DistInfoMeta   any               `json:"dist-info-metadata"`
	}
	files := []jfile{}
	for _, f := range rp.ordered() {
		jf := jfile{Filename: f.Filename, URL: "../../files/" + url.PathEscape(f.Filename),
			Hashes: map[string]string{"sha256": sha256Hex(f.Data)}, Size: len(f.Data),
			UploadTime: iso(f.Upload), Yanked: false, CoreMetadata: false, DistInfoMeta: false}
		if f.Release.RequiresPython != "" {
			s := f.Release.RequiresPython
			jf.RequiresPython = &s
		}
		if f.Release.Yanked {
			jf.Yanked = true
			if f.Release.YankedReason != "" {
				jf.Yanked = f.Release.YankedReason
			}
		}
		if f.Metadata != nil && !o.NoMetadata {
			mh := map[string]string{"sha256": sha256Hex(f.Metadata)}
			jf.CoreMetadata, jf.DistInfoMeta = mh, mh
		}
		files = append(files, jf)
	}
	versions := []string{}
	for _, r := range rp.Releases {
		versions = append(versions, r.Version)
	}
	return mustJSON(map[string]any{
		"meta":     map[string]any{"api-version": "1.1", "_last-serial": rp.Serial},
		"name":     rp.Name,
		"versions": versions,
		"files":    files,
	})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func apiFile(f *dist) map[string]any {
	m5 := md5.Sum(f.Data)
	var rp any
	if f.Release.RequiresPython != "" {
		rp = f.Release.RequiresPython
	}
	return map[string]any{
		"comment_text": "",
		"digests":      map[string]string{"md5": hex.EncodeToString(m5[:]), "sha256": sha256Hex(f.Data)},
		"downloads":    -1, "filename": f.Filename, "has_sig": false,
		"md5_digest": hex.EncodeToString(m5[:]), "packagetype": f.PackageType,
		"python_version": f.PyVersion, "requires_python": rp, "size": len(f.Data),
		"upload_time": f.Upload.Format("2006-01-02T15:04:05"), "upload_time_iso_8601": iso(f.Upload),
		"url": "/files/" + url.PathEscape(f.Filename), "yanked": f.Release.Yanked,
		"yanked_reason": yankedReason(f.Release),
	}
}

func (rp *project) apiInfo(rel *corpus.Release) map[string]any {
	var reqs, extras, pyreq any
	if len(rel.Requires) > 0 {
		reqs = rel.Requires
	}
	if e := providesExtra(rel); len(e) > 0 {
		extras = e
	}
	if rel.RequiresPython != "" {
		pyreq = rel.RequiresPython
	}
	return map[string]any{
		"author": "", "author_email": "", "bugtrack_url": nil, "classifiers": []string{},
		"description": "", "description_content_type": nil, "docs_url": nil, "download_url": "",
		"downloads": map[string]int{"last_day": -1, "last_month": -1, "last_week": -1},
		"dynamic":   nil, "home_page": "", "keywords": "", "license": "", "maintainer": "",
		"maintainer_email": "", "name": rp.Name, "package_url": "/project/" + rp.Name + "/",
		"platform": nil, "project_url": "/project/" + rp.Name + "/", "project_urls": nil,
		"provides_extra": extras, "release_url": "/project/" + rp.Name + "/" + rel.Version + "/",
		"requires_dist": reqs, "requires_python": pyreq,
		"summary": fmt.Sprintf("%s %s (%s)", rp.Name, rel.Version, generator),
		"version": rel.Version, "yanked": rel.Yanked, "yanked_reason": yankedReason(rel),
	}
}

// latest is PyPI's "latest": highest non-yanked final, else highest non-yanked, else highest.
func (rp *project) latest() *corpus.Release {
	preds := []func(*corpus.Release) bool{
		func(r *corpus.Release) bool { return !r.Yanked && !parseVersion(r.Version).isPrerelease() },
		func(r *corpus.Release) bool { return !r.Yanked },
		func(r *corpus.Release) bool { return true },
	}
	for _, pred := range preds {
		for i := len(rp.Releases) - 1; i >= 0; i-- {
			if pred(rp.Releases[i]) {
				return rp.Releases[i]
			}
		}
	}
	return nil
}

func (rp *project) renderAPI() {
	if len(rp.Releases) == 0 {
		return // pypi.org answers 404 for a project without releases
	}
	files := func(r *corpus.Release) []any {
		out := []any{}
		for _, f := range rp.ByRel[r] {
			out = append(out, apiFile(f))
		}
		return out
	}
	releases := map[string]any{}
	for _, r := range rp.Releases {
		releases[r.Version] = files(r)
		rp.APIRel[r.Version] = mustJSON(map[string]any{"info": rp.apiInfo(r), "last_serial": rp.Serial,
			"urls": files(r), "vulnerabilities": []any{}})
	}
	l := rp.latest()
	rp.API = mustJSON(map[string]any{"info": rp.apiInfo(l), "last_serial": rp.Serial,
		"releases": releases, "urls": files(l), "vulnerabilities": []any{}})
}

// releaseAPI finds a release document by any PEP 440-equal spelling.
func (rp *project) releaseAPI(v string) []byte {
	if b, ok := rp.APIRel[v]; ok {
		return b
	}
	want := parseVersion(v)
	for _, r := range rp.Releases {
		got := parseVersion(r.Version)
		if (want.valid && got.valid && compareVersions(want, got) == 0) ||
			(!want.valid && strings.EqualFold(strings.TrimSpace(v), strings.TrimSpace(r.Version))) {
			return rp.APIRel[r.Version]
		}
	}
	return nil
}

// rootHTML and rootJSON render /simple/ for the given sorted names.
func rootHTML(names []string) []byte {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>Simple index</title>\n  </head>\n  <body>\n")
	for _, n := range names {
		fmt.Fprintf(&b, "    <a href=\"%s/\">%s</a><br />\n", html.EscapeString(n), html.EscapeString(n))
	}
	b.WriteString("  </body>\n</html>\n")
	return []byte(b.String())
}

func rootJSON(names []string) []byte {
	ps := []any{}
	for _, n := range names {
		ps = append(ps, map[string]any{"name": n, "_last-serial": 0})
	}
	return mustJSON(map[string]any{"meta": map[string]any{"api-version": "1.1", "_last-serial": 0}, "projects": ps})
}
