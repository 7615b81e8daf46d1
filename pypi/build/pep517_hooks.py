"""pylock's PEP 517 hook runner.

Usage: python pep517_hooks.py HOOK CONTROL_DIR, run with the source tree as
the current directory. CONTROL_DIR/input.json holds {"backend": "mod:obj",
"backend_path": [...], "config_settings": {...}, "metadata_directory": ...,
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


def run(hook, inp):
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


def main():
    hook, control = sys.argv[1], sys.argv[2]
    with open(os.path.join(control, "input.json"), encoding="utf-8") as f:
        inp = json.load(f)
    try:
        out = run(hook, inp)
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
