package reqfile

import (
	"strings"
	"testing"
)

func TestPyprojectToolPylock(t *testing.T) {
	const head = "[project]\nname = \"x\"\nversion = \"1\"\n\n"
	tests := []struct {
		name, toml string
		envs, req  string // markers joined by " | "
		err        string // substring of the error; "" = none
	}{
		{"absent", head, "", "", ""},
		{"other tools", head + "[tool.black]\nline-length = 1\n", "", "", ""},
		{"both", head + "[tool.pylock]\nenvironments = [\"sys_platform == 'linux'\", \"sys_platform == 'darwin'\"]\nrequired-environments = [\"os.name == 'nt'\"]\n",
			`sys_platform == "linux" | sys_platform == "darwin"`, `os_name == "nt"`, ""},
		{"bad marker", head + "[tool.pylock]\nrequired-environments = [\n  \"sys_platform == 'win32'\",\n  \"os_name ==\",\n]\n",
			"", "", `pyproject.toml:8:14: invalid marker in tool.pylock.required-environments "os_name ==": expected a marker variable or quoted string`},
		{"not an array", head + "[tool.pylock]\nenvironments = \"sys_platform == 'linux'\"\n", "", "", "tool.pylock.environments must be an array of strings"},
		{"not a table", head + "[tool]\npylock = 1\n", "", "", "tool.pylock must be a table"},
	}
	join := func(p *Pyproject, envs bool) string {
		ms := p.RequiredEnvironments
		if envs {
			ms = p.Environments
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.String())
		}
		return strings.Join(out, " | ")
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePyproject("pyproject.toml", []byte(tc.toml), PyprojectOptions{})
			switch {
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if got := join(p, true); got != tc.envs {
					t.Errorf("environments %q, want %q", got, tc.envs)
				}
				if got := join(p, false); got != tc.req {
					t.Errorf("required-environments %q, want %q", got, tc.req)
				}
			}
		})
	}
}
