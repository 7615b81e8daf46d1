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
	`{"name":"a" "files":[]}`, `{"name":"\x01"}`, `{"name":"a"} x`, `{"files":[{"filename":5}]}`, "{\"name\":\"\xff\xfe\"}",
	`{"files":[{"hashes":{"sha256":"a"},"hashes":{"md5":"b"}}]}`, `{"meta":{"api-version":2}}`, `  {  }  `, `{"a":tru}`,
}

// TestDecodeJSONPageMatchesEncodingJSON checks the hand-written decoder
// against encoding/json on the seeds (the fuzz target explores further).
func TestDecodeJSONPageMatchesEncodingJSON(t *testing.T) {
	for _, s := range decodeSeeds {
		checkDecodeAgrees(t, []byte(s))
	}
	checkDecodeAgrees(t, bigJSONPage(64<<10))
}

func FuzzDecodeJSONPage(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkDecodeAgrees(t, body) })
}

func checkDecodeAgrees(t *testing.T, body []byte) {
	t.Helper()
	if !plainKeys(body) {
		return
	}
	var want, got jsonPage
	werr := json.Unmarshal(body, &want)
	gerr := decodeJSONPage(body, &got)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%q: encoding/json error %v, decodeJSONPage error %v", body, werr, gerr)
	}
	if werr == nil && !reflect.DeepEqual(want, got) {
		t.Fatalf("%q:\nencoding/json  %+v\ndecodeJSONPage %+v", body, want, got)
	}
}

// BenchmarkParseJSONPageStd is the same page through encoding/json, the
// reference the decoder replaced (run both in one go to compare under the
// same load).
func BenchmarkParseJSONPageStd(b *testing.B) {
	body := bigJSONPage(1 << 20)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var p jsonPage
		if err := json.Unmarshal(body, &p); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzResolveFileURL checks that the fast path for plain absolute URLs gives
// what base.Parse(ref).String() gives.
func FuzzResolveFileURL(f *testing.F) {
	for _, s := range []string{"https://files.pythonhosted.org/packages/ab/cd/x-1.0+cpu-py3-none-any.whl",
		"http://h/a/./b", "https://H/x", "https://h//x", "https://u:p@h/x", "https://h/x?y#z", "../x.whl", "https://h/%41",
		"https://h:8080/x", "https://h/.hidden", "https://h/a;b=c/d,e@f"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://pypi.org/simple/x/")
	f.Fuzz(func(t *testing.T, ref string) {
		got, ok := resolveFileURL(base, ref)
		u, err := base.Parse(ref)
		if (err == nil) != ok {
			t.Fatalf("%q: ok=%v, base.Parse error %v", ref, ok, err)
		}
		if ok && got != u.String() {
			t.Fatalf("%q: got %q, want %q", ref, got, u.String())
		}
	})
}
