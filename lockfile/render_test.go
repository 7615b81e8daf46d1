package lockfile

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

func samplePlan(t *testing.T) *InstallPlan {
	t.Helper()
	p, err := Plan(sampleLock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRenderGolden(t *testing.T) {
	l := sampleLock()
	p := samplePlan(t)
	golden(t, "golden/sample.requirements.txt", RenderRequirements(l, ""))
	golden(t, "golden/sample.plan.sh", p.Shell(RenderOptions{}))
	golden(t, "golden/sample.Dockerfile", p.Dockerfile(RenderOptions{}))
	golden(t, "golden/sample.inline.Dockerfile", p.Dockerfile(RenderOptions{Inline: true}))
	var files strings.Builder
	for _, f := range p.DockerfileFiles(RenderOptions{}) {
		files.WriteString("== " + f.Name + "\n")
		files.Write(f.Content)
	}
	golden(t, "golden/sample.dockerfile-files.txt", []byte(files.String()))
	js, err := p.JSON(RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "golden/sample.plan.json", js)
	report, err := RenderJSON(l, p)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "golden/sample.report.json", report)

	custom := RenderOptions{LockPath: "locks/pylock.toml", IndexURL: "http://127.0.0.1:8080/simple", ExtraIndexURLs: []string{"https://x.example/simple?a=1&b=2"}, Python: "/opt/py 3/bin/python", StepDir: "deps/"}
	golden(t, "golden/sample.custom.plan.sh", p.Shell(custom))
	golden(t, "golden/sample.custom.Dockerfile", p.Dockerfile(custom))
}

func TestRenderPlanFormats(t *testing.T) {
	p := samplePlan(t)
	for _, f := range []string{"shell", "dockerfile", "json"} {
		out, err := RenderPlan(p, f, RenderOptions{})
		if err != nil || len(out) == 0 {
			t.Errorf("RenderPlan(%s): %v", f, err)
		}
	}
	if _, err := RenderPlan(p, "yaml", RenderOptions{}); err == nil || !strings.Contains(err.Error(), "yaml") {
		t.Errorf("unknown format: err = %v", err)
	}
}

func TestReportJSONShape(t *testing.T) {
	out, err := RenderJSON(sampleLock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var r Report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	if r.Schema != "pylock-report/1" || len(r.Packages) != 12 || r.Plan == nil || len(r.Plan.Steps) != 2 {
		t.Fatalf("report = %+v", r)
	}
	if r.Plan.Steps[0].Hint != "numpy" || r.Plan.Steps[0].Packages[0].Name != "numpy" {
		t.Errorf("plan step 1 = %+v", r.Plan.Steps[0])
	}
	if strings.Join(r.Roots, " ") != "fastapi numpy opencv-python" {
		t.Errorf("roots = %v", r.Roots)
	}
	sorted := sort.SliceIsSorted(r.Edges, func(i, j int) bool {
		a, b := r.Edges[i], r.Edges[j]
		return a.From < b.From || a.From == b.From && a.To < b.To
	})
	if !sorted || len(r.Edges) != 13 {
		t.Errorf("edges = %v", r.Edges)
	}
	// Empty lists are [] not null.
	if strings.Contains(string(out), "null") {
		t.Errorf("report holds null:\n%s", out)
	}
}

// reqEntry is a parsed requirements-file entry.
type reqEntry struct {
	req    string
	hashes []string
	via    []string
}

// parseRequirementsFile reads a requirements file the way pip does for the
// parts pylock writes: comments, "\" continuations, a requirement followed
// by --hash options. Via annotations are collected from the comments that
// follow an entry.
func parseRequirementsFile(t *testing.T, text string) []reqEntry {
	t.Helper()
	if !strings.HasSuffix(text, "\n") {
		t.Error("file does not end in a newline")
	}
	var out []reqEntry
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			c := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#"))
			if len(out) > 0 && strings.HasPrefix(line, "    #") {
				e := &out[len(out)-1]
				switch {
				case strings.HasPrefix(c, "via "):
					e.via = append(e.via, strings.TrimPrefix(c, "via "))
				case c != "via":
					e.via = append(e.via, c)
				}
			}
			continue
		}
		if strings.TrimSpace(line) == "" {
			t.Errorf("blank line %d", i+1)
			continue
		}
		logical := ""
		for strings.HasSuffix(line, "\\") {
			logical += strings.TrimSuffix(line, "\\")
			i++
			if i >= len(lines) {
				t.Fatalf("continuation at end of file")
			}
			line = lines[i]
			if !strings.HasPrefix(line, "    --hash=") {
				t.Errorf("continuation line %q is not a hash option", line)
			}
		}
		logical += line
		var e reqEntry
		fields := strings.Fields(logical)
		var req []string
		for _, f := range fields {
			if strings.HasPrefix(f, "--hash=") {
				h := strings.TrimPrefix(f, "--hash=")
				alg, hex, ok := strings.Cut(h, ":")
				if !ok || (alg != "sha256" && alg != "sha384" && alg != "sha512") || hex == "" {
					t.Errorf("bad hash option %q", f)
				}
				e.hashes = append(e.hashes, h)
			} else if strings.HasPrefix(f, "-") {
				t.Errorf("unexpected option %q", f)
			} else {
				if len(e.hashes) > 0 {
					t.Errorf("requirement text after a hash option: %q", logical)
				}
				req = append(req, f)
			}
		}
		e.req = strings.Join(req, " ")
		out = append(out, e)
	}
	return out
}

func TestRequirementsParseBack(t *testing.T) {
	l := sampleLock()
	text := string(RenderRequirements(l, "pylock resolve requirements.txt -o requirements.lock.txt"))
	if !strings.Contains(text, "#    pylock resolve requirements.txt -o requirements.lock.txt\n") {
		t.Errorf("header lacks the command:\n%s", text)
	}
	entries := parseRequirementsFile(t, text)
	if len(entries) != len(l.Packages) {
		t.Fatalf("%d entries, want %d", len(entries), len(l.Packages))
	}
	byReq := map[string]reqEntry{}
	for _, e := range entries {
		byReq[e.req] = e
	}
	for _, p := range l.Packages {
		want := p.Name + "==" + p.Version
		if p.Marker != "" {
			want += " ; " + p.Marker
		}
		e, ok := byReq[want]
		if !ok {
			t.Errorf("no entry %q", want)
			continue
		}
		n := len(p.Wheels)
		if p.Sdist != nil {
			n++
		}
		if len(e.hashes) != n || !sort.StringsAreSorted(e.hashes) {
			t.Errorf("%s: hashes %v, want %d sorted", p.Name, e.hashes, n)
		}
	}
	via := func(req string) string { return strings.Join(byReq[req].via, ",") }
	if got := via("anyio==3.7.1"); got != "fastapi,starlette" {
		t.Errorf("anyio via %q", got)
	}
	if got := via("numpy==1.26.4"); got != "-r requirements.txt,opencv-python" {
		t.Errorf("numpy via %q", got)
	}
	if got := via("fastapi==0.104.1"); got != "-r requirements.txt" {
		t.Errorf("fastapi via %q", got)
	}
	if got := via(`exceptiongroup==1.2.0 ; python_version < "3.11"`); got != "anyio" {
		t.Errorf("exceptiongroup via %q", got)
	}
}

func TestRequirementsDirectReferences(t *testing.T) {
	l := &Lock{LockVersion: "1.0", CreatedBy: "x", Packages: []Package{
		{Name: "arch", Version: "1.0", Archive: &Artifact{URL: "https://x.example/arch-1.0.zip", Subdirectory: "sub", Hashes: map[string]string{"sha256": "aa", "md5": "bb"}}},
		{Name: "repo", VCS: map[string]any{"type": "git", "url": "https://github.com/o/repo", "commit-id": "abc123"}},
		{Name: "local", Directory: map[string]any{"path": "./local"}, Marker: `os_name == "posix"`},
		{Name: "edit", Directory: DirectorySource{Path: "src/edit", Editable: true}.Table()},
		{Name: "wheelfile", Version: "2.0", Archive: &Artifact{Path: "dist/wheelfile-2.0-py3-none-any.whl", Hashes: map[string]string{"sha256": "cc"}}},
		{Name: "sub", VCS: VCSSource{Type: "git", URL: "file:///srv/mono", RequestedRevision: "v1", CommitID: "def456", Subdirectory: "py/sub"}.Table()},
	}}
	text := string(RenderRequirements(l, ""))
	for _, want := range []string{
		"arch @ https://x.example/arch-1.0.zip#subdirectory=sub \\\n    --hash=sha256:aa\n",
		"repo @ git+https://github.com/o/repo@abc123\n",
		"./local ; os_name == \"posix\"\n",
		"-e ./src/edit\n",
		"./dist/wheelfile-2.0-py3-none-any.whl \\\n    --hash=sha256:cc\n",
		"sub @ git+file://localhost/srv/mono@def456#subdirectory=py/sub\n",
		"# VCS and local-directory requirements cannot be hash-checked",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	if strings.Contains(text, "md5") {
		t.Error("md5 is not a hash pip accepts")
	}
	if strings.Contains(text, "To regenerate") {
		t.Error("no command, yet a regenerate line")
	}
}

func TestInlineDockerfileHasNoContinuations(t *testing.T) {
	out := string(samplePlan(t).Dockerfile(RenderOptions{Inline: true}))
	in := false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasSuffix(line, "<<'EOF'"):
			in = true
		case line == "EOF":
			in = false
		case in && strings.HasSuffix(line, "\\"):
			t.Errorf("continuation inside a heredoc: %q", line)
		}
	}
}
