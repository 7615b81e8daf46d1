package lockfile

import (
	"archive/zip"
	"bufio"
	"net/url"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/pylock/pylock/pypi/names"
)

// ImportCheck is the import verification that ends a plan rendered with
// --verify-imports: one "python -c 'import ...'" over the top-level modules
// of the locked packages with compiled extensions, so that a broken binary
// stack (a module built against another numpy ABI) fails the build, not the
// first run.
type ImportCheck struct {
	Modules []string // sorted, unique
	// Notes explain what is not checked (packages applying only under a
	// marker) and where a module name was guessed.
	Notes []string
}

// Compiled reports whether p ships compiled code: some wheel of p is
// platform-specific (not "-any.whl"). A package with only an sdist counts
// as not compiled (the lock does not say what building it produces).
func Compiled(p *Package) bool {
	for i := range p.Wheels {
		if !strings.HasSuffix(p.Wheels[i].filename(), "-any.whl") {
			return true
		}
	}
	return false
}

// knownModules maps projects whose import name is not their normalised
// project name to their top-level modules. Used only when no wheel of the
// package can be read locally. Built on first use, not at start-up.
var knownModules = sync.OnceValue(func() map[string][]string {
	return map[string][]string{
		"beautifulsoup4":                 {"bs4"},
		"faiss-cpu":                      {"faiss"},
		"faiss-gpu":                      {"faiss"},
		"google-crc32c":                  {"google_crc32c"},
		"grpcio":                         {"grpc"},
		"grpcio-tools":                   {"grpc_tools"},
		"msgpack-python":                 {"msgpack"},
		"mysqlclient":                    {"MySQLdb"},
		"onnxruntime-gpu":                {"onnxruntime"},
		"opencv-contrib-python":          {"cv2"},
		"opencv-contrib-python-headless": {"cv2"},
		"opencv-python":                  {"cv2"},
		"opencv-python-headless":         {"cv2"},
		"pillow":                         {"PIL"},
		"protobuf":                       {"google.protobuf"},
		"psycopg2-binary":                {"psycopg2"},
		"pycairo":                        {"cairo"},
		"pycryptodome":                   {"Crypto"},
		"pycryptodomex":                  {"Cryptodome"},
		"pygobject":                      {"gi"},
		"pymupdf":                        {"fitz"},
		"pynacl":                         {"nacl"},
		"pyqt5":                          {"PyQt5"},
		"pyqt6":                          {"PyQt6"},
		"python-dateutil":                {"dateutil"},
		"pywin32":                        {"win32api"},
		"pyyaml":                         {"yaml"},
		"pyzmq":                          {"zmq"},
		"ruamel-yaml-clib":               {"ruamel.yaml"},
		"scikit-image":                   {"skimage"},
		"scikit-learn":                   {"sklearn"},
		"tensorflow-cpu":                 {"tensorflow"},
		"tensorflow-gpu":                 {"tensorflow"},
		"tensorflow-intel":               {"tensorflow"},
	}
})

// NewImportCheck computes the import check for pkgs (a lock's packages):
// the top-level modules of every compiled package (see Compiled) that
// applies without a marker. The modules come from a wheel of the package
// when one can be read locally (a file:// URL, or a path relative to
// lockDir): its top_level.txt, else the top-level names in its RECORD (or
// zip listing). Otherwise a table of well-known mismatches (opencv-python
// -> cv2, pillow -> PIL, scikit-learn -> sklearn, pyyaml -> yaml, ...) is
// used, else the project name with "-" replaced by "_", and a note says
// the name was guessed.
func NewImportCheck(pkgs []Package, lockDir string) *ImportCheck {
	set := map[string]bool{}
	c := &ImportCheck{}
	seen := map[string]bool{}
	for i := range pkgs {
		p := &pkgs[i]
		name := names.Canonicalize(p.Name)
		if !Compiled(p) || seen[name] {
			continue
		}
		seen[name] = true
		if p.Marker != "" {
			c.Notes = append(c.Notes, "not import-checked: "+name+" (installed only when "+p.Marker+")")
			continue
		}
		mods := wheelModules(p, lockDir)
		if len(mods) == 0 {
			mods = knownModules()[name]
			if len(mods) == 0 {
				mods = []string{strings.ReplaceAll(name, "-", "_")}
				c.Notes = append(c.Notes, "import name of "+name+" guessed from its project name (no local wheel to read)")
			}
		}
		for _, m := range mods {
			set[m] = true
		}
	}
	c.Modules = sortedKeys(set)
	return c
}

// Command is the verification command: python -c "import a, b" (nil when
// there is nothing to import).
func (c *ImportCheck) Command(python string) []string {
	if c == nil || len(c.Modules) == 0 {
		return nil
	}
	return []string{python, "-c", "import " + strings.Join(c.Modules, ", ")}
}

// wheelModules reads the top-level modules from the first local wheel of p.
func wheelModules(p *Package, lockDir string) []string {
	for i := range p.Wheels {
		if file := localPath(&p.Wheels[i], lockDir); file != "" {
			if mods, err := zipModules(file); err == nil && len(mods) > 0 {
				return mods
			}
		}
	}
	return nil
}

// localPath is where an artifact lies on this machine ("" when remote).
func localPath(a *Artifact, lockDir string) string {
	if strings.HasPrefix(a.URL, "file:") {
		u, err := url.Parse(a.URL)
		if err == nil && u.Path != "" {
			return filepath.FromSlash(u.Path)
		}
	}
	if a.Path != "" {
		p := filepath.FromSlash(a.Path)
		if !filepath.IsAbs(p) {
			p = filepath.Join(lockDir, p)
		}
		return p
	}
	return ""
}

// zipModules lists a wheel's top-level importable modules.
func zipModules(file string) ([]string, error) {
	z, err := zip.OpenReader(file)
	if err != nil {
		return nil, err
	}
	defer z.Close()
	var listing []string
	for _, f := range z.File {
		if strings.HasSuffix(f.Name, ".dist-info/top_level.txt") && strings.Count(f.Name, "/") == 1 {
			r, err := f.Open()
			if err != nil {
				return nil, err
			}
			var mods []string
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				if m := strings.TrimSpace(sc.Text()); isModuleName(m) {
					mods = append(mods, m)
				}
			}
			r.Close()
			if len(mods) > 0 {
				sort.Strings(mods)
				return mods, nil
			}
		}
		listing = append(listing, f.Name)
	}
	return topLevelModules(listing), nil
}

// topLevelModules derives top-level module names from a wheel's file list
// (the paths RECORD holds): packages ("name/..." holding a .py or an
// extension module), modules ("name.py") and extension modules
// ("name.cpython-311-x86_64-linux-gnu.so", "name.pyd"), without .dist-info
// and .data directories and private names ("_name").
func topLevelModules(files []string) []string {
	set := map[string]bool{}
	for _, f := range files {
		first, rest, nested := strings.Cut(f, "/")
		var mod string
		switch {
		case nested:
			// A package directory is an identifier: not "x.libs", "x.data"
			// or "x-1.0.dist-info".
			if strings.Contains(first, ".") || !isSource(rest) {
				continue
			}
			mod = first
		case strings.HasSuffix(first, ".py"):
			mod = strings.TrimSuffix(first, ".py")
		case isExtension(first):
			mod, _, _ = strings.Cut(first, ".")
		}
		if isModuleName(mod) && !strings.HasPrefix(mod, "_") {
			set[mod] = true
		}
	}
	return sortedKeys(set)
}

func isSource(p string) bool {
	b := path.Base(p)
	return strings.HasSuffix(b, ".py") || isExtension(b)
}

func isExtension(b string) bool {
	return strings.HasSuffix(b, ".so") || strings.HasSuffix(b, ".pyd")
}

// isModuleName reports whether s is a dotted Python identifier (ASCII).
func isModuleName(s string) bool {
	if s == "" {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" || part[0] >= '0' && part[0] <= '9' {
			return false
		}
		for _, r := range part {
			if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}
