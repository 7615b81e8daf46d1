package inputs

import "testing"

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
