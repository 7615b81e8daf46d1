package installed

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDirectURL(t *testing.T) {
	for _, c := range []struct {
		name, json string
		want       *DirectURL
	}{
		{"editable dir", `{"url": "file:///src/app", "dir_info": {"editable": true}}`, &DirectURL{URL: "file:///src/app", Dir: true, Editable: true}},
		{"dir", `{"url": "file:///src/app", "dir_info": {}, "subdirectory": "py"}`, &DirectURL{URL: "file:///src/app", Dir: true, Subdirectory: "py"}},
		{"vcs", `{"url": "https://h/r", "vcs_info": {"vcs": "git", "commit_id": "abc", "requested_revision": "v1"}}`, &DirectURL{URL: "https://h/r", VCS: "git", CommitID: "abc"}},
		{"archive hash", `{"url": "https://h/x.whl", "archive_info": {"hash": "sha256=11"}}`, &DirectURL{URL: "https://h/x.whl", ArchiveHash: "sha256=11"}},
		{"archive hashes", `{"url": "https://h/x.whl", "archive_info": {"hash": "md5=00", "hashes": {"sha256": "22"}}}`, &DirectURL{URL: "https://h/x.whl", ArchiveHash: "sha256=22"}},
		{"archive no hash", `{"url": "https://h/x.whl", "archive_info": {}}`, &DirectURL{URL: "https://h/x.whl"}},
		{"no url", `{"dir_info": {}}`, nil},
		{"junk", `{"url": `, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, parseDirectURL([]byte(c.json))); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
	// Read with the rest of a .dist-info.
	site := t.TempDir()
	di := filepath.Join(site, "app-0.1.dist-info")
	os.MkdirAll(di, 0o755)
	os.WriteFile(filepath.Join(di, "METADATA"), []byte("Metadata-Version: 2.1\nName: app\nVersion: 0.1\n"), 0o644)
	os.WriteFile(filepath.Join(di, "direct_url.json"), []byte(`{"url": "file:///src/app", "dir_info": {"editable": true}}`), 0o644)
	env, err := ReadSitePackages(site)
	if err != nil {
		t.Fatal(err)
	}
	if d := env.Dists["app"].DirectURL; d == nil || !d.Editable {
		t.Errorf("DirectURL %+v", d)
	}
}
