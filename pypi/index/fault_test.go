package index

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestIndexFaultsAreLoud: unusable entries on a project page are named in a
// warning event and in Project.Rejected; a project whose every file was
// rejected, or a page that is not a Simple API page, is an index fault
// (ErrIndexFault), never an empty project.
func TestIndexFaultsAreLoud(t *testing.T) {
	good := `<a href="/files/p-1.0-py3-none-any.whl#sha256=00">p-1.0-py3-none-any.whl</a>`
	pages := map[string]struct{ ctype, body string }{
		"json-dotdot": {ctSimpleJSON, `{"meta":{"api-version":"1.1"},"name":"p","files":[
			{"filename":"../p-1.0.tar.gz","url":"/files/x.tar.gz","hashes":{}},
			{"filename":"p-1.0-py3-none-any.whl","url":"/files/p-1.0-py3-none-any.whl","hashes":{}}]}`},
		"slash-json": {ctSimpleJSON, `{"meta":{"api-version":"1.1"},"name":"p","files":[{"filename":"a/p-1.0.tar.gz","url":"/files/x.tar.gz","hashes":{}}]}`},
		"encoded":    {"text/html", `<html><body><a href="/files/..%2F..%2Fp-1.0.tar.gz">x</a><a href="/files/p%2Fp-2.0.tar.gz">x</a></body></html>`},
		"file-url":   {"text/html", `<html><body><a href="file:///etc/p-1.0.tar.gz">x</a></body></html>`},
		"junk":       {"text/plain", `Service temporarily OK`},
		"junk-html":  {"text/html", "\x00\x01\x02 binary junk"},
		"malformed":  {"text/html", `<html><body><a href="/files/p-1.0.tar.gz`},
		"mixed":      {"text/html", `<html><body>` + good + `<a href="file:///tmp/p-0.9.tar.gz">x</a><a href="/files/.p-0.8.tar.gz">x</a></body></html>`},
		"empty":      {"text/html", `<!DOCTYPE html><html><body><h1>Links for p</h1></body></html>`},
	}
	for _, tc := range []struct {
		page       string
		wantFault  bool
		wantFiles  int
		wantReason string
	}{
		{"json-dotdot", false, 1, "unsafe file name"},
		{"slash-json", true, 0, "path separator"},
		{"encoded", true, 0, "path separator"},
		{"file-url", true, 0, "file:// URL on a remote index"},
		{"junk", true, 0, "neither a PEP 503 HTML nor a PEP 691 JSON page"},
		{"junk-html", true, 0, "neither a PEP 503 HTML nor a PEP 691 JSON page"},
		{"malformed", true, 0, "malformed <a> tag"},
		{"mixed", false, 1, "file:// URL on a remote index"},
		{"empty", false, 0, ""},
	} {
		t.Run(tc.page, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/simple/p/" {
					http.NotFound(w, r)
					return
				}
				pg := pages[tc.page]
				w.Header().Set("Content-Type", pg.ctype)
				w.Write([]byte(pg.body))
			}))
			defer srv.Close()
			var mu sync.Mutex
			var warnings []Event
			c := newClient(t, Options{IndexURL: srv.URL + "/simple/", Events: func(e Event) {
				if e.Kind == "warning" {
					mu.Lock()
					warnings = append(warnings, e)
					mu.Unlock()
				}
			}})
			p, err := c.Project(context.Background(), "p")
			mu.Lock()
			defer mu.Unlock()
			if tc.wantFault {
				if !errors.Is(err, ErrIndexFault) || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), tc.wantReason) {
					t.Fatalf("err = %v, want an index fault naming %q", err, tc.wantReason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Files) != tc.wantFiles {
				t.Errorf("files = %+v, want %d", p.Files, tc.wantFiles)
			}
			if tc.wantReason == "" {
				if len(p.Rejected) != 0 || len(warnings) != 0 {
					t.Errorf("rejected %+v, warnings %+v", p.Rejected, warnings)
				}
				return
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0].Message, tc.wantReason) || warnings[0].Project != "p" {
				t.Errorf("warnings = %+v, want one naming %q", warnings, tc.wantReason)
			}
			if len(p.Rejected) == 0 || !strings.Contains(p.Rejected[0].Reason, tc.wantReason) {
				t.Errorf("rejected = %+v", p.Rejected)
			}
		})
	}
}
