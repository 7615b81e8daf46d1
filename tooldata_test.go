package pylock

import (
	"strings"
	"testing"
)

func TestPlaceholderURL(t *testing.T) {
	env := map[string]string{"USER": "alice", "TOKEN": "s3cret", "PART": "s3"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, tc := range []struct {
		url  string
		refs []string
		want string
	}{
		{"https://pkgs.example/simple", nil, "https://pkgs.example/simple"},
		// from ${NAME}s of the inputs: written back as references
		{"https://alice:s3cret@pkgs.example/simple", []string{"USER", "TOKEN"}, "https://${USER}:${TOKEN}@pkgs.example/simple"},
		{"https://s3cret@pkgs.example/simple", []string{"TOKEN"}, "https://${TOKEN}@pkgs.example/simple"},
		// the longest value wins, and every part must be a reference
		{"https://alice:s3cret@pkgs.example/simple", []string{"USER", "PART", "TOKEN"}, "https://${USER}:${TOKEN}@pkgs.example/simple"},
		{"https://alice:s3cretX@pkgs.example/simple", []string{"USER", "TOKEN"}, "https://pkgs.example/simple"},
		// credentials not from the inputs (a flag, PIP_INDEX_URL): dropped
		{"https://alice:s3cret@pkgs.example/simple", nil, "https://pkgs.example/simple"},
		{"https://bob:hunter2@pkgs.example/simple", []string{"USER", "TOKEN"}, "https://pkgs.example/simple"},
		{"/srv/local/index", nil, "/srv/local/index"},
	} {
		if got := placeholderURL(tc.url, tc.refs, lookup); got != tc.want {
			t.Errorf("placeholderURL(%q, %q) = %q, want %q", tc.url, tc.refs, got, tc.want)
		}
	}
}

func TestEnvPlaceholder(t *testing.T) {
	env := map[string]string{"PIP_INDEX_URL": "https://u:p@pkgs.example/simple", "PYLOCK_INDEX_URL": ""}
	getenv := func(k string) string { return env[k] }
	other := func(u string) string { return placeholderURL(u, nil, func(string) (string, bool) { return "", false }) }
	for _, tc := range []struct{ value, want string }{
		{"https://u:p@pkgs.example/simple", "${PIP_INDEX_URL}"},              // from the environment, with credentials
		{"https://x:y@other.example/simple", "https://other.example/simple"}, // from elsewhere: dropped
		{"https://pkgs.example/simple", "https://pkgs.example/simple"},
		{"", ""},
	} {
		if got := envPlaceholder(tc.value, getenv, "PYLOCK_INDEX_URL", "PIP_INDEX_URL", other); got != tc.want {
			t.Errorf("envPlaceholder(%q) = %q, want %q", tc.value, got, tc.want)
		}
	}
}

func TestViaTable(t *testing.T) {
	in := &inputs{sources: []source{
		{name: "numpy", file: "r1.txt", role: "requirements"},
		{name: "numpy", file: "sub/r2.txt", role: "requirements"},
		{name: "numpy", file: "r1.txt", role: "requirements"},
		{name: "anyio", file: "c.txt", role: "constraint"},
		{name: "idna", file: "o.txt", role: "override"},
		{name: "click", file: "<stdin>", role: "requirements"},
		{name: "fastapi", file: "pyproject.toml", role: "requirements"},
		{name: "", file: "r1.txt", role: "requirements"},
	}}
	want := map[string][]string{
		"numpy":   {"-r r1.txt", "-r sub/r2.txt"},
		"anyio":   {"-c c.txt"},
		"idna":    {"--override o.txt"},
		"click":   {"-r -"},
		"fastapi": {"pyproject.toml"},
	}
	got := viaTable(in, "pylock.toml")
	if len(got) != len(want) {
		t.Fatalf("viaTable = %q", got)
	}
	for k, v := range want {
		if strings.Join(got[k], "|") != strings.Join(v, "|") {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
}
