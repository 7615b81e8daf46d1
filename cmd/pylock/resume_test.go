package main

import (
	"strings"
	"testing"
)

// TestResumeCommand: sync's resume command never prints index credentials
// but shows where they were: a visible USER:PASSWORD (TOKEN) placeholder
// with a note, or a reference to the environment variable they came from.
func TestResumeCommand(t *testing.T) {
	env := map[string]string{"PIP_INDEX_URL": "https://u:envsecret@idx.example/simple"}
	getenv := func(k string) string { return env[k] }
	const notePH = " (index credentials removed: put them back in place of USER:PASSWORD or TOKEN, or into ~/.netrc)"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no credentials", []string{"sync", "pylock.toml", "--index-url", "http://127.0.0.1:8080/simple"},
			"pylock sync pylock.toml --index-url http://127.0.0.1:8080/simple"},
		{"user and password", []string{"sync", "--index-url", "http://user:s3cret@127.0.0.1:8080/simple"},
			"pylock sync --index-url http://USER:PASSWORD@127.0.0.1:8080/simple" + notePH},
		{"token", []string{"sync", "--extra-index-url=https://tok3n@idx.example/simple/"},
			"pylock sync --extra-index-url=https://TOKEN@idx.example/simple/" + notePH},
		{"password with slash and at", []string{"sync", "--index-url", "https://user:a/b@c@idx.example/simple"},
			"pylock sync --index-url https://USER:PASSWORD@idx.example/simple" + notePH},
		{"from PIP_INDEX_URL", []string{"sync", "--index-url", "https://u:envsecret@idx.example/simple"},
			`pylock sync --index-url "$PIP_INDEX_URL"`},
		{"from PIP_INDEX_URL, flag=value", []string{"sync", "--index-url=https://u:envsecret@idx.example/simple"},
			`pylock sync --index-url="$PIP_INDEX_URL"`},
		{"bad port", []string{"sync", "--index-url", "http://user:s3cret@127.0.0.1:99999999/simple"},
			"pylock sync --index-url http://USER:PASSWORD@127.0.0.1:99999999/simple" + notePH},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := resumeCommand(tc.args, getenv)
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			for _, secret := range []string{"s3cret", "tok3n", "envsecret", "a/b@c"} {
				if strings.Contains(got, secret) {
					t.Errorf("the command shows the secret %q: %s", secret, got)
				}
			}
		})
	}
}
