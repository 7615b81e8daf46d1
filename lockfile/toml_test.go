package lockfile

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseSpecExample(t *testing.T) {
	l, err := Parse("pylock.spec-example.toml", specExample(t))
	if err != nil {
		t.Fatal(err)
	}
	if l.LockVersion != "1.0" || l.CreatedBy != "mousebender" || l.RequiresPython != "==3.12.*" {
		t.Errorf("top level: %+v", l)
	}
	if len(l.Environments) != 2 || l.Environments[1] != `sys_platform == "linux"` {
		t.Errorf("environments = %q", l.Environments)
	}
	if len(l.Packages) != 3 {
		t.Fatalf("got %d packages", len(l.Packages))
	}
	attrs, cattrs, numpy := l.Packages[0], l.Packages[1], l.Packages[2]
	if attrs.Name != "attrs" || attrs.Version != "25.1.0" || attrs.RequiresPython != ">=3.8" {
		t.Errorf("attrs = %+v", attrs)
	}
	w := attrs.Wheels[0]
	wantTime := time.Date(2025, 1, 25, 11, 30, 10, 164985000, time.UTC)
	if w.Name != "attrs-25.1.0-py3-none-any.whl" || w.Size != 63152 || !w.UploadTime.Equal(wantTime) ||
		w.Hashes["sha256"] != "c75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a" {
		t.Errorf("attrs wheel = %+v", w)
	}
	if len(attrs.AttestationIdentities) != 1 || attrs.AttestationIdentities[0]["kind"] != "GitHub" {
		t.Errorf("attestation-identities = %v", attrs.AttestationIdentities)
	}
	if len(cattrs.Dependencies) != 1 || cattrs.Dependencies[0].Name != "attrs" || cattrs.Index != "https://pypi.org/simple" {
		t.Errorf("cattrs = %+v", cattrs)
	}
	if len(numpy.Wheels) != 2 || numpy.Wheels[1].Size != 16116679 {
		t.Errorf("numpy wheels = %+v", numpy.Wheels)
	}
	mb, ok := l.ExtraTools["mousebender"].(map[string]any)
	if !ok || mb["command"] == nil || mb["run-on"] == nil {
		t.Errorf("[tool.mousebender] not kept: %v", l.ExtraTools)
	}
	if !l.Tool.isZero() {
		t.Errorf("Tool = %+v, want zero", l.Tool)
	}
}

func TestRoundTripSpecExample(t *testing.T) {
	l, err := Parse("spec.toml", specExample(t))
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, l)
}

func TestRoundTripSample(t *testing.T) {
	roundTrip(t, sampleLock())
}

// roundTrip checks Marshal -> Parse gives l back (in canonical order) and
// that marshalling is deterministic and idempotent.
func roundTrip(t *testing.T, l *Lock) []byte {
	t.Helper()
	out, err := l.MarshalTOML()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("out.toml", out)
	if err != nil {
		t.Fatalf("re-parse: %v\n%s", err, out)
	}
	want := l.clone()
	want.Sort()
	if d := lockDiff(want, back); d != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s\n%s", d, out)
	}
	again, err := back.MarshalTOML()
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(out) {
		t.Errorf("second marshal differs:\n%s\n---\n%s", out, again)
	}
	return out
}

func TestMarshalGolden(t *testing.T) {
	out := roundTrip(t, sampleLock())
	golden(t, "golden/sample.pylock.toml", out)
	spec, err := Parse("spec.toml", specExample(t))
	if err != nil {
		t.Fatal(err)
	}
	out, err = spec.MarshalTOML()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "golden/spec-example.pylock.toml", out)
}

func TestMarshalDoesNotModify(t *testing.T) {
	l := sampleLock()
	first := l.Packages[0].Name
	if _, err := l.MarshalTOML(); err != nil {
		t.Fatal(err)
	}
	if l.Packages[0].Name != first {
		t.Errorf("MarshalTOML reordered the caller's lock")
	}
}

func TestMarshalEmptyLock(t *testing.T) {
	l := &Lock{LockVersion: "1.0", CreatedBy: "pylock"}
	out, err := l.MarshalTOML()
	if err != nil {
		t.Fatal(err)
	}
	want := "lock-version = \"1.0\"\ncreated-by = \"pylock\"\npackages = []\n"
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
	roundTrip(t, l)
}

func TestMarshalEscaping(t *testing.T) {
	l := &Lock{
		LockVersion: "1.0",
		CreatedBy:   "quote \" backslash \\ tab \t newline \n cr \r nul \x00 del \x7f bell \a unicode é ☃ 'single'",
		Environments: []string{
			`os_name == "posix"`,
			`platform_release == "it's"` + "\n",
			`x == 'single' and y == "double"`,
		},
		Packages: []Package{{
			Name: "a", Version: "1",
			Wheels: []Artifact{{Name: "a-1-py3-none-any.whl", URL: "https://x/a b?c=d#e", Hashes: map[string]string{"sha256": "00", "weird key.x": "v"}}},
			Tool:   map[string]any{"k": []any{int64(1), 2.5, 1e300, -0.0, true, "s", map[string]any{"": "empty key", "a.b": int64(-3)}}},
		}},
		ExtraTools: map[string]any{"other": map[string]any{"nested": map[string]any{"deep": []any{}}}, "loose": "value"},
	}
	out := roundTrip(t, l)
	if !strings.Contains(string(out), `'os_name == "posix"'`) {
		t.Errorf("markers with double quotes should use literal strings:\n%s", out)
	}
	bad := &Lock{LockVersion: "1.0", CreatedBy: "bad \xff utf-8"}
	if _, err := bad.MarshalTOML(); err == nil {
		t.Error("invalid UTF-8 should be an error")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"syntax", "lock-version = \"1.0\"\ncreated-by = \n", "bad.toml:2:"},
		{"no packages", "lock-version = \"1.0\"\ncreated-by = \"x\"\n", `bad.toml: missing required key "packages"`},
		{"version type", "lock-version = 1.0\ncreated-by = \"x\"\npackages = []\n", "bad.toml:1:1: lock-version: expected a string, got a float"},
		{"size type", "lock-version = \"1.0\"\ncreated-by = \"x\"\n\n[[packages]]\nname = \"a\"\n\n[[packages]]\nname = \"b\"\n[[packages.wheels]]\nname = \"b-1-py3-none-any.whl\"\nsize = \"12\"\n",
			"bad.toml:11:1: packages[1].wheels[0].size: expected an integer, got a string"},
		{"upload-time type", "lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]]\nname = \"a\"\nsdist = {name = \"a-1.tar.gz\", upload-time = 2024-01-01}\n",
			"bad.toml:5:31: packages[0].sdist.upload-time: expected a datetime, got a local date"},
		{"hash type", "lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]]\nname = \"a\"\n[packages.sdist]\nhashes = {sha256 = 12}\n",
			"bad.toml:6:11: packages[0].sdist.hashes.sha256: expected a string, got an integer"},
		{"dependency type", "lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]]\nname = \"a\"\ndependencies = [\n  {name = \"b\"},\n  \"c\",\n]\n",
			"bad.toml:7:3: packages[0].dependencies[1]: expected a table, got a string"},
		{"packages type", "lock-version = \"1.0\"\ncreated-by = \"x\"\npackages = \"no\"\n", "bad.toml:3:1: packages: expected an array of tables, got a string"},
		{"tool.pylock type", "lock-version = \"1.0\"\ncreated-by = \"x\"\npackages = []\n[tool.pylock]\ninstall-first = \"numpy\"\n",
			"bad.toml:5:1: tool.pylock.install-first: expected an array of strings, got a string"},
		{"duplicate key", "lock-version = \"1.0\"\nlock-version = \"1.0\"\n", "bad.toml:2:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.toml", []byte(tt.doc))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("error %T is not *Error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseLocalUploadTime(t *testing.T) {
	doc := "lock-version = \"1.0\"\ncreated-by = \"x\"\n[[packages]]\nname = \"a\"\n[packages.sdist]\nname = \"a-1.tar.gz\"\nupload-time = 2024-06-16T12:00:00\nhashes = {sha256 = \"00\"}\n"
	l, err := Parse("a.toml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Packages[0].Sdist.UploadTime; !got.Equal(time.Date(2024, 6, 16, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("upload-time = %v, want it read as UTC", got)
	}
}

// TestFuzzSeedsRoundTrip: the hand-written fuzz seeds (inline wheel arrays,
// foreign tool tables with every TOML type, direct references, escapes)
// parse and round-trip.
func TestFuzzSeedsRoundTrip(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzParseLock", "seed-*"))
	if len(files) == 0 {
		t.Fatal("no seeds")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(raw), "\n")
			lit := strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")")
			doc, err := strconv.Unquote(lit)
			if err != nil {
				t.Fatal(err)
			}
			l, err := Parse(f, []byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, l)
		})
	}
}
