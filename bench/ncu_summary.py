#!/usr/bin/env python3
"""Sums per-kernel GPU time by kernel, so a TorchSharp process (which PyTorch's profiler cannot see) gets
the same kind of table. Reads either Nsight Compute's `ncu --csv --metrics gpu__time_duration.sum ...`
output or Nsight Systems' `nsys stats --report cuda_gpu_kern_sum --format csv ...` output:
`python3 bench/ncu_summary.py kernels.csv [--steps N] [--top 40]`. With --steps, totals are also
divided by the number of optimisation steps the profiled run made (warm-up steps included)."""
import argparse, csv, collections, io, sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("--steps", type=int, default=0)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    text = open(args.csv, errors="replace").read()
    totals, counts = collections.Counter(), collections.Counter()
    nsys = text.find('Time (%)')  # nsys's kernel summary: one row per kernel, already summed
    start = text.find('"ID"')  # ncu prints its own log lines before the table
    if nsys >= 0:
        header = text.rfind("\n", 0, nsys) + 1
        for row in csv.DictReader(io.StringIO(text[header:])):
            if not row.get("Name"):
                continue
            name = row["Name"][:110]
            totals[name] += float(row["Total Time (ns)"].replace(",", ""))
            counts[name] += int(row["Instances"].replace(",", ""))
        return report(totals, counts, args)
    if start < 0:
        print("no kernel table in", args.csv)
        return 1
    rows = list(csv.DictReader(io.StringIO(text[start:])))
    for row in rows:
        if row.get("Metric Name") != "gpu__time_duration.sum":
            continue
        value = float(row["Metric Value"].replace(",", ""))
        unit = row.get("Metric Unit", "ns")
        nanoseconds = value * {"ns": 1, "nsecond": 1, "us": 1e3, "usecond": 1e3, "ms": 1e6, "msecond": 1e6}.get(unit, 1)
        name = row["Kernel Name"][:110]
        totals[name] += nanoseconds
        counts[name] += 1
    return report(totals, counts, args)


def report(totals, counts, args):
    whole = sum(totals.values())
    print(f"{sum(counts.values())} kernels, {whole / 1e6:.1f} ms of kernel time" + (f", {whole / 1e6 / args.steps:.2f} ms per step over {args.steps} steps" if args.steps else ""))
    print(f"{'ms':>9} {'share':>6} {'calls':>6}  kernel")
    for name, total in totals.most_common(args.top):
        print(f"{total / 1e6:9.2f} {100 * total / whole:5.1f}% {counts[name]:6d}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
