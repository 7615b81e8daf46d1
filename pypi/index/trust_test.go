package index

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func wheelBytes(t *testing.T, requires string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range []struct{ name, body string }{
		{"p/__init__.py", strings.Repeat("# padding\n", 20000)},
		{"p-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: p\nVersion: 1.0\nRequires-Dist: " + requires + "\n"},
		{"p-1.0.dist-info/RECORD", ""},
	} {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f.body))
	}
	zw.Close()
	return b.Bytes()
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// wheelServer lists p-1.0 with the sha256 of listed, serves served (with
// Range support, no PEP 658 metadata).
func wheelServer(t *testing.T, listed, served []byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/simple/p/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><body><a href="/files/p-1.0-py3-none-any.whl#sha256=%s">p</a></body></html>`, sha(listed))
		case "/files/p-1.0-py3-none-any.whl":
			http.ServeContent(w, r, "p.whl", time.Unix(0, 0), bytes.NewReader(served))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func wheelOf(t *testing.T, c *Client) File {
	p, err := c.Project(context.Background(), "p")
	if err != nil || len(p.Files) != 1 {
		t.Fatalf("project: %v %+v", err, p)
	}
	return p.Files[0]
}

// TestRangeMetadataIsNotTrusted: metadata read with range requests from a
// wheel whose bytes do not match the index's hash is marked unverified,
// never cached under that hash (so an honest index with the same file hash
// does not inherit it), and VerifyFile (--verify-files) rejects the file.
func TestRangeMetadataIsNotTrusted(t *testing.T) {
	honest := wheelBytes(t, "requests")
	evil := wheelBytes(t, "evil-package")
	cache := t.TempDir()

	bad := wheelServer(t, honest, evil)
	c := newClient(t, Options{IndexURL: bad.URL + "/simple/", CacheDir: cache})
	f := wheelOf(t, c)
	m, err := c.Metadata(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if m.Verified || m.RequiresDist[0] != "evil-package" {
		t.Fatalf("range-read metadata: %+v", m)
	}
	if _, err := os.Stat(filepath.Join(cache, metaDir, "file-sha256-"+sha(honest))); err == nil {
		t.Error("range-read metadata cached under the file's hash")
	}
	if err := c.VerifyFile(context.Background(), f); !errors.Is(err, ErrHashMismatch) {
		t.Errorf("VerifyFile of a tampered wheel: %v", err)
	}

	// An honest index serving a file with the same hash, same cache.
	good := wheelServer(t, honest, honest)
	c2 := newClient(t, Options{IndexURL: good.URL + "/simple/", CacheDir: cache})
	f2 := wheelOf(t, c2)
	m2, err := c2.Metadata(context.Background(), f2)
	if err != nil || m2.RequiresDist[0] != "requests" {
		t.Fatalf("honest index got the poisoned metadata: %+v %v", m2, err)
	}
	if err := c2.VerifyFile(context.Background(), f2); err != nil {
		t.Fatalf("VerifyFile of an honest wheel: %v", err)
	}
	// Verified now: a later run reads it from the cache as verified.
	c3 := newClient(t, Options{IndexURL: good.URL + "/simple/", CacheDir: cache})
	m3, err := c3.Metadata(context.Background(), wheelOf(t, c3))
	if err != nil || !m3.Verified || m3.RequiresDist[0] != "requests" {
		t.Fatalf("after verification: %+v %v", m3, err)
	}
}

// TestVerifyFileSizeAndHash: a declared size or hash that the bytes do not
// match fails verification; a file without a hash cannot be verified.
func TestVerifyFileSizeAndHash(t *testing.T) {
	w := wheelBytes(t, "requests")
	srv := wheelServer(t, w, w)
	c := newClient(t, Options{IndexURL: srv.URL + "/simple/"})
	f := wheelOf(t, c)
	if err := c.VerifyFile(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	wrongSize := f
	wrongSize.Size = int64(len(w)) + 1
	if err := c.VerifyFile(context.Background(), wrongSize); !errors.Is(err, ErrHashMismatch) {
		t.Errorf("wrong size: %v", err)
	}
	noHash := f
	noHash.Hashes = nil
	if err := c.VerifyFile(context.Background(), noHash); !errors.Is(err, ErrNoHash) {
		t.Errorf("no hash: %v", err)
	}
	wrongHash := f
	wrongHash.Hashes = map[string]string{"sha256": sha([]byte("x"))}
	if err := c.VerifyFiles(context.Background(), []File{f, wrongHash}); !errors.Is(err, ErrHashMismatch) || strings.Count(err.Error(), "\n") != 0 {
		t.Errorf("VerifyFiles: %v", err)
	}
}
