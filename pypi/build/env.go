package build

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/pylock/pylock/pypi/names"
	"github.com/pylock/pylock/pypi/pep440"
)

// venvPython is the interpreter inside a virtual environment.
func venvPython(venv string) string {
	if runtime.GOOS == "windows" {
		return filepath.Join(venv, "Scripts", "python.exe")
	}
	return filepath.Join(venv, "bin", "python")
}

// schemePaths are the venv's install directories (sysconfig.get_paths()).
type schemePaths struct {
	Purelib, Platlib, Scripts, Data, Include string
}

// paths asks the venv's interpreter for its install directories, once
// per build.
func (j *job) paths(ctx context.Context) (schemePaths, error) {
	if j.scheme != nil {
		return *j.scheme, nil
	}
	sp, err := j.askPaths(ctx)
	if err == nil {
		j.scheme = &sp
	}
	return sp, err
}

func (j *job) askPaths(ctx context.Context) (schemePaths, error) {
	out, err := exec.CommandContext(ctx, j.python, "-I", "-c",
		"import json, sysconfig; print(json.dumps(sysconfig.get_paths()))").Output()
	if err != nil {
		return schemePaths{}, j.fail("create venv", nil, fmt.Errorf("%s: asking for sysconfig paths: %v", j.python, err))
	}
	var p schemePaths
	if err := json.Unmarshal(out, &p); err != nil || p.Purelib == "" {
		return schemePaths{}, j.fail("create venv", nil, fmt.Errorf("%s: unexpected sysconfig paths %q", j.python, out))
	}
	return p, nil
}

// install resolves reqs through the EnvResolver and installs exactly the
// returned files, each checked against its sha256.
func (j *job) install(ctx context.Context, py *Interpreter, reqs []string, from string) error {
	files, err := j.fetch(ctx, py, reqs, from)
	if err != nil {
		return err
	}
	return j.installFiles(ctx, files, from)
}

// fetched is a pinned build requirement and the local file that holds it.
type fetched struct {
	PinnedFile
	path string
}

// fetch resolves reqs through the EnvResolver and makes each file local
// (downloading it into the work directory when it is not a local file).
// It needs no build environment: isolate runs it while the venv is made.
func (j *job) fetch(ctx context.Context, py *Interpreter, reqs []string, from string) ([]fetched, error) {
	rs, err := parseReqs(reqs, fmt.Sprintf("%s: %s", j.pkg, from))
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, nil
	}
	if j.b.opts.Resolver == nil {
		return nil, fmt.Errorf("%s: no resolver for build requirements (use --no-build-isolation)", j.pkg)
	}
	files, err := j.b.opts.Resolver.ResolveBuildEnv(ctx, py, rs)
	if err != nil {
		return nil, fmt.Errorf("%s: resolving %s %q: %w", j.pkg, from, reqs, err)
	}
	out := make([]fetched, 0, len(files))
	for _, f := range files {
		p, err := j.localFile(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("%s: installing build requirement %s %s: %w", j.pkg, f.Name, f.Version, err)
		}
		out = append(out, fetched{f, p})
	}
	return out, nil
}

// installFiles installs files into the build environment and records
// their versions (job.installed).
func (j *job) installFiles(ctx context.Context, files []fetched, from string) error {
	if len(files) == 0 {
		return nil
	}
	sp, err := j.paths(ctx)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := j.installFile(f, sp); err != nil {
			return fmt.Errorf("%s: installing build requirement %s %s: %w", j.pkg, f.Name, f.Version, err)
		}
	}
	var pinned []string
	for _, f := range files {
		pinned = append(pinned, f.Name+"=="+f.Version)
		if v, err := pep440.Parse(f.Version); err == nil {
			if j.installed == nil {
				j.installed = map[string]pep440.Version{}
			}
			j.installed[names.Canonicalize(f.Name)] = v
		}
	}
	j.b.logf("%s: build environment (%s): %s", j.pkg, from, strings.Join(sortedCopy(pinned), " "))
	return nil
}

// localFile returns the path of f on this machine: its Path, its file://
// URL, or a download into the work directory.
func (j *job) localFile(ctx context.Context, f PinnedFile) (string, error) {
	if !strings.HasSuffix(strings.ToLower(f.Filename), ".whl") {
		return "", fmt.Errorf("%s is not a wheel: pylock installs build requirements from wheels only", f.Filename)
	}
	if !isHex(f.SHA256) {
		return "", fmt.Errorf("%s: no sha256 to check it against", f.Filename)
	}
	if f.Path != "" {
		return f.Path, nil
	}
	u, err := url.Parse(f.URL)
	switch {
	case err == nil && u.Scheme == "file":
		return filepath.FromSlash(u.Path), nil
	case j.b.opts.Fetch != nil:
		p := filepath.Join(j.work, "downloads", path.Base(f.Filename))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := j.b.opts.Fetch(ctx, f, p); err != nil {
			return "", err
		}
		return p, nil
	default:
		return "", fmt.Errorf("%s: no local path and no way to fetch %s", f.Filename, f.URL)
	}
}

// installFile checks f's file against its sha256 and unpacks it into sp.
func (j *job) installFile(f fetched, sp schemePaths) error {
	fh, err := os.Open(f.path)
	if err != nil {
		return err
	}
	defer fh.Close()
	h := sha256.New()
	size, err := io.Copy(h, fh)
	if err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != strings.ToLower(f.SHA256) {
		return fmt.Errorf("%s: sha256 is %s, expected %s", f.Filename, got, strings.ToLower(f.SHA256))
	}
	return installWheel(fh, size, sp, j.python)
}

// installWheel unpacks a wheel into a venv's scheme (the parts of the
// wheel spec a build environment needs: the root, .data/ directories,
// "#!python" script shebangs and console_scripts entry points).
// The file is read through r (bounded memory), after its hash was checked.
func installWheel(r io.ReaderAt, size int64, sp schemePaths, python string) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("not a wheel: %w", err)
	}
	root := sp.Purelib
	var entryPoints *zip.File
	for _, zf := range zr.File {
		dir, base, _ := strings.Cut(zf.Name, "/")
		if strings.HasSuffix(dir, ".dist-info") && base == "WHEEL" {
			if b, err := readZip(zf); err == nil && strings.Contains(strings.ToLower(string(b)), "root-is-purelib: false") {
				root = sp.Platlib
			}
		}
		if strings.HasSuffix(dir, ".dist-info") && base == "entry_points.txt" {
			entryPoints = zf
		}
	}
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, "/") {
			continue
		}
		if err := checkMember(zf.Name); err != nil {
			return err
		}
		dest, script := root, false
		rel := zf.Name
		if dir, rest, ok := strings.Cut(zf.Name, "/"); ok && strings.HasSuffix(dir, ".data") {
			kind, r2, _ := strings.Cut(rest, "/")
			rel = r2
			switch kind {
			case "purelib":
				dest = sp.Purelib
			case "platlib":
				dest = sp.Platlib
			case "scripts":
				dest, script = sp.Scripts, true
			case "headers":
				dest = sp.Include
			default:
				dest = sp.Data
			}
		}
		if rel == "" {
			continue
		}
		mode := os.FileMode(0o644)
		if zf.Mode()&0o111 != 0 || script {
			mode = 0o755
		}
		if err := extract(zf, filepath.Join(dest, filepath.FromSlash(rel)), mode, script, python); err != nil {
			return err
		}
	}
	if entryPoints != nil {
		return consoleScripts(entryPoints, sp.Scripts, python)
	}
	return nil
}

// extract copies one wheel member to p, rewriting a script's "#!python"
// shebang to the venv's interpreter.
func extract(zf *zip.File, p string, mode os.FileMode, script bool, python string) error {
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	var rd io.Reader = io.LimitReader(rc, 4<<30)
	if script {
		br := bufio.NewReader(rd)
		if head, _ := br.Peek(len("#!python")); string(head) == "#!python" {
			br.Discard(len("#!python"))
			rd = io.MultiReader(strings.NewReader("#!"+python), br)
		} else {
			rd = br
		}
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(p, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, rd)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", zf.Name, err)
	}
	return nil
}

// checkMember refuses absolute names, "..", backslashes and drive letters.
func checkMember(name string) error {
	if strings.ContainsAny(name, "\\\x00") || strings.HasPrefix(name, "/") || len(name) > 1 && name[1] == ':' {
		return fmt.Errorf("unsafe wheel member %q", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return fmt.Errorf("unsafe wheel member %q", name)
		}
	}
	return nil
}

func readZip(zf *zip.File) ([]byte, error) {
	if zf.UncompressedSize64 > 1<<30 {
		return nil, fmt.Errorf("wheel member %s is too large", zf.Name)
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, 1<<30))
}

func writeFile(p string, b []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, b, mode)
}

// consoleScripts writes a launcher per [console_scripts] entry point
// ("name = module:attr [extras]").
func consoleScripts(zf *zip.File, scripts, python string) error {
	b, err := readZip(zf)
	if err != nil {
		return err
	}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		name, target, ok := strings.Cut(line, "=")
		if section != "console_scripts" || !ok {
			continue
		}
		name = strings.TrimSpace(name)
		target, _, _ = strings.Cut(strings.TrimSpace(target), "[")
		mod, attr, _ := strings.Cut(strings.TrimSpace(target), ":")
		mod, attr = strings.TrimSpace(mod), strings.TrimSpace(attr)
		if !names.IsValid(strings.ReplaceAll(name, ".", "-")) || mod == "" {
			continue
		}
		call := "import " + mod + "\nsys.exit(" + mod + "." + attr + "())\n"
		if attr == "" {
			call = "import runpy\nrunpy.run_module(" + fmt.Sprintf("%q", mod) + ", run_name=\"__main__\")\n"
		}
		text := "#!" + python + "\nimport sys\n" + call
		if err := writeFile(filepath.Join(scripts, name), []byte(text), 0o755); err != nil {
			return err
		}
	}
	return nil
}
