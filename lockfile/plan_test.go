package lockfile

import (
	"errors"
	"strings"
	"testing"
)

func TestPlanOrder(t *testing.T) {
	tests := []struct {
		name  string
		lock  *Lock
		hints []string
		want  string
		notes []string // substrings expected among all notes
	}{
		{
			name:  "seed case: numpy alone first",
			lock:  mini("opencv-python: numpy", "numpy"),
			hints: []string{"numpy"},
			want:  "numpy | opencv-python",
		},
		{
			name: "no hints: dependencies first, ties by name",
			lock: mini("opencv-python: numpy", "numpy", "app: opencv-python fastapi", "fastapi: anyio", "anyio: idna", "idna"),
			want: "idna anyio fastapi numpy opencv-python app",
		},
		{
			name:  "hint pulls its own dependencies",
			lock:  mini("app: fastapi numpy", "fastapi: anyio pydantic", "anyio: idna", "idna", "pydantic", "numpy"),
			hints: []string{"fastapi"},
			want:  "idna anyio pydantic fastapi | numpy app",
		},
		{
			name:  "hints in hint order, one step each",
			lock:  mini("app: fastapi numpy", "fastapi: anyio", "anyio", "numpy"),
			hints: []string{"numpy", "fastapi"},
			want:  "numpy | anyio fastapi | app",
		},
		{
			name:  "second hint only takes what is not yet installed",
			lock:  mini("a: shared b", "b: shared", "shared", "c"),
			hints: []string{"b", "a"},
			want:  "shared b | a | c",
		},
		{
			name:  "hint already installed by an earlier hint",
			lock:  mini("fastapi: anyio", "anyio", "x"),
			hints: []string{"fastapi", "anyio"},
			want:  "anyio fastapi | x",
			notes: []string{"install-first anyio: already installed"},
		},
		{
			name:  "hints canonicalised and de-duplicated",
			lock:  mini("typing-extensions", "x: typing-extensions"),
			hints: []string{"Typing_Extensions", "typing.extensions"},
			want:  "typing-extensions | x",
		},
		{
			name: "hints from tool.pylock when none given",
			lock: withInstallFirst(mini("opencv-python: numpy", "numpy"), "numpy"),
			want: "numpy | opencv-python",
		},
		{
			name:  "argument overrides tool.pylock",
			lock:  withInstallFirst(mini("a", "b"), "b"),
			hints: []string{"a"},
			want:  "a | b",
		},
		{
			name:  "cycle broken by name",
			lock:  mini("c: a", "b: a", "a: b", "d"),
			want:  "a b c d",
			notes: []string{"dependency cycle between a==1.0, b==1.0"},
		},
		{
			name:  "cycle of three with outside dependency",
			lock:  mini("z: y", "y: x base", "x: z", "base", "top: x"),
			want:  "base x y z top",
			notes: []string{"x==1.0, y==1.0, z==1.0"},
		},
		{
			name: "self loop is not a cycle",
			lock: mini("a: a b", "b"),
			want: "b a",
		},
		{
			name: "missing dependency ignored",
			lock: mini("a: ghost", "b: a"),
			want: "a b",
		},
		{
			name:  "hint inside a cycle takes the whole cycle",
			lock:  mini("a: b", "b: a", "c"),
			hints: []string{"b"},
			want:  "a b | c",
			notes: []string{"dependency cycle"},
		},
		{
			name: "empty lock",
			lock: mini(),
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Plan(tt.lock, tt.hints)
			if err != nil {
				t.Fatal(err)
			}
			if got := planString(p); got != tt.want {
				t.Errorf("plan = %q, want %q", got, tt.want)
			}
			var notes []string
			for _, s := range p.Steps {
				notes = append(notes, s.Notes...)
			}
			all := strings.Join(notes, "\n")
			for _, n := range tt.notes {
				if !strings.Contains(all, n) {
					t.Errorf("notes %q lack %q", notes, n)
				}
			}
			if len(tt.notes) == 0 && len(notes) > 0 {
				t.Errorf("unexpected notes %q", notes)
			}
		})
	}
}

func withInstallFirst(l *Lock, hints ...string) *Lock {
	l.Tool.InstallFirst = hints
	return l
}

func TestPlanUnknownHint(t *testing.T) {
	_, err := Plan(mini("a"), []string{"a", "Nope"})
	var u *UnknownPackageError
	if !errors.As(err, &u) || u.Name != "nope" {
		t.Fatalf("err = %v, want UnknownPackageError for nope", err)
	}
	if !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("message %q does not name the package", err)
	}
}

func TestPlanDeterministic(t *testing.T) {
	l := sampleLock()
	first, err := Plan(l, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		// Shuffle by rotating the package list: the plan must not change.
		l.Packages = append(l.Packages[1:], l.Packages[0])
		p, err := Plan(l, nil)
		if err != nil {
			t.Fatal(err)
		}
		if planString(p) != planString(first) {
			t.Fatalf("plan depends on input order:\n%s\n%s", planString(p), planString(first))
		}
	}
	want := "numpy | annotated-types exceptiongroup idna opencv-python sniffio anyio starlette typing-extensions pydantic-core pydantic fastapi"
	if got := planString(first); got != want {
		t.Errorf("plan = %q\nwant   %q", got, want)
	}
	if got := strings.Join(first.Order(), " "); got != strings.ReplaceAll(want, " |", "") {
		t.Errorf("Order() = %q", got)
	}
}

func TestDockerSteps(t *testing.T) {
	p, err := Plan(sampleLock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	steps := (&InstallPlan{Steps: p.DockerSteps(0)})
	want := "numpy | opencv-python pydantic-core | annotated-types exceptiongroup idna sniffio anyio starlette typing-extensions pydantic fastapi"
	if got := planString(steps); got != want {
		t.Errorf("docker steps = %q\nwant           %q", got, want)
	}
	if k := steps.Steps[1].Kind; k != StepHeavy {
		t.Errorf("step 2 kind = %s", k)
	}
	// No heavy packages: no split.
	light, _ := Plan(mini("a: b", "b"), nil)
	if got := planString(&InstallPlan{Steps: light.DockerSteps(0)}); got != "b a" {
		t.Errorf("light plan = %q", got)
	}
}

func TestIsHeavy(t *testing.T) {
	pure := Package{Wheels: []Artifact{whl("a-1-py3-none-any.whl", 1000)}}
	big := Package{Wheels: []Artifact{whl("a-1-py3-none-any.whl", 6<<20)}}
	native := Package{Wheels: []Artifact{whl("a-1-cp311-cp311-win_amd64.whl", 1000)}}
	sdistOnly := Package{Sdist: sdist("a-1.tar.gz", 100<<20)}
	for _, tt := range []struct {
		p    Package
		want bool
	}{{pure, false}, {big, true}, {native, true}, {sdistOnly, false}} {
		if got := IsHeavy(&tt.p, 0); got != tt.want {
			t.Errorf("IsHeavy(%v) = %v", tt.p.Wheels, got)
		}
	}
	if IsHeavy(&big, 10<<20) {
		t.Error("custom threshold ignored")
	}
}
