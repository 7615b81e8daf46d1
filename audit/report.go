package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Severity orders findings; --fail-on compares against it.
type Severity int

// Severities, least to most severe.
const (
	Info    Severity = iota // an observation, e.g. a newer version
	Warning                 // may need action, e.g. stale inputs
	Error                   // the lock or the environment is broken, e.g. a missing package
)

// String returns "info", "warning" or "error".
func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	default:
		return "error"
	}
}

// MarshalJSON writes the severity as its name.
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// ParseSeverity reads "info", "warning" or "error".
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "info":
		return Info, nil
	case "warning", "warn":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return 0, fmt.Errorf("invalid severity %q (want info, warning or error)", s)
}

// Finding kinds (Finding.Kind); the report groups findings by kind.
const (
	KindStaleInputs     = "stale-inputs"      // inputs changed or vanished since the lock was made
	KindUnsatisfied     = "unsatisfied-input" // an input requirement the lock does not satisfy
	KindMissing         = "missing"           // locked but not installed
	KindExtra           = "extra"             // installed but not locked
	KindVersionMismatch = "version-mismatch"  // installed version differs from the lock
	KindTampered        = "tampered"          // installed files changed since installation
	KindYanked          = "yanked"            // locked release yanked on the index
	KindHashMismatch    = "hash-mismatch"     // locked file's hash no longer matches the index
	KindFileRemoved     = "file-removed"      // locked file gone from the index
	KindFileAdded       = "file-added"        // file added on the index since the lock
	KindNewerVersion    = "newer-version"     // a newer version is available
	KindProjectGone     = "project-gone"      // project gone from the index
	KindABI             = "abi"               // ABI guard: compiled wheels predate the locked provider major (e.g. numpy 2)
	KindNoWheel         = "no-wheel"          // no compatible wheel: needs an sdist build at install time
)

var kindOrder = []string{KindStaleInputs, KindUnsatisfied, KindMissing, KindExtra, KindVersionMismatch,
	KindTampered, KindYanked, KindHashMismatch, KindFileRemoved, KindFileAdded, KindProjectGone,
	KindNewerVersion, KindABI, KindNoWheel}

var kindTitle = map[string]string{
	KindStaleInputs:     "Inputs changed since the lock was made",
	KindUnsatisfied:     "Input requirements the lock does not satisfy",
	KindMissing:         "Locked but not installed",
	KindExtra:           "Installed but not locked",
	KindVersionMismatch: "Installed version differs from the lock",
	KindTampered:        "Installed files changed since installation",
	KindYanked:          "Locked releases yanked on the index",
	KindHashMismatch:    "Locked files whose hash no longer matches the index",
	KindFileRemoved:     "Locked files gone from the index",
	KindFileAdded:       "Files added on the index since the lock",
	KindProjectGone:     "Projects gone from the index",
	KindNewerVersion:    "Newer versions available",
	KindABI:             "ABI guard",
	KindNoWheel:         "No compatible wheel (needs an sdist build at install time)",
}

// Finding is one problem or observation.
type Finding struct {
	Kind     string   `json:"kind"`
	Severity Severity `json:"severity"`
	Package  string   `json:"package,omitempty"`
	Related  string   `json:"related,omitempty"` // the other package involved (ABI: the provider as locked)
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`
}

// Report is the outcome of an audit.
type Report struct {
	Lock     string    `json:"lock"`
	Checks   []string  `json:"checks"`            // checks that ran
	Skipped  []string  `json:"skipped,omitempty"` // checks that did not, with why
	Findings []Finding `json:"findings"`
}

// Add appends findings.
func (r *Report) Add(f ...Finding) { r.Findings = append(r.Findings, f...) }

// Sort orders findings by kind, then package, then message.
func (r *Report) Sort() {
	rank := map[string]int{}
	for i, k := range kindOrder {
		rank[k] = i
	}
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if rank[a.Kind] != rank[b.Kind] {
			return rank[a.Kind] < rank[b.Kind]
		}
		if a.Package != b.Package {
			return a.Package < b.Package
		}
		return a.Message < b.Message
	})
}

// Count returns how many findings are at or above sev.
func (r *Report) Count(sev Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity >= sev {
			n++
		}
	}
	return n
}

// Summary is the one-line verdict.
func (r *Report) Summary() string {
	if len(r.Findings) == 0 {
		return fmt.Sprintf("No drift: %s is consistent (%s).", r.Lock, strings.Join(r.Checks, ", "))
	}
	by := map[Severity]int{}
	for _, f := range r.Findings {
		by[f.Severity]++
	}
	return fmt.Sprintf("%d finding(s) in %s: %d error(s), %d warning(s), %d info.",
		len(r.Findings), r.Lock, by[Error], by[Warning], by[Info])
}

// WriteText renders the human report grouped by kind.
func (r *Report) WriteText(w io.Writer) error {
	var b bytes.Buffer
	r.Sort()
	last := ""
	for _, f := range r.Findings {
		if f.Kind != last {
			if last != "" {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "%s:\n", kindTitle[f.Kind])
			last = f.Kind
		}
		fmt.Fprintf(&b, "  %-7s %s\n", f.Severity, f.Message)
		if f.Hint != "" {
			for _, h := range strings.Split(f.Hint, "\n") {
				fmt.Fprintf(&b, "          %s\n", h)
			}
		}
	}
	if len(r.Skipped) > 0 {
		if len(r.Findings) > 0 {
			b.WriteString("\n")
		}
		for _, s := range r.Skipped {
			fmt.Fprintf(&b, "skipped: %s\n", s)
		}
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	b.WriteString(r.Summary() + "\n")
	_, err := w.Write(b.Bytes())
	return err
}

// WriteJSON renders the report for machines.
func (r *Report) WriteJSON(w io.Writer) error {
	r.Sort()
	out := struct {
		*Report
		Summary string         `json:"summary"`
		Counts  map[string]int `json:"counts"`
	}{r, r.Summary(), map[string]int{"error": 0, "warning": 0, "info": 0}}
	if out.Findings == nil {
		out.Findings = []Finding{}
	}
	for _, f := range r.Findings {
		out.Counts[f.Severity.String()]++
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
