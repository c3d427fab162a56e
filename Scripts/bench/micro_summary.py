#!/usr/bin/env python3
"""Summarises a micro-benchmark run (Scripts/bench/micro.sh) as one markdown table.

    micro_summary.py PLUGIN_OUTPUT WORKLOADS_TSV CALLGRIND_TSV [RESULTS_MD]

PLUGIN_OUTPUT is the benchmark plugin's text output (one box table per benchmark, values per
operation), WORKLOADS_TSV is `micro-count --list` (kind, name: the table's order) and
CALLGRIND_TSV holds instructions per operation counted by callgrind (name, count), empty when the
plugin measured instructions itself. Prints the table; also writes it to RESULTS_MD when given.
"""
import re
import sys
import time

# Unit suffixes the plugin puts in a metric's name, as multipliers.
TIME_UNITS = {"ns": 1, "μs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
COUNT_UNITS = {"K": 1e3, "M": 1e6, "G": 1e9}


def parse_plugin(text):
    """{benchmark: {metric: p50}}, metric one of time_ns, instructions, mallocs."""
    results = {}
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if not line.startswith("╒") or index == 0:
            continue
        name = lines[index - 1].strip()
        metrics = {}
        for row in lines[index + 1:]:
            if row.startswith("╘"):
                break
            cells = [cell.strip() for cell in row.strip("│").split("│")]
            if len(cells) < 4 or cells[0] == "Metric":
                continue
            label, p50 = cells[0], cells[3].replace(",", "")
            try:
                value = float(p50)
            except ValueError:
                continue
            unit = re.search(r"\((\w+)\)", label.replace("wall clock", ""))
            if label.startswith("Time (wall clock)"):
                metrics["time_ns"] = value * TIME_UNITS.get(unit.group(1) if unit else "ns", 1)
            elif label.startswith("Instructions"):
                metrics["instructions"] = value * COUNT_UNITS.get(unit.group(1) if unit else "", 1)
            elif label.startswith("Malloc (total)"):
                metrics["mallocs"] = value * COUNT_UNITS.get(unit.group(1) if unit else "", 1)
        results[name] = metrics
    return results


def read_tsv(path):
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t") for line in handle if line.strip()]


def format_time(nanoseconds):
    if nanoseconds < 1000:
        return f"{nanoseconds:.0f} ns"
    micros = nanoseconds / 1000
    return f"{micros:.2f} µs" if micros < 10 else f"{micros:.1f} µs"


def main(arguments):
    if len(arguments) not in (3, 4):
        sys.exit(__doc__)
    with open(arguments[0], encoding="utf-8") as handle:
        plugin = parse_plugin(handle.read())
    order = [name for _, name in read_tsv(arguments[1])]
    counted = {name: int(count) for name, count in read_tsv(arguments[2])}
    names = [name for name in order if name in plugin] + sorted(set(plugin) - set(order))

    rows = ["| benchmark | time p50 | instructions | mallocs |", "|---|---|---|---|"]
    for name in names:
        metrics = plugin[name]
        time_text = format_time(metrics["time_ns"]) if "time_ns" in metrics else "n/a"
        if "instructions" in metrics:
            instructions = f"{metrics['instructions']:,.0f}"
        elif name in counted:
            instructions = f"{counted[name]:,}"
        else:
            instructions = "n/a"
        mallocs = f"{metrics['mallocs']:.0f}" if "mallocs" in metrics else "n/a"
        rows.append(f"| {name} | {time_text} | {instructions} | {mallocs} |")
    table = "\n".join(rows)
    if counted:
        note = ("Instructions: callgrind's count (no hardware counters on this machine), "
                "CPU-only benchmarks; n/a where valgrind cannot run the engine.")
    elif any("instructions" in metrics for metrics in plugin.values()):
        note = "Instructions: hardware counters (perf_event_open)."
    else:
        note = "Instructions: not measured (no hardware counters, callgrind skipped)."
    print(table)
    print()
    print(note)

    if len(arguments) == 4:
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        with open(arguments[3], "w", encoding="utf-8") as handle:
            handle.write(f"Measured {stamp} with `bash Scripts/bench/micro.sh` (release build, "
                         "ordo-one/benchmark; p50 per operation).\n\n")
            handle.write(table + "\n\n" + note + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
