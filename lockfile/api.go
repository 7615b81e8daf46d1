// Package lockfile reads and writes pylock's outputs: PEP 751 pylock.toml,
// pinned requirements with hashes, the JSON report, the ordered install plan
// (shell, Dockerfile, JSON) and drift comparison between locks.
//
// CONTRACT (stub written by the lead; the owner replaces the panics, may add
// API, must not rename or remove what is declared here).
package lockfile

import (
	"bytes"
	"io"
	"os"
	"time"
)

// Lock is a PEP 751 lock file.
type Lock struct {
	LockVersion      string   // "1.0"
	Environments     []string // markers
	RequiresPython   string
	Extras           []string
	DependencyGroups []string
	DefaultGroups    []string
	CreatedBy        string // "pylock"
	Packages         []Package
	Tool             Tool // [tool.pylock]; zero when absent
	// ExtraTools holds the other [tool.<name>] tables (and any non-table
	// values directly under [tool]) of foreign locks, kept verbatim so that
	// reading and re-writing a lock does not lose them. Never used by pylock.
	ExtraTools map[string]any
}

// Package is one [[packages]] entry.
type Package struct {
	Name           string // canonical
	Version        string
	Marker         string
	RequiresPython string
	Index          string
	Dependencies   []Dependency
	Wheels         []Artifact
	Sdist          *Artifact
	// VCS, Directory, Archive: present only when reading foreign locks.
	VCS       map[string]any
	Directory map[string]any
	Archive   *Artifact
	// AttestationIdentities and Tool ([packages.tool]) are kept verbatim
	// from foreign locks; pylock does not interpret them.
	AttestationIdentities []map[string]any
	Tool                  map[string]any
}

// Dependency is one entry of a package's dependencies array.
type Dependency struct {
	Name    string
	Version string // optional, to disambiguate
	Marker  string // optional
}

// Artifact is a wheel, sdist or archive.
type Artifact struct {
	Name       string
	URL        string
	Path       string
	Size       int64 // 0 = unknown (omitted)
	UploadTime time.Time
	Hashes     map[string]string
	// Subdirectory is the archive's "subdirectory" key (archives only).
	Subdirectory string
}

// Tool is pylock's informational [tool.pylock] table (never changes what is
// installed, per PEP 751).
type Tool struct {
	InputsHash   string   // "sha256:..." over the input files' bytes
	Inputs       []string // input file paths as given
	Requirements []string // the root requirements as resolved (after -r expansion)
	Constraints  []string
	Overrides    []string
	Options      map[string]string // resolver options used (flag name -> value)
	Target       string            // human description of the target
	InstallFirst []string
	InstallOrder []string // topological, dependencies first
	Command      string   // the command that regenerates this lock
	// InputRoles lists the inputs as given (not the files they include),
	// each with its role: [[tool.pylock.input]]. Empty in locks made before
	// pylock recorded roles.
	InputRoles []ToolInput
	// ABIGuard lists the ABI rules (audit/abi_rules.toml) that shaped or
	// flagged this resolution: [[tool.pylock.abi-guard]]. Whether the guard
	// was on is Options["abi-guard"] ("on" or "off").
	ABIGuard []ToolABIGuard
	// Via maps a package's canonical name to the inputs that name it,
	// pip-compile style: "-r requirements.txt" (the file holding the
	// requirement, includes too), "-c constraints.txt", "--override o.txt",
	// the bare path of a pyproject.toml, "-r -" for stdin:
	// [tool.pylock.via]. Only packages of the lock; nil in older locks.
	Via map[string][]string
}

// ToolABIGuard is one [[tool.pylock.abi-guard]]: an ABI rule and its
// evidence as seen when the lock was made.
type ToolABIGuard struct {
	Provider     string   // the package whose ABI broke, "numpy"
	Major        int      // the first major with the new ABI, 2
	FirstRelease string   // the provider's first final release of Major on the index, "2.0.0"
	Boundary     string   // the date of that release (YYYY-MM-DD), the rule's boundary
	Reason       string   // the rule's reason, for people
	HeldBack     []string // guard on: "pkg==version" whose compiled wheels predate the boundary, so the provider was kept below Major
	Unsafe       []string // guard off: "pkg==version" locked with the provider at Major or later although their wheels predate the boundary
}

// ToolInput is one [[tool.pylock.input]]: an input of the resolution.
type ToolInput struct {
	Path      string   // relative to the lock's directory, forward slashes; "-" is stdin
	Role      string   // requirements, pyproject, constraint or override
	Extras    []string // pyproject: the optional dependencies chosen
	Groups    []string // pyproject: the dependency groups chosen
	AllExtras bool     // pyproject: every optional dependency
	AllGroups bool     // pyproject: every dependency group
}

// Parse reads a PEP 751 lock from data; path is used in error messages
// (file:line:col). It checks TOML syntax and the type of every key it knows
// (a string where a string is due, a datetime for upload-time, ...), but not
// the packaging.pylock rules: call Validate for those. Unknown keys are
// ignored, as a newer 1.x lock may add some; other [tool] tables,
// [packages.tool] and attestation-identities are kept verbatim. The order of
// packages and files is kept. Errors are *Error.
func Parse(path string, data []byte) (*Lock, error) { return parse(path, data) }

// ReadFile reads and parses path.
func ReadFile(path string) (*Lock, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Validate checks the rules packaging.pylock enforces, plus that every
// wheel/sdist filename agrees with its package's name and version and that
// every dependencies entry names a package of the lock. The error is a
// *ValidationError listing every problem.
func (l *Lock) Validate() error { return validate(l) }

// MarshalTOML renders l deterministically in PEP 751 shape: packages sorted
// by name then version, files by name, dependencies by name; l itself is not
// modified. It fails only on text that TOML cannot carry (invalid UTF-8).
func (l *Lock) MarshalTOML() ([]byte, error) { return marshal(l) }

// WriteFileAtomic writes data to path via a temp file in the same directory,
// fsync and rename: on failure the old file is untouched and no partial file
// is left. A regular file that already holds exactly data is left alone
// (relocking an unchanged project costs no write and no fsync, which is
// most of a warm run's wall time on some disks).
func WriteFileAtomic(path string, data []byte) error {
	if SameContent(path, data) {
		return nil
	}
	return WriteFileAtomicFunc(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// SameContent reports whether path is a regular file (through symlinks)
// whose bytes are data: WriteFileAtomic would leave it as it is.
func SameContent(path string, data []byte) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(data)) {
		return false
	}
	old := make([]byte, len(data)+1)
	n, err := io.ReadFull(f, old)
	return err == io.ErrUnexpectedEOF && n == len(data) && bytes.Equal(old[:n], data)
}
