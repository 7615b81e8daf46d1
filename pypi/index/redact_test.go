package index

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

func TestRedactMalformed(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://u:p@example.com/simple", "https://example.com/simple"},
		{"https://example.com/simple", "https://example.com/simple"},
		{"http://u:S3CRET@127.0.0.1:notaport/simple/", "http://127.0.0.1:notaport/simple/"},
		{"http://u:S3CRET@[::1/simple", "http://[::1/simple"},
		{"u:S3CRET@host/simple", "host/simple"},
		{"TOKEN@host/simple", "host/simple"},
		{"/tmp/req/u:S3CRET@host/simple", "/tmp/req/host/simple"},
		{"http://u:S3/CRET@host/simple", "http://host/simple"},
		{"http://u:S3%2FCRET@host/simple", "http://host/simple"},
		{"/some/local/dir", "/some/local/dir"},
		{"./index", "./index"},
		{"file:///srv/index", "file:///srv/index"},
		{"not a url", "not a url"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactError(t *testing.T) {
	loc := "http://alice:S3CR%45T@[::1/simple"
	cause := &fs.PathError{Op: "stat", Path: "/x/http:/alice:S3CR%45T@[::1/simple and S3CRET", Err: fs.ErrNotExist}
	err := RedactError(cause, loc)
	if strings.Contains(err.Error(), "S3CR") {
		t.Errorf("RedactError kept the secret: %v", err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("RedactError lost the cause: %v", err)
	}
	if RedactError(nil, loc) != nil {
		t.Error("RedactError(nil) != nil")
	}
	plain := errors.New("plain")
	if RedactError(plain, "/dir") != plain {
		t.Error("RedactError changed an error without credentials")
	}
}

// FuzzRedact: a password in the userinfo of a URL-like string never
// survives Redact or RedactError, whatever surrounds it.
func FuzzRedact(f *testing.F) {
	for _, s := range [][2]string{{"http", "host/simple"}, {"https", "[::1/x"}, {"http", "h:notaport/"}, {"", "host/simple"},
		{"file", "/x"}, {"http", "a b/c"}, {"http", "x?y#z@w"}} {
		f.Add(s[0], s[1])
	}
	const secret = "Zq9Secret"
	f.Fuzz(func(t *testing.T, scheme, rest string) {
		if strings.ContainsAny(scheme, " \t\n\"'/?#@:") || strings.ContainsAny(rest, " \t\n") {
			return // outside the property: free text or a scheme with delimiters
		}
		u := "user:" + secret + "@" + rest
		if scheme != "" {
			u = scheme + "://" + u
		}
		if got := Redact(u); strings.Contains(got, secret) {
			t.Errorf("Redact(%q) = %q", u, got)
		}
		if err := RedactError(errors.New("stat /x/"+u+": no such file"), u); strings.Contains(err.Error(), secret) {
			t.Errorf("RedactError: %v", err)
		}
	})
}
