// Package lockfile reads and writes pylock's outputs: PEP 751 pylock.toml,
// pinned requirements with hashes, the JSON report, the ordered install plan
// (shell, Dockerfile, JSON) and drift comparison between locks.
//
// CONTRACT (stub written by the lead; the owner replaces the panics, may add
// API, must not rename or remove what is declared here).
package lockfile

import "time"

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
}

// Parse reads a PEP 751 lock from data; path is used in error messages
// (file:line:col).
func Parse(path string, data []byte) (*Lock, error) { panic("lockfile.Parse: not implemented") }

// ReadFile reads and parses path.
func ReadFile(path string) (*Lock, error) { panic("lockfile.ReadFile: not implemented") }

// Validate checks the rules packaging.pylock enforces.
func (l *Lock) Validate() error { panic("not implemented") }

// MarshalTOML renders l deterministically in PEP 751 shape.
func (l *Lock) MarshalTOML() ([]byte, error) { panic("not implemented") }

// WriteFileAtomic writes data to path via a temp file in the same directory,
// fsync and rename: on failure the old file is untouched and no partial file
// is left.
func WriteFileAtomic(path string, data []byte) error { panic("not implemented") }
