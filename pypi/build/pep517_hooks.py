"""pylock's PEP 517 hook runner.

Usage: python pep517_hooks.py HOOK CONTROL_DIR, run with the source tree as
the current directory; or python pep517_hooks.py --wait CONTROL_DIR, which
imports the backend named in CONTROL_DIR/backend.json at once and then reads
the HOOK to call from its standard input (an empty line or end of input:
none, exit), so that pylock can start it while the previous hook runs.

CONTROL_DIR/input.json holds {"backend": "mod:obj", "backend_path": [...],
"config_settings": {...}, "metadata_directory": ...,
"wheel_directory": ...}; the result is written to CONTROL_DIR/output.json
as {"return": value}, {"unsupported": true} (optional hook missing) or
{"error": kind, "message": text}. The backend's own output goes to
stdout/stderr untouched.
"""
import importlib
import json
import os
import sys
import traceback


class HookError(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def load_backend(spec, backend_path):
    paths = [os.path.abspath(p) for p in backend_path or []]
    sys.path[:0] = paths
    module_name, _, attr = spec.partition(":")
    try:
        obj = importlib.import_module(module_name.strip())
    except ImportError:
        raise HookError("BackendUnavailable", traceback.format_exc())
    if paths:
        origin = os.path.normcase(os.path.abspath(getattr(obj, "__file__", "") or ""))
        if not any(origin.startswith(os.path.normcase(p) + os.sep) for p in paths):
            raise HookError("BackendInvalid",
                            "backend %r was loaded from %r, outside backend-path %r" % (spec, origin, backend_path))
    for part in attr.strip().split("."):
        if part:
            obj = getattr(obj, part)
    return obj


def run(hook, inp, backend=None):
    if backend is None:
        backend = load_backend(inp["backend"], inp.get("backend_path"))
    config = inp.get("config_settings") or None
    fn = getattr(backend, hook, None)
    if hook == "get_requires_for_build_wheel":
        return {"return": list(fn(config)) if fn else []}
    if hook == "prepare_metadata_for_build_wheel":
        if fn is None:
            return {"unsupported": True}
        return {"return": fn(inp["metadata_directory"], config)}
    if hook == "build_wheel":
        if fn is None:
            raise HookError("BackendInvalid", "backend %r has no build_wheel hook" % inp["backend"])
        return {"return": fn(inp["wheel_directory"], config, None)}
    raise HookError("UnknownHook", hook)


def print_backend_traceback(e):
    """Print e's traceback from the backend's first frame on: the runner's
    own frames (this file) would crowd the backend's output out of the
    lines pylock shows."""
    tb = e.__traceback__
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) == os.path.abspath(__file__):
        tb = tb.tb_next
    traceback.print_exception(type(e), e, tb)


def preload(control):
    """Import the backend of CONTROL/backend.json and wait for the hook's
    name on stdin. Returns (hook, backend, exception); hook is "" when none
    is wanted. An exception from the import is raised again when the hook
    is called, as a run started then would raise it."""
    with open(os.path.join(control, "backend.json"), encoding="utf-8") as f:
        spec = json.load(f)
    backend, failed = None, None
    try:
        backend = load_backend(spec["backend"], spec.get("backend_path"))
    except BaseException as e:
        failed = e
    hook = sys.stdin.readline().strip()
    # The hook sees no input, as in a run of its own.
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdin = open(os.devnull, encoding="utf-8")
    return hook, backend, failed


def main():
    backend, failed = None, None
    if sys.argv[1] == "--wait":
        control = sys.argv[2]
        hook, backend, failed = preload(control)
        if not hook:
            return
        sys.argv[1] = hook  # as in a run of its own
    else:
        hook, control = sys.argv[1], sys.argv[2]
    with open(os.path.join(control, "input.json"), encoding="utf-8") as f:
        inp = json.load(f)
    try:
        if failed is not None:
            raise failed
        out = run(hook, inp, backend)
    except HookError as e:
        out = {"error": e.kind, "message": str(e)}
    except BaseException as e:
        print_backend_traceback(e)
        out = {"error": "HookFailed", "message": "".join(traceback.format_exception_only(type(e), e)).strip()}
    with open(os.path.join(control, "output.json"), "w", encoding="utf-8") as f:
        json.dump(out, f)
    if "error" in out:
        sys.exit(1)


if __name__ == "__main__":
    main()
