package index

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/pylock/pylock/internal/testenv"
)

// pageFile is one file of a generated project page.
type pageFile struct {
	name, hash, yanked string // yanked: "" not yanked, "-" yanked without a reason
	size, release      int
}

// bigPageFiles lists files shaped like botocore's on PyPI (hundreds of
// releases, a wheel and an sdist each, sha256 hashes, PEP 658 metadata
// hashes, upload times, some yanked) until about size bytes of JSON.
func bigPageFiles(size int) []pageFile {
	var files []pageFile
	for i, n := 0, 0; n < size; i++ {
		v := fmt.Sprintf("1.%d.%d", i/20, i%20)
		h := fmt.Sprintf("%064x", i*7919+1)
		for _, fn := range []string{"botocore-" + v + "-py3-none-any.whl", "botocore-" + v + ".tar.gz"} {
			f := pageFile{name: fn, hash: h, size: 11000000 + i, release: i}
			switch {
			case i%97 == 3:
				f.yanked = "broken release"
			case i%50 == 7:
				f.yanked = "-"
			}
			files = append(files, f)
			n += 420 + 2*len(fn)
		}
	}
	return files
}

// fileURL is where a generated file lives: PyPI's absolute form, or the
// relative, percent-escaped form of a devpi-style index (and of the bench
// index server, ../shared/bench/pyindex.py).
func (f pageFile) url(relative bool) string {
	if relative {
		return "../../files/" + strings.ReplaceAll(f.name, "-", "%2D")
	}
	return "https://files.pythonhosted.org/packages/ab/cd/" + f.hash[:60] + "/" + f.name
}

// bigJSONPage builds a PEP 691 project page of at least size bytes.
func bigJSONPage(size int, relative bool) []byte {
	var files []map[string]any
	for _, pf := range bigPageFiles(size) {
		f := map[string]any{
			"filename":        pf.name,
			"url":             pf.url(relative),
			"hashes":          map[string]string{"sha256": pf.hash},
			"requires-python": ">= 3.7",
			"size":            pf.size,
			"upload-time":     "2023-01-02T03:04:05.123456Z",
			"yanked":          pf.yanked != "",
			"core-metadata":   map[string]string{"sha256": pf.hash},
		}
		if pf.yanked != "" && pf.yanked != "-" {
			f["yanked"] = pf.yanked
		}
		files = append(files, f)
	}
	page := map[string]any{"meta": map[string]string{"api-version": "1.1"}, "name": "botocore", "files": files, "versions": []string{}}
	b, _ := json.Marshal(page)
	return b
}

// bigHTMLPage is the same project as a PEP 503 page.
func bigHTMLPage(size int, relative bool) []byte {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n" +
		"    <title>Links for botocore</title>\n  </head>\n  <body>\n    <h1>Links for botocore</h1>\n")
	for _, f := range bigPageFiles(size) {
		fmt.Fprintf(&b, `    <a href="%s#sha256=%s" data-requires-python="%s" data-dist-info-metadata="sha256=%s" data-core-metadata="sha256=%s"`,
			html.EscapeString(f.url(relative)), f.hash, html.EscapeString(">= 3.7"), f.hash, f.hash)
		switch f.yanked {
		case "":
		case "-":
			b.WriteString(` data-yanked=""`)
		default:
			fmt.Fprintf(&b, ` data-yanked="%s"`, html.EscapeString(f.yanked))
		}
		fmt.Fprintf(&b, ">%s</a><br />\n", html.EscapeString(f.name))
	}
	b.WriteString("  </body>\n</html>\n")
	return []byte(b.String())
}

// benchmarkParsePage parses a page as pylock parses a remote index's page
// (parseRemotePage: parsePage, and files with non-http(s) URLs rejected).
// It reports MB/s (wall time), cpu-MB/s (per second of
// the process's CPU time, GC included: steadier than MB/s on a loaded
// machine, where a benchmark waits for a core) and allocs/file.
func benchmarkParsePage(b *testing.B, body []byte, ctype string) {
	base, _ := url.Parse("https://pypi.org/simple/botocore/")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	n := 0
	cpu0 := testenv.CPUTime()
	for b.Loop() {
		files, err := parseRemotePage(body, ctype, base)
		if err != nil || len(files) == 0 {
			b.Fatal(err, len(files))
		}
		n = len(files)
	}
	if cpu := testenv.CPUTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(len(body))*float64(b.N)/cpu.Seconds()/1e6, "cpu-MB/s")
	}
	b.ReportMetric(float64(testing.AllocsPerRun(1, func() { _, _ = parseRemotePage(body, ctype, base) }))/float64(n), "allocs/file")
}

// BenchmarkParseJSONPage parses a 1 MB PEP 691 page with PyPI's absolute
// file URLs; MB/s is the figure issue 13 sets a floor for (150 MB/s).
func BenchmarkParseJSONPage(b *testing.B) {
	benchmarkParsePage(b, bigJSONPage(1<<20, false), ctSimpleJSON)
}

// BenchmarkParseJSONPageRelative is the same page with relative,
// percent-escaped file URLs (devpi, the bench index server).
func BenchmarkParseJSONPageRelative(b *testing.B) {
	benchmarkParsePage(b, bigJSONPage(1<<20, true), ctSimpleJSON)
}

// BenchmarkParseHTMLPage parses the same project as a PEP 503 page.
func BenchmarkParseHTMLPage(b *testing.B) {
	benchmarkParsePage(b, bigHTMLPage(1<<20, false), "text/html")
}

// BenchmarkParseHTMLPageRelative: a PEP 503 page with relative URLs.
func BenchmarkParseHTMLPageRelative(b *testing.B) {
	benchmarkParsePage(b, bigHTMLPage(1<<20, true), "text/html")
}
