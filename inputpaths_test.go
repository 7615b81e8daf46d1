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
