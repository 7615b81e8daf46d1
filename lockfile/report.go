package lockfile

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/pylock/pylock/pypi/names"
)

// The JSON report: one object, schema "pylock-report/1". Field names are
// stable (snake_case); fields are only ever added. Absent optional values
// are omitted, lists are [] rather than null.
//
//	schema           "pylock-report/1"
//	lock_version     PEP 751 lock-version ("1.0")
//	created_by       "pylock"
//	requires_python  lock requires-python, omitted when none
//	environments     [marker]: the environments the lock is valid for
//	target           human description of the target, omitted when none
//	command          command that regenerates the lock, omitted when none
//	inputs           [path] input files; inputs_hash "sha256:..." over them
//	roots            [name] canonical names of the root requirements
//	packages         [package], sorted by name then version:
//	    name, version, marker?, requires_python?, index?,
//	    heavy            true when Dockerfile layering treats it as heavy
//	    dependencies     [name] (as the lock's dependencies entries)
//	    files            [file]: kind "wheel" | "sdist" | "archive", name,
//	                     url?, path?, size? (bytes), upload_time? (RFC 3339,
//	                     UTC), hashes {algorithm: hex}
//	    source           for vcs/directory packages, the lock's table
//	edges            [{from, to, marker?}] dependency edges by name, sorted
//	plan             {install_first: [name], steps: [step]} where step is
//	                 {index (1-based), kind "install-first" | "packages",
//	                 hint?, packages [{name, version, marker?}], notes [..],
//	                 requirements: the step's requirements file text,
//	                 pip_args: run "python -m pip <pip_args> -r FILE" with
//	                 FILE holding requirements},
//	                 verify_imports? [argv]: python -c "import ..." for the
//	                 compiled packages (plan --verify-imports)
type Report struct {
	Schema         string          `json:"schema"`
	LockVersion    string          `json:"lock_version"`
	CreatedBy      string          `json:"created_by"`
	RequiresPython string          `json:"requires_python,omitempty"`
	Environments   []string        `json:"environments"`
	Target         string          `json:"target,omitempty"`
	Command        string          `json:"command,omitempty"`
	Inputs         []string        `json:"inputs"`
	InputsHash     string          `json:"inputs_hash,omitempty"`
	Roots          []string        `json:"roots"`
	Packages       []ReportPackage `json:"packages"`
	Edges          []ReportEdge    `json:"edges"`
	Plan           *ReportPlan     `json:"plan,omitempty"`
}

// ReportPackage is one package of the report.
type ReportPackage struct {
	Name           string         `json:"name"`
	Version        string         `json:"version"`
	Marker         string         `json:"marker,omitempty"`
	RequiresPython string         `json:"requires_python,omitempty"`
	Index          string         `json:"index,omitempty"`
	Heavy          bool           `json:"heavy"`
	Dependencies   []string       `json:"dependencies"`
	Files          []ReportFile   `json:"files"`
	Source         map[string]any `json:"source,omitempty"`
}

// ReportFile is one file of a package.
type ReportFile struct {
	Kind       string            `json:"kind"`
	Name       string            `json:"name"`
	URL        string            `json:"url,omitempty"`
	Path       string            `json:"path,omitempty"`
	Size       int64             `json:"size,omitempty"`
	UploadTime string            `json:"upload_time,omitempty"`
	Hashes     map[string]string `json:"hashes"`
}

// ReportEdge is a dependency edge.
type ReportEdge struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Marker string `json:"marker,omitempty"`
}

// ReportPlan is the install plan.
type ReportPlan struct {
	InstallFirst []string     `json:"install_first"`
	Steps        []ReportStep `json:"steps"`
	// VerifyImports is the command that checks the compiled packages
	// import (--verify-imports), omitted otherwise.
	VerifyImports []string `json:"verify_imports,omitempty"`
}

// ReportStep is one install step.
type ReportStep struct {
	Index        int         `json:"index"`
	Kind         StepKind    `json:"kind"`
	Hint         string      `json:"hint,omitempty"`
	Packages     []ReportPin `json:"packages"`
	Notes        []string    `json:"notes"`
	Requirements string      `json:"requirements"`
	PipArgs      []string    `json:"pip_args"`
}

// ReportPin names one package version.
type ReportPin struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Marker  string `json:"marker,omitempty"`
}

// RenderJSON renders the JSON report for l with plan (computed from
// l.Tool.InstallFirst when nil; omitted if that fails).
func RenderJSON(l *Lock, plan *InstallPlan) ([]byte, error) {
	if plan == nil {
		plan, _ = Plan(l, nil)
	}
	return marshalJSON(NewReport(l, plan, RenderOptions{}))
}

// NewReport builds the report (see Report) without encoding it.
func NewReport(l *Lock, plan *InstallPlan, o RenderOptions) *Report {
	c := l.clone()
	c.Sort()
	r := &Report{
		Schema:         "pylock-report/1",
		LockVersion:    c.LockVersion,
		CreatedBy:      c.CreatedBy,
		RequiresPython: c.RequiresPython,
		Environments:   nonNil(c.Environments),
		Target:         c.Tool.Target,
		Command:        c.Tool.Command,
		Inputs:         nonNil(c.Tool.Inputs),
		InputsHash:     c.Tool.InputsHash,
		Roots:          nonNil(sortedKeys(c.roots())),
		Packages:       []ReportPackage{},
		Edges:          []ReportEdge{},
	}
	for i := range c.Packages {
		p := &c.Packages[i]
		rp := ReportPackage{
			Name: p.Name, Version: p.Version, Marker: p.Marker,
			RequiresPython: p.RequiresPython, Index: p.Index,
			Heavy:        IsHeavy(p, o.HeavySize),
			Dependencies: []string{},
			Files:        []ReportFile{},
		}
		for _, d := range p.Dependencies {
			rp.Dependencies = append(rp.Dependencies, names.Canonicalize(d.Name))
			r.Edges = append(r.Edges, ReportEdge{From: p.Name, To: names.Canonicalize(d.Name), Marker: d.Marker})
		}
		for j := range p.Wheels {
			rp.Files = append(rp.Files, reportFile("wheel", &p.Wheels[j]))
		}
		if p.Sdist != nil {
			rp.Files = append(rp.Files, reportFile("sdist", p.Sdist))
		}
		if p.Archive != nil {
			rp.Files = append(rp.Files, reportFile("archive", p.Archive))
		}
		switch {
		case p.VCS != nil:
			rp.Source = map[string]any{"vcs": p.VCS}
		case p.Directory != nil:
			rp.Source = map[string]any{"directory": p.Directory}
		}
		r.Packages = append(r.Packages, rp)
	}
	if plan != nil {
		r.Plan = reportPlan(plan, o)
	}
	return r
}

func reportFile(kind string, a *Artifact) ReportFile {
	f := ReportFile{Kind: kind, Name: a.filename(), URL: a.URL, Path: a.Path, Size: a.Size, Hashes: a.Hashes}
	if f.Hashes == nil {
		f.Hashes = map[string]string{}
	}
	if !a.UploadTime.IsZero() {
		f.UploadTime = a.UploadTime.UTC().Format(time.RFC3339Nano)
	}
	return f
}

func reportPlan(p *InstallPlan, o RenderOptions) *ReportPlan {
	rp := &ReportPlan{InstallFirst: nonNil(p.InstallFirst), Steps: []ReportStep{}}
	idx, _ := stripCredentials(indexArgs(p.allPackages(), o))
	args := append([]string{"install", "--no-deps", "--require-hashes"}, idx...)
	for i, s := range p.Steps {
		st := ReportStep{
			Index: i + 1, Kind: s.Kind, Hint: s.Hint,
			Packages:     []ReportPin{},
			Notes:        nonNil(s.Notes),
			Requirements: string(requirementsText(s.Packages, true)),
			PipArgs:      args,
		}
		for _, pkg := range s.Packages {
			st.Packages = append(st.Packages, ReportPin{Name: pkg.Name, Version: pkg.Version, Marker: pkg.Marker})
		}
		rp.Steps = append(rp.Steps, st)
	}
	rp.VerifyImports = o.VerifyImports.Command("python")
	return rp
}

// JSON renders the plan alone: the "plan" object of the report.
func (p *InstallPlan) JSON(o RenderOptions) ([]byte, error) {
	return marshalJSON(reportPlan(p, o))
}

// marshalJSON indents and keeps <, > and & readable (markers hold them).
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// RenderReport renders the JSON report for l with plan under o (the index
// overrides and import check of the plan formats apply to its plan).
func RenderReport(l *Lock, plan *InstallPlan, o RenderOptions) ([]byte, error) {
	return marshalJSON(NewReport(l, plan, o))
}
