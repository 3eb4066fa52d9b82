#!/usr/bin/env python3
"""Turns bench/run's raw results (results.jsonl) into results.json, results.md and latency.png.

Usage: bench/report.py OUT_DIR. Every figure is a median over the run's rounds; "added" latency is
computed per round against direct (the fake provider alone) in the same round, then the median is
taken. Ratios compare systems measured in the same run.
"""
import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict

SYSTEMS = ["direct", "nginx", "sluice", "portkey"]
# Scenarios that have a base scenario's shape through another API, shown next to Sluice's figures
# for the base: (scenario, base, what Sluice does).
OTHER_APIS = [
    ("stream-20-anthropic", "stream-20", "Anthropic Messages → Anthropic (passthrough)"),
    ("stream-20-bedrock", "stream-20", "OpenAI chat → Bedrock ConverseStream (translated, SigV4)"),
]
PCTS = [("p50", "p50"), ("p90", "p90"), ("p99", "p99"), ("p999", "p99.9"), ("max", "max")]


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(v, digits=0):
    if v is None:
        return "–"
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def ratio(a, b, digits=2):
    if a is None or b in (None, 0):
        return "–"
    return f"{a / b:.{digits}f}×"


def merge_slices(slices):
    """One record per round from a round's wrk slices: their requests over their time."""
    by_round = defaultdict(list)
    for x in slices:
        by_round[x["round"]].append(x)
    merged = []
    for rnd, xs in sorted(by_round.items()):
        # Older results have one 5 s run per round and no "seconds".
        secs = sum(x.get("seconds") or (x["requests"] / x["rps"] if x["rps"] else 0) for x in xs)
        reqs = sum(x["requests"] for x in xs)
        merged.append({
            "round": rnd, "requests": reqs, "rps": reqs / secs if secs else 0,
            "non_2xx": sum(x["non_2xx"] for x in xs),
            "socket_errors": sum(x["socket_errors"] for x in xs),
            "cpu_ticks": sum(x["cpu_ticks"] for x in xs), "clk_tck": xs[0]["clk_tck"],
            "peak_rss_kib": max(x.get("peak_rss_kib", 0) for x in xs)})
    return merged


def paired_ratios(slices_a, slices_b):
    """a's rate over b's for every slice both measured (same round, same slice number)."""
    b = {(x["round"], x.get("slice", 0)): x["rps"] for x in slices_b}
    ratios = []
    for x in slices_a:
        rate_b = b.get((x["round"], x.get("slice", 0)))
        if rate_b:
            ratios.append(x["rps"] / rate_b)
    return ratios


def paired_ratio_cell(wrk_slices, scenario, baseline, digits):
    pairs = paired_ratios(wrk_slices.get(("sluice", scenario), []),
                          wrk_slices.get((baseline, scenario), []))
    return f"{median(pairs):.{digits}f}×" if pairs else "–"


def main(out):
    rows = [json.loads(l) for l in open(os.path.join(out, "results.jsonl")) if l.strip()]
    machine = open(os.path.join(out, "machine.txt")).read().strip().splitlines()
    systems = [s for s in SYSTEMS if any(r.get("system") == s for r in rows)]
    loads = [r["load1"] for r in rows if "load1" in r]
    if loads:
        # Our own processes keep the 1-minute load near 2 on a 2-core machine; more is other work.
        machine.append(f"load average (1 min) during the runs: {min(loads):.2f}–{max(loads):.2f}")

    # --- Maximum RPS (wrk) and CPU at saturation
    wrk_slices = defaultdict(list)
    for r in rows:
        if r["kind"] == "wrk":
            wrk_slices[(r["system"], r["scenario"])].append(r)
    wrk = {k: merge_slices(v) for k, v in wrk_slices.items()}
    scenarios = []
    for r in rows:
        if r.get("scenario") and r["scenario"] not in scenarios:
            scenarios.append(r["scenario"])
    max_rps = {k: median([x["rps"] for x in v]) for k, v in wrk.items()}
    wrk_cpu_ms_per_k = {}
    for k, v in wrk.items():
        vals = [x["cpu_ticks"] / x["clk_tck"] / x["requests"] * 1e6 for x in v
                if x["requests"] and k[0] != "direct"]
        wrk_cpu_ms_per_k[k] = median(vals)
    wrk_bad = {k: sum(x["non_2xx"] + x["socket_errors"] for x in v) for k, v in wrk.items()}
    # How busy the system's core was during wrk: CPU seconds over the run's length. Below ~90%
    # the system was not what limited the rate (the load generator and fake provider's core was).
    wrk_busy = {}
    for k, v in wrk.items():
        vals = [x["cpu_ticks"] / x["clk_tck"] * x["rps"] / x["requests"] * 100 for x in v
                if x["requests"] and k[0] != "direct"]
        wrk_busy[k] = median(vals)

    # --- Fixed-rate latency
    rate_runs = defaultdict(list)
    for r in rows:
        if r["kind"] == "rate":
            rate_runs[(r["system"], r["scenario"], r["rate"])].append(r)
    lat = {}
    for (s, sc, rate), v in rate_runs.items():
        entry = {}
        for key in ("latency_us", "ttfb_us", "chunk_gap_us"):
            entry[key] = {p: median([x["loadgen"].get(key, {}).get(p) for x in v]) for p, _ in PCTS}
        entry["errors"] = sum(x["loadgen"].get("errors", 0) + x["loadgen"].get("non_2xx", 0)
                              for x in v)
        entry["achieved_rps"] = median([x["loadgen"].get("rps") for x in v])
        entry["cpu_ms_per_1000"] = median([x["cpu_ticks"] / x["clk_tck"] / x["sent"] * 1e6
                                           for x in v if x["sent"] and s != "direct"])
        # Added over direct, per round.
        for key in ("latency_us", "ttfb_us", "chunk_gap_us"):
            added = {}
            for p, _ in PCTS:
                per_round = []
                for x in v:
                    d = [y for y in rate_runs.get(("direct", sc, rate), []) if y["round"] == x["round"]]
                    if d and x["loadgen"].get(key) and d[0]["loadgen"].get(key):
                        per_round.append(x["loadgen"][key][p] - d[0]["loadgen"][key][p])
                added[p] = median(per_round)
            entry["added_" + key] = added
        lat[(s, sc, rate)] = entry
    skipped = {(r["system"], r["scenario"], r["rate"]) for r in rows if r["kind"] == "skipped"}

    # --- Memory
    peak_rss = {}
    for r in rows:
        if r["kind"] in ("wrk", "rate") and r["system"] != "direct":
            peak_rss[r["system"]] = max(peak_rss.get(r["system"], 0), r.get("peak_rss_kib", 0))
    streams = {}
    for r in rows:
        if r["kind"] == "streams":
            per = (r["rss_during_kib"] - r["rss_before_kib"]) / r["open"] if r["open"] else None
            streams[r["system"]] = dict(r, kib_per_stream=per)

    # --- Targets (the performance goals of docs/benchmarks.md)
    small = next((sc for sc in ("chat-10x10", "chat-10x1000") if ("sluice", sc) in max_rps), None)
    targets = []
    if small:
        s, n, p = (max_rps.get(("sluice", small)), max_rps.get(("nginx", small)),
                   max_rps.get(("portkey", small)))
        pairs = paired_ratios(wrk_slices[("sluice", small)], wrk_slices.get(("nginx", small), []))
        if s and n and pairs:
            # The verdict is the median of the ratios of slices measured seconds apart; the middle
            # half of them shows how far the machine's swings move a single pair.
            q = statistics.quantiles(pairs, n=4) if len(pairs) > 1 else [pairs[0]] * 3
            m = median(pairs)
            targets.append((f"Max RPS ≥ 0.9 × nginx ({small})", f"{m:.2f} × nginx (median of "
                            f"{len(pairs)} paired slices, middle half {q[0]:.2f}–{q[2]:.2f}; "
                            f"{fmt(s)} vs {fmt(n)} req/s)", m >= 0.9))
        cs, cn = wrk_cpu_ms_per_k.get(("sluice", small)), wrk_cpu_ms_per_k.get(("nginx", small))
        if cs and cn:
            # When the load generator's core limits wrk, the CPU each system spends per request
            # tells what one saturated core would serve: 1 s / CPU per request.
            targets.append((f"Same, CPU-bound estimate: 1 core ÷ CPU per request ({small})",
                            f"{cn / cs:.2f} × nginx ({fmt(1e6 / cs)} vs {fmt(1e6 / cn)} req/s; "
                            f"{cs:.1f} vs {cn:.1f} µs CPU per request)",
                            cn / cs >= 0.9))
        pairs = paired_ratios(wrk_slices[("sluice", small)], wrk_slices.get(("portkey", small), []))
        if s and p and pairs:
            m = median(pairs)
            targets.append((f"Max RPS ≥ 25 × Portkey ({small})", f"{m:.1f} × Portkey (median of "
                            f"{len(pairs)} paired slices; {fmt(s)} vs {fmt(p)} req/s)", m >= 25))
        e = lat.get(("sluice", small, 1000))
        if e:
            a = e["added_latency_us"]
            if a["p99"] is not None:
                targets.append((f"Added p99 ≤ 200 µs at 1k RPS ({small})", f"{a['p99']:.0f} µs",
                                a["p99"] <= 200))
            if a["p999"] is not None:
                targets.append((f"Added p99.9 ≤ 1 ms at 1k RPS ({small})", f"{a['p999']:.0f} µs",
                                a["p999"] <= 1000))
    st = streams.get("sluice")
    if st and st["kib_per_stream"] is not None:
        targets.append((f"Open SSE streams ≤ 32 KiB RSS each ({st['open']:,} streams)",
                        f"{st['kib_per_stream']:.1f} KiB", st["kib_per_stream"] <= 32))
    paced = lat.get(("sluice", "stream-20-paced", 200))
    if paced and paced["added_chunk_gap_us"]["p99"] is not None:
        v = paced["added_chunk_gap_us"]["p99"]
        targets.append(("Added delay per chunk ≤ 50 µs p99 (stream-20-paced, gap p99 over direct)",
                        f"{v:.0f} µs", v <= 50))
    big_s, big_n = lat.get(("sluice", "chat-10MB", 10)), lat.get(("nginx", "chat-10MB", 10))
    if big_s and big_n:
        a_s, a_n = big_s["added_latency_us"]["p50"], big_n["added_latency_us"]["p50"]
        if a_s is not None and a_n is not None:
            targets.append(("10 MB bodies: added latency ≤ 2 × nginx's (p50)",
                            f"{a_s / 1000:.2f} ms vs nginx {a_n / 1000:.2f} ms",
                            a_s <= 2 * max(a_n, 1)))

    # --- Sluice across APIs: each scenario's max RPS and CPU per request against its base's
    other_apis = []
    for sc, base, what in OTHER_APIS:
        if ("sluice", sc) not in max_rps:
            continue
        v, b = max_rps[("sluice", sc)], max_rps.get(("sluice", base))
        cpu, cpu_b = wrk_cpu_ms_per_k.get(("sluice", sc)), wrk_cpu_ms_per_k.get(("sluice", base))
        # ms per 1,000 requests is µs per request.
        other_apis.append({"scenario": sc, "base": base, "what": what, "max_rps": v,
                           "base_max_rps": b, "ratio": v / b if v and b else None,
                           "cpu_us_per_request": cpu, "base_cpu_us_per_request": cpu_b})

    # --- JSON
    result = {
        "machine": machine,
        "max_rps": {f"{s}/{sc}": v for (s, sc), v in max_rps.items()},
        "core_busy_percent_at_max": {f"{s}/{sc}": v for (s, sc), v in wrk_busy.items()},
        # ms per 1,000 requests is µs per request.
        "cpu_us_per_request_at_max": {f"{s}/{sc}": v for (s, sc), v in wrk_cpu_ms_per_k.items()},
        "latency": {f"{s}/{sc}/{rate}": e for (s, sc, rate), e in lat.items()},
        "skipped_rates": sorted(f"{s}/{sc}/{rate}" for s, sc, rate in skipped),
        "peak_rss_kib": peak_rss,
        "streams": streams,
        "targets": [{"target": t, "measured": m, "met": ok} for t, m, ok in targets],
        "sluice_other_apis": other_apis,
    }
    json.dump(result, open(os.path.join(out, "results.json"), "w"), indent=1)

    # --- Markdown
    md = []
    md.append("Machine: " + "; ".join(machine))
    md.append("")
    if targets:
        md.append("| Target | Measured | Met |")
        md.append("|---|---|---|")
        for t, m, ok in targets:
            md.append(f"| {t} | {m} | {'yes' if ok else '**no**'} |")
        md.append("")
    md.append("**Maximum throughput** (wrk -t1 -c32, closed loop, req/s over each round's slices, "
              "median of the rounds; one worker core each; in brackets how busy the system's core "
              "was: below ~90% the limit was elsewhere, usually the core shared by wrk and the "
              "fake provider; the ratios are medians of the ratios of slices taken in turn)")
    md.append("")
    md.append("| Scenario | " + " | ".join(systems) + " | Sluice/nginx | Sluice/Portkey |")
    md.append("|---|" + "---:|" * (len(systems) + 2))
    for sc in scenarios:
        if not any((s, sc) in max_rps for s in systems):
            continue
        cells = []
        for s in systems:
            v = max_rps.get((s, sc))
            bad = wrk_bad.get((s, sc), 0)
            busy = wrk_busy.get((s, sc))
            cells.append(fmt(v) + (f" [{busy:.0f}%]" if busy is not None else "")
                         + (f" ({bad} err)" if bad else ""))
        md.append(f"| {sc} | " + " | ".join(cells)
                  + f" | {paired_ratio_cell(wrk_slices, sc, 'nginx', 2)}"
                  f" | {paired_ratio_cell(wrk_slices, sc, 'portkey', 1)} |")
    if other_apis:
        md.append("")
        md.append("**Sluice across APIs** (wrk -t1 -c32 max req/s and CPU per request of the same "
                  "stream shape through another API, next to Sluice's OpenAI passthrough of it; "
                  "in brackets how busy Sluice's core was)")
        md.append("")
        md.append("| Scenario | Sluice does | max req/s | × passthrough | CPU µs/request | "
                  "passthrough max req/s | passthrough CPU µs/request |")
        md.append("|---|---|---:|---:|---:|---:|---:|")
        for o in other_apis:
            sc, base = o["scenario"], o["base"]
            busy, busy_b = wrk_busy.get(("sluice", sc)), wrk_busy.get(("sluice", base))
            md.append(f"| {sc} (vs {base}) | {o['what']} | {fmt(o['max_rps'])}"
                      + (f" [{busy:.0f}%]" if busy is not None else "")
                      + f" | {ratio(o['max_rps'], o['base_max_rps'])}"
                      f" | {fmt(o['cpu_us_per_request'], 1)} | {fmt(o['base_max_rps'])}"
                      + (f" [{busy_b:.0f}%]" if busy_b is not None else "")
                      + f" | {fmt(o['base_cpu_us_per_request'], 1)} |")
    md.append("")
    md.append("**Latency at fixed rates** (open loop, from each request's scheduled send time; µs; "
              "added = system − direct in the same round)")
    md.append("")
    md.append("| Scenario @ rate | System | p50 | p90 | p99 | p99.9 | max | added p50 | added p99 | "
              "added p99.9 | errors |")
    md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for sc in scenarios:
        rates = sorted({rate for (s, x, rate) in list(lat) + list(skipped) if x == sc})
        for rate in rates:
            for s in systems:
                if (s, sc, rate) in skipped and (s, sc, rate) not in lat:
                    md.append(f"| {sc} @ {rate:,} | {s} | not sustained (max "
                              f"{fmt(max_rps.get((s, sc)))} req/s) | | | | | | | | |")
                    continue
                e = lat.get((s, sc, rate))
                if not e:
                    continue
                l, a = e["latency_us"], e["added_latency_us"]
                added = ["", "", ""] if s == "direct" else [fmt(a["p50"]), fmt(a["p99"]), fmt(a["p999"])]
                md.append(f"| {sc} @ {rate:,} | {s} | {fmt(l['p50'])} | {fmt(l['p90'])} | "
                          f"{fmt(l['p99'])} | {fmt(l['p999'])} | {fmt(l['max'])} | "
                          + " | ".join(added) + f" | {e['errors']} |")
    stream_rows = [(k, e) for k, e in lat.items() if e["ttfb_us"]["p50"] and k[1].startswith("stream")]
    if stream_rows:
        md.append("")
        md.append("**Streams**: time to first byte and gaps between chunk reads (µs)")
        md.append("")
        md.append("| Scenario @ rate | System | TTFB p50 | TTFB p99 | added TTFB p99 | chunk gap p50 | "
                  "chunk gap p99 | added gap p99 |")
        md.append("|---|---|---:|---:|---:|---:|---:|---:|")
        for (s, sc, rate), e in sorted(stream_rows, key=lambda kv: (kv[0][1], kv[0][2],
                                                                   systems.index(kv[0][0]))):
            t, g = e["ttfb_us"], e["chunk_gap_us"]
            at, ag = e["added_ttfb_us"], e["added_chunk_gap_us"]
            md.append(f"| {sc} @ {rate:,} | {s} | {fmt(t['p50'])} | {fmt(t['p99'])} | "
                      f"{'' if s == 'direct' else fmt(at['p99'])} | {fmt(g['p50'])} | {fmt(g['p99'])} | "
                      f"{'' if s == 'direct' else fmt(ag['p99'])} |")
    md.append("")
    md.append("**CPU time per 1,000 requests** (ms of the system's processes; at the first fixed "
              "rate of each scenario, and at maximum throughput)")
    md.append("")
    gw = [s for s in systems if s != "direct"]
    md.append("| Scenario | " + " | ".join(f"{s} @ rate" for s in gw) + " | "
              + " | ".join(f"{s} @ max" for s in gw) + " |")
    md.append("|---|" + "---:|" * (2 * len(gw)))
    for sc in scenarios:
        rates = sorted({rate for (s, x, rate) in lat if x == sc})
        cells = []
        for s in gw:
            e = next((lat[(s, sc, r)] for r in rates if (s, sc, r) in lat), None)
            r0 = next((r for r in rates if (s, sc, r) in lat), None)
            cells.append(f"{fmt(e['cpu_ms_per_1000'], 1)} (@{r0:,})" if e and e["cpu_ms_per_1000"] is not None else "–")
        for s in gw:
            cells.append(fmt(wrk_cpu_ms_per_k.get((s, sc)), 1))
        md.append(f"| {sc} | " + " | ".join(cells) + " |")
    md.append("")
    md.append("**Memory**")
    md.append("")
    md.append("| System | Peak RSS during the throughput runs | Idle SSE streams open | RSS before → with "
              "streams | Per stream |")
    md.append("|---|---:|---:|---:|---:|")
    for s in gw:
        st = streams.get(s)
        md.append(f"| {s} | {fmt(peak_rss.get(s, 0) / 1024, 1)} MiB | "
                  + (f"{st['open']:,} / {st['requested']:,} | {st['rss_before_kib'] / 1024:.1f} → "
                     f"{st['rss_during_kib'] / 1024:.1f} MiB | "
                     f"{fmt(st['kib_per_stream'], 1)} KiB |" if st else "– | – | – |"))
    open(os.path.join(out, "results.md"), "w").write("\n".join(md) + "\n")

    # --- Chart: latency percentiles per system, chat 10 x 1,000 B at a rate every system sustains
    # and at 1,000 req/s (two panels, log scale).
    panels = []
    for sc, rate in (("chat-10x1000", 100), ("chat-10x1000", 1000), ("chat-10x10", 1000)):
        if any((s, sc, rate) in lat for s in systems) and len(panels) < 2:
            if not any(p[0] == sc and p[1] == rate for p in panels):
                panels.append((sc, rate))
    if not panels and lat:
        panels.append(next(iter(lat))[1:])
    if panels:
        gp = os.path.join(out, "latency.gp")
        lines = [f"set terminal pngcairo size {560 * len(panels) + 40},520 font 'DejaVu Sans,10'",
                 f"set output '{os.path.join(out, 'latency.png')}'",
                 f"set multiplot layout 1,{len(panels)} title \"Latency percentiles, open loop "
                 f"(µs, log scale)\\n{machine[0].replace(chr(34), '')}\" font ',11'",
                 "set style data histograms", "set style histogram clustered gap 1",
                 "set style fill solid 0.85 border -1", "set boxwidth 0.9", "set logscale y",
                 "set yrange [10:*]", "set ylabel 'latency (µs)'", "set grid ytics",
                 "set key top left"]
        colors = {"direct": "#7f7f7f", "nginx": "#2ca02c", "sluice": "#1f77b4", "portkey": "#d62728"}
        for i, (sc, rate) in enumerate(panels):
            dat = os.path.join(out, f"latency-{i}.dat")
            present = [s for s in systems if (s, sc, rate) in lat]
            with open(dat, "w") as f:
                f.write("# percentile " + " ".join(present) + "\n")
                for p, label in PCTS:
                    f.write(f"{label} " + " ".join(str(lat[(s, sc, rate)]["latency_us"][p] or 0)
                                                   for s in present) + "\n")
            missing = [s for s in systems if (s, sc, rate) in skipped]
            title = f"{sc} at {rate:,} req/s"
            if missing:
                title += f" ({', '.join(missing)}: not sustained)"
            lines.append(f"set title \"{title}\"")
            plots = ", ".join(f"'{dat}' using {j + 2}:xtic(1) title '{s}' lc rgb '{colors[s]}'"
                              for j, s in enumerate(present))
            lines.append(f"plot {plots}")
        lines.append("unset multiplot")
        with open(gp, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run(["gnuplot", gp], check=False)


if __name__ == "__main__":
    main(sys.argv[1])
