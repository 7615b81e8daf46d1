package pylock

import "testing"

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
