"""kvserver's command line (Sources/KVServerMain/Arguments): read by a table of options rather than
swift-argument-parser, whose reflection was 45% of the start-up (issue #17). These pin what the
package did before: `--help`, `--name value` and `--name=value`, flags, the environment as the
fallback, and exit status 64 (EX_USAGE) with "Error: ..." for a command line that cannot run."""

import re
import subprocess
from pathlib import Path

from conftest import REPO_ROOT, server_binary


def run(*arguments, env=None):
    return subprocess.run([server_binary(), *arguments], capture_output=True, text=True, timeout=30, env=env)


def started_line(*arguments, env=None) -> str:
    """Starts kvserver, returns its listening line, and stops it."""
    proc = subprocess.Popen([server_binary(), *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        return line
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_help_lists_every_option_of_the_readme_table():
    proc = run("--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("OVERVIEW: A DynamoDB-compatible database server.")
    assert "USAGE: kvserver [<options>]" in proc.stdout
    readme = (REPO_ROOT / "README.md").read_text()
    table = readme.split("## Server options", 1)[1].split("\n## ", 1)[0]
    flags = set(re.findall(r"`(--[a-z-]+)", table))
    assert len(flags) > 15
    for flag in flags:
        assert re.search(rf"^  {re.escape(flag)}\b", proc.stdout, re.M), f"{flag} missing from --help"
    assert run("-h").stdout == proc.stdout


def test_values_in_both_forms_and_flags():
    line = started_line("--in-memory", "--port=0", "--host", "127.0.0.1", "--log-level=error")
    assert re.match(r"kvserver listening on http://127\.0\.0\.1:\d+ \(signature verification off", line), line


def test_a_later_option_wins_and_the_environment_is_the_fallback():
    import os
    env = dict(os.environ, KVSERVER_HOST="127.0.0.9", KVSERVER_IN_MEMORY="1")
    assert "http://127.0.0.9:" in started_line("--port", "0", env=env)
    assert "http://127.0.0.1:" in started_line("--host", "127.0.0.2", "--host", "127.0.0.1", "--port", "0", env=env)


def test_command_lines_that_cannot_run_exit_64_with_the_reason():
    cases = {
        ("--port", "abc"): "Error: The value 'abc' is invalid for '--port <port>'",
        ("--bogus",): "Error: Unknown option '--bogus'",
        ("--port",): "Error: Missing value for '--port <port>'",
        ("--no-auth=yes",): "Error: The flag '--no-auth' takes no value",
        ("extra",): "Error: Unexpected argument 'extra'",
        ("--in-memory", "--port", "70000"): "Error: Port must be in 0...65535, got 70000.",
        ("--in-memory", "--durability", "sometimes"): "Error: ",
    }
    for arguments, message in cases.items():
        proc = run(*arguments)
        assert proc.returncode == 64, (arguments, proc.returncode, proc.stderr)
        assert proc.stderr.startswith(message), (arguments, proc.stderr)
        assert "See 'kvserver --help' for more information." in proc.stderr
        assert proc.stdout == ""
