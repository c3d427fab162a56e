#!/usr/bin/env python3
"""The storage port's rule (issue #18, /work/shared/ARCHITECTURE.md): only the SQLite adapter
(Sources/KVStore/Storage/SQLite/) imports CSQLite or holds SQL text.

    python3 Scripts/check-storage-port.py

Fails (exit 1, listing file:line) when a Swift file under Sources/ outside the adapter imports
CSQLite or has SQL text in code (comments are not checked). PartiQL is not SQL for SQLite: its
parser, planner and the clients that send PartiQL statements are listed in PARTIQL and checked
for `import CSQLite` only. Run by Scripts/test.sh.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCES = ROOT / "Sources"

# The adapters: SQL and CSQLite belong here (and in the system-library target itself).
ADAPTERS = ("Sources/KVStore/Storage/SQLite/", "Sources/CSQLite/")

# PartiQL (DynamoDB's SQL-compatible language, parsed by us, never given to SQLite): SELECT,
# INSERT INTO, DELETE FROM are its keywords here. And the PostgreSQL adapter, whose SQL is
# PostgreSQL's (an adapter too; it must not reach into SQLite).
PARTIQL = (
    "Sources/KVStorePostgres/",
    "Sources/KVStore/PartiQL/",
    "Sources/KVStore/Expressions/ReservedWords.swift",
    "Sources/KVServer/Protocol/PartiQLWire.swift",
    "Sources/KVServer/Console/ConsoleAssetFiles.swift",
    "Sources/KVCtlCore/Commands/SQLCommand.swift",
)

IMPORT = re.compile(r"^\s*(@[\w()]+\s+)*((public|internal|package|private|fileprivate)\s+)?import\s+CSQLite\b")
SQL = re.compile(
    r"\b(SELECT\s|INSERT\s+(OR\s+\w+\s+)?INTO\b|DELETE\s+FROM\b|UPDATE\s+\w+\s+SET\b|CREATE\s+(TABLE|INDEX)\b"
    r"|DROP\s+(TABLE|INDEX)\b|ORDER\s+BY\b|PRAGMA\b|sqlite3_\w+\()"
)


def in_any(relative, prefixes):
    return any(relative == p or (p.endswith("/") and relative.startswith(p)) for p in prefixes)


def code_lines(text):
    """(line number, line) of each line that is not a comment (`//`, `///`, or inside `/* */`)."""
    in_block = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if in_block:
            if "*/" in stripped:
                in_block = False
            continue
        if stripped.startswith("/*"):
            in_block = "*/" not in stripped
            continue
        if stripped.startswith("//"):
            continue
        yield number, line


def main():
    problems = []
    for path in sorted(SOURCES.rglob("*.swift")):
        relative = path.relative_to(ROOT).as_posix()
        if in_any(relative, ADAPTERS):
            continue
        text = path.read_text(encoding="utf-8")
        for number, line in code_lines(text):
            if IMPORT.search(line):
                problems.append(f"{relative}:{number}: imports CSQLite outside the SQLite adapter")
        if in_any(relative, PARTIQL):
            continue
        for number, line in code_lines(text):
            match = SQL.search(line)
            if match:
                problems.append(f"{relative}:{number}: SQL text ({match.group(0).strip()}) outside the SQLite adapter")
    if problems:
        print("storage port check: FAILED", file=sys.stderr)
        for problem in problems:
            print("  " + problem, file=sys.stderr)
        print(
            "Only Sources/KVStore/Storage/SQLite/ may import CSQLite or hold SQL; the engine calls the port"
            " (Sources/KVStore/Storage/*.swift).",
            file=sys.stderr,
        )
        return 1
    print("storage port check: ok (no CSQLite import or SQL text outside Sources/KVStore/Storage/SQLite/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
