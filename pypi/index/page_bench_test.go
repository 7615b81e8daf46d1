package index

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
)

// bigJSONPage builds a PEP 691 project page shaped like botocore's on PyPI
// (hundreds of releases, a wheel and an sdist each, sha256 hashes, PEP 658
// metadata hashes, upload times, some yanked), of at least size bytes.
func bigJSONPage(size int) []byte {
	type file map[string]any
	var files []file
	n := 0
	for i := 0; n < size; i++ {
		v := fmt.Sprintf("1.%d.%d", i/20, i%20)
		h := fmt.Sprintf("%064x", i*7919+1)
		for _, fn := range []string{"botocore-" + v + "-py3-none-any.whl", "botocore-" + v + ".tar.gz"} {
			f := file{
				"filename":        fn,
				"url":             "https://files.pythonhosted.org/packages/ab/cd/" + h[:60] + "/" + fn,
				"hashes":          map[string]string{"sha256": h},
				"requires-python": ">= 3.7",
				"size":            11000000 + i,
				"upload-time":     "2023-01-02T03:04:05.123456Z",
				"yanked":          i%50 == 7,
				"core-metadata":   map[string]string{"sha256": h},
			}
			if i%97 == 3 {
				f["yanked"] = "broken release"
			}
			b, _ := json.Marshal(f)
			n += len(b)
			files = append(files, f)
		}
	}
	page := map[string]any{"meta": map[string]string{"api-version": "1.1"}, "name": "botocore", "files": files, "versions": []string{}}
	b, _ := json.Marshal(page)
	return b
}

// BenchmarkParseJSONPage parses a 1 MB PEP 691 page; MB/s is the figure
// issue 13 sets a floor for (150 MB/s).
func BenchmarkParseJSONPage(b *testing.B) {
	body := bigJSONPage(1 << 20)
	base, _ := url.Parse("https://pypi.org/simple/botocore/")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		files, err := parseJSONPage(body, base)
		if err != nil || len(files) == 0 {
			b.Fatal(err, len(files))
		}
	}
}
