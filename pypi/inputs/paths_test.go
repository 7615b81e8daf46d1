package inputs

import (
	"path/filepath"
	"testing"
)

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

// TestLockRelativeLocalPaths: the shortcut for paths below the working
// directory gives what the absolute-path computation gives.
func TestLockRelativeLocalPaths(t *testing.T) {
	paths := []string{"a.txt", "sub/a.txt", "sub/../a.txt", "./a.txt", "x/y/z.in", "sub", ".", "../a.txt", "/abs/a.txt"}
	locks := []string{"", "-", "pylock.toml", "sub/pylock.toml", "x/y/pylock.toml", "./sub/pylock.toml", "sub/../pylock.toml", "../pylock.toml", "/abs/pylock.toml"}
	for _, p := range paths {
		for _, l := range locks {
			dir := "."
			if l != "" && l != "-" {
				dir = filepath.Dir(l)
			}
			if got, want := LockRelative(p, l), lockRelativeAbs(p, dir); got != want {
				t.Errorf("LockRelative(%q, %q) = %q, through absolute paths %q", p, l, got, want)
			}
		}
	}
}
