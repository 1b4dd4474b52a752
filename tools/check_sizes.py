"""Hold the size rules of STYLE.md: functions up to ~40 lines, modules up to ~400 lines.

Run by `make lint` over the server and the signing library. A function or module over its
limit fails the check unless it is named in `tools/size_allowlist.txt` with the size it had
when it was allowed (it may shrink, not grow) and a reason. Lines are counted as written,
docstrings included; migrations are generated and not counted.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("meeting_server", "signing")
FUNCTION_LINES = 40
MODULE_LINES = 400
ALLOWLIST = ROOT / "tools" / "size_allowlist.txt"


def measured() -> dict[str, int]:
    """Return every function and module over its limit, as ``path[:name]`` -> lines."""
    found: dict[str, int] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            relative = path.relative_to(ROOT).as_posix()
            source = path.read_text(encoding="utf-8")
            lines = source.count("\n")
            if lines > MODULE_LINES:
                found[relative] = lines
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    if length > FUNCTION_LINES:
                        found[f"{relative}:{node.name}"] = length
    return found


def allowed() -> dict[str, int]:
    """Return the allow-list: ``path[:name] lines  # reason`` per line."""
    entries: dict[str, int] = {}
    for line in ALLOWLIST.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].split()
        if entry:
            entries[entry[0]] = int(entry[1])
    return entries


def main() -> int:
    over, allowance = measured(), allowed()
    problems = [
        f"{name}: {lines} lines (limit {FUNCTION_LINES if ':' in name else MODULE_LINES}"
        + (f", allowed {allowance[name]})" if name in allowance else ")")
        for name, lines in sorted(over.items())
        if lines > allowance.get(name, 0)
    ]
    stale = sorted(name for name in allowance if name not in over)
    for problem in problems:
        print(f"too long: {problem}: split it, or make the case in {ALLOWLIST.name}")
    for name in stale:
        print(f"{ALLOWLIST.name}: {name} is within the limit now; take it off the list")
    return 1 if problems or stale else 0


if __name__ == "__main__":
    sys.exit(main())
