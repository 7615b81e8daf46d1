package resolver

import (
	"errors"
	"testing"
)

func TestWithContextNamesProjectOnce(t *testing.T) {
	base := errors.New("boom")
	for _, tc := range []struct{ name, label, msg, want string }{
		{"sniffio", "sniffio", "sniffio: GET http://x/simple/sniffio/: 503 Service Unavailable", "sniffio: GET http://x/simple/sniffio/: 503 Service Unavailable"},
		{"sniffio", "sniffio==1.3.0", "sniffio 1.3.0: GET http://x/f.whl.metadata: 500", "sniffio 1.3.0: GET http://x/f.whl.metadata: 500"},
		{"sniffio", "sniffio", "connection refused", "sniffio: connection refused"},
		{"six", "six==1.0", "sixteen: odd", "six==1.0: sixteen: odd"},
	} {
		err := withContext(tc.name, tc.label, errors.Join(errors.New(tc.msg), base))
		if got := err.Error(); got != tc.want+"\nboom" {
			t.Errorf("withContext(%q, %q) = %q, want %q", tc.name, tc.msg, got, tc.want+"\nboom")
		}
		if !errors.Is(err, base) {
			t.Errorf("%q: lost the wrapped error", tc.msg)
		}
	}
}
