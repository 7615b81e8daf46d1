package pylock

import (
	"os"
	"path/filepath"
	"testing"
)

func TestIndexURL(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{
		{"https://pypi.org/simple", "https://pypi.org/simple"},
		{"file:///srv/index/simple", "file:///srv/index/simple"},
		{"", ""},
		{"/srv/my index/simple", "file:///srv/my%20index/simple"},
		{"idx/simple", "file://" + filepath.ToSlash(filepath.Join(wd, "idx", "simple"))},
	}
	for _, tt := range tests {
		if got := IndexURL(tt.in); got != tt.want {
			t.Errorf("IndexURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLockRelative(t *testing.T) {
	tests := []struct{ path, lock, want string }{
		{"requirements.txt", "pylock.toml", "requirements.txt"},
		{"requirements.txt", "sub/pylock.toml", "../requirements.txt"},
		{"reqs/a.txt", "locks/pylock.toml", "../reqs/a.txt"},
		{"sub/a.txt", "sub/pylock.toml", "a.txt"},
		{"a.txt", "-", "a.txt"},
		{"a.txt", "", "a.txt"},
		{"-", "sub/pylock.toml", "-"},
	}
	for _, tt := range tests {
		if got := LockRelative(tt.path, tt.lock); got != tt.want {
			t.Errorf("LockRelative(%q, %q) = %q, want %q", tt.path, tt.lock, got, tt.want)
		}
	}
}
