package index

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// asciiKeys reports whether every object key in a valid JSON document is
// ASCII and lower-case: encoding/json matches struct fields
// case-insensitively (with Unicode folding), decodeJSONPage exactly, as
// PEP 691 spells its keys.
func plainKeys(body []byte) bool {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	var walk func(v any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				for _, r := range k {
					if r >= utf8.RuneSelf || r >= 'A' && r <= 'Z' {
						return false
					}
				}
				if !walk(x) {
					return false
				}
			}
		case []any:
			for _, x := range v {
				if !walk(x) {
					return false
				}
			}
		}
		return true
	}
	var v any
	if dec.Decode(&v) != nil {
		return true // invalid: both must fail
	}
	return walk(v)
}

var decodeSeeds = []string{
	`{"meta":{"api-version":"1.1"},"name":"a","files":[{"filename":"a-1.0.tar.gz","url":"https://h/a-1.0.tar.gz","hashes":{"sha256":"00ff"},"requires-python":">=3.8","size":12,"upload-time":"2024-01-01T00:00:00Z","yanked":"bad","core-metadata":{"sha256":"aa"}}]}`,
	`{"files":[{"yanked":true,"core-metadata":true,"dist-info-metadata":false,"size":null,"requires-python":null}]}`,
	`{"files":[{"url":"x\u00e9\ud83d\ude00\ud800y\\\/\"","hashes":{"SHA256":"AB","md5":null},"core-metadata":{"sha256":1},"data-dist-info-metadata":{"sha256":"cc"}}],"versions":[1,2.5e3,-0.1,{"a":[null]}]}`,
	`{"files":null,"meta":null,"name":null}`,
	`null`, `[]`, `{"files":[null,{}]}`, `{"files":[{"size":1.5}]}`, `{"files":[{"size":99999999999999999999}]}`,
	`{"files":[{"url":"file:///etc/x.whl"},{"url":"javascript:x"},{"url":"../../x/a%2Bb.whl"},{"url":"//h/x.whl"},{"url":"http://h:99/a/./b.whl"},{"url":"%zz"}]}`,
	`{"name":"a" "files":[]}`, `{"name":"\x01"}`, `{"name":"a"} x`, `{"files":[{"filename":5}]}`, "{\"name\":\"\xff\xfe\"}",
	`{"files":[{"hashes":{"sha256":"a"},"hashes":{"md5":"b"}}]}`, `{"meta":{"api-version":2}}`, `  {  }  `, `{"a":tru}`,
}

// TestDecodeJSONPageMatchesEncodingJSON checks the hand-written decoder
// against encoding/json on the seeds (the fuzz target explores further).
func TestDecodeJSONPageMatchesEncodingJSON(t *testing.T) {
	for _, s := range decodeSeeds {
		checkDecodeAgrees(t, []byte(s))
	}
	checkDecodeAgrees(t, bigJSONPage(64<<10, false))
}

func FuzzDecodeJSONPage(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkDecodeAgrees(t, body) })
}

func checkDecodeAgrees(t *testing.T, body []byte) {
	t.Helper()
	if !plainKeys(body) || filesKeys(body) > 1 {
		return
	}
	base, _ := url.Parse("https://pypi.org/simple/x/")
	want, werr := refParseJSONPage(body, base)
	got, gerr := parseJSONPage(body, base)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%q: reference error %v, parseJSONPage error %v", body, werr, gerr)
	}
	if werr == nil && !reflect.DeepEqual(want, got) {
		t.Fatalf("%q:\nreference      %+v\nparseJSONPage  %+v", body, want, got)
	}
	want, _ = refParseJSONPage(body, base)
	got, _ = parseRemotePage(body, ctSimpleJSON, base)
	if werr == nil && !reflect.DeepEqual(refRemote(want), got) {
		t.Fatalf("%q (remote):\nreference        %+v\nparseRemotePage  %+v", body, want, got)
	}
}

// filesKeys counts the top-level "files" keys of a valid JSON object (a
// second one is where parseJSONPage knowingly differs from encoding/json).
func filesKeys(body []byte) int {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return 0
	}
	n := 0
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return n
		}
		if key == "files" {
			n++
		}
		var v json.RawMessage
		if dec.Decode(&v) != nil {
			return n
		}
	}
	return n
}

// BenchmarkParseJSONPageStd is the same page through encoding/json, the
// reference the decoder replaced (run both in one go to compare under the
// same load).
func BenchmarkParseJSONPageStd(b *testing.B) {
	body := bigJSONPage(1<<20, false)
	base, _ := url.Parse("https://pypi.org/simple/botocore/")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := refParseJSONPage(body, base); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzResolveFileURL checks that the fast paths for plain absolute and
// relative URLs give what base.Parse(ref).String() gives.
func FuzzResolveFileURL(f *testing.F) {
	refs := []string{"https://files.pythonhosted.org/packages/ab/cd/x-1.0+cpu-py3-none-any.whl",
		"http://h/a/./b", "https://H/x", "https://h//x", "https://u:p@h/x", "https://h/x?y#z", "../x.whl", "https://h/%41",
		"https://h:8080/x", "https://h/.hidden", "https://h/a;b=c/d,e@f", "../../files/x-1.0%2Bcpu.tar.gz", "x.whl",
		"/abs/x.whl", "./a/../../../b", "..", ".", "a/..", "//h/x", "a:b", "%zz", "a%2F..%2fb", "../%2e%2e/x", "a//b/../c",
		"https://h:/x", "http://1.2.3.4:99/a%20b"}
	bases := []string{"https://pypi.org/simple/x/", "http://127.0.0.1:8080/simple/x/", "https://h/a/b", "https://h",
		"https://u:p@h/s/", "https://h/s/?q=1#f", "https://h/%7Euser/s/", "https://H/s/", "https://h/a%2Fb/c/", "https://h//s/"}
	for i, r := range refs {
		f.Add(bases[i%len(bases)], r)
	}
	f.Fuzz(func(t *testing.T, b, ref string) {
		base, err := url.Parse(b)
		if err != nil {
			return
		}
		got, ok := resolveFileURL(base, ref)
		u, err := base.Parse(ref)
		if (err == nil) != ok {
			t.Fatalf("%q against %q: ok=%v, base.Parse error %v", ref, b, ok, err)
		}
		if ok && got != u.String() {
			t.Fatalf("%q against %q: got %q, want %q", ref, b, got, u.String())
		}
	})
}
