#!/usr/bin/env python3
"""Draw the slowdown ratios of benchmarks/compare.sh as a hand-written SVG (no packages).

    python3 benchmarks/chart.py out/bench/results.tsv benchmarks/compare.svg

The TSV has the columns workload, native, x64emu, x64emu-interp, qemu, outputs (x64emu is the
default run with the JIT tier, x64emu-interp the same binary with --jit=off); a time cell is a
median in seconds or a status such as "FAIL (exit 1)" or "TIMEOUT (>300 s)".  For each workload
four horizontal bars are drawn on a log-scale axis, starting at 1x (no slowdown): x64emu/native,
x64emu-interp/native, qemu/native and x64emu/qemu.  A bar to the right of 1x is a slowdown, to the
left a speed-up.  A ratio that cannot be formed (a failed or missing run) is written as text
instead of a bar.  The qemu bars are left out when no qemu time is there at all (--no-qemu), and
a series whose column the TSV lacks (an older results.tsv) is left out too.
"""
import csv
import math
import sys
from html import escape

SERIES = [  # (label, numerator, denominator, colour)
    ("x64emu (JIT) / native", "x64emu", "native", "#3b6fb6"),
    ("x64emu-interp / native", "x64emu-interp", "native", "#9bb8e0"),
    ("qemu / native", "qemu", "native", "#e08a2c"),
    ("x64emu (JIT) / qemu", "x64emu", "qemu", "#4a9a58"),
]


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def fmt(r):
    if r >= 100:
        return "%.0f×" % r
    if r >= 10:
        return "%.1f×" % r
    return "%.2f×" % r


def main(tsv, svg_path):
    reader = csv.DictReader(open(tsv), delimiter="\t")
    rows = list(reader)
    columns = set(reader.fieldnames or ())
    have_qemu = any(num(r.get("qemu")) is not None for r in rows)
    series = [s for s in SERIES
              if s[1] in columns and s[2] in columns and (have_qemu or "qemu" not in (s[1], s[2]))]

    cells = []  # per workload: list of (label, ratio or None, note, colour)
    ratios = []
    for r in rows:
        bars = []
        for label, a, b, colour in series:
            va, vb = num(r.get(a)), num(r.get(b))
            if va is not None and vb is not None and vb > 0:
                ratio = va / vb
                ratios.append(ratio)
                bars.append((label, ratio, None, colour))
            else:
                bad = [r.get(k) for k in (a, b) if num(r.get(k)) is None]
                note = (bad[0] or "-").split(" (")[0] if bad else "-"
                who = a if num(r.get(a)) is None else b
                bars.append((label, None, "%s %s" % (who, note), colour))
        cells.append((r["workload"], bars))

    lo = min(ratios + [1.0])
    hi = max(ratios + [1.0])
    lo_exp = math.floor(math.log10(lo))
    hi_exp = math.ceil(math.log10(hi))
    if hi_exp == lo_exp:
        hi_exp += 1

    left, right, top = 150, 70, 62
    plot_w = 620
    bar_h, bar_gap, group_gap = 13, 2, 14
    group_h = len(series) * (bar_h + bar_gap) - bar_gap
    plot_h = len(cells) * (group_h + group_gap) - group_gap if cells else 40
    width = left + plot_w + right
    # legend entries: a swatch and its label, wrapped onto further lines when they do not fit
    legend, lx, line = [], left, 0
    for label, _, _, colour in series:
        w = int(19 + 6.3 * len(label) + 22)  # swatch + gap, label at ~6.3 px a character, spacing
        if lx > left and lx + w > width - 10:
            lx, line = left, line + 1
        legend.append((lx, line, label, colour))
        lx += w
    legend_h = 34 + 18 * line
    height = top + plot_h + 30 + legend_h

    def x(v):
        return left + plot_w * (math.log10(v) - lo_exp) / (hi_exp - lo_exp)

    out = []
    out.append('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
               'font-family="DejaVu Sans, Arial, sans-serif" font-size="11">' % (width, height, width, height))
    out.append('<rect width="100%" height="100%" fill="white"/>')
    out.append('<text x="%d" y="20" font-size="14" font-weight="bold">Guest run time ratios '
               '(median wall time; log scale; right of 1× = slower)</text>' % left)
    if any(s[1] == "x64emu-interp" for s in series):
        out.append('<text x="%d" y="36" font-size="10" fill="#555">x64emu: the default run (JIT tier on); '
                   'x64emu-interp: the same binary with --jit=off (interpreter only)</text>' % left)

    # grid: every decade, with 2x and 5x minor lines
    for e in range(lo_exp, hi_exp + 1):
        for m in (1, 2, 5):
            v = m * 10.0 ** e
            if v > 10.0 ** hi_exp:
                break
            gx = x(v)
            major = m == 1
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="%s"/>'
                       % (gx, top - 4, gx, top + plot_h, "#bbbbbb" if major else "#e4e4e4",
                          "1" if major else "0.7"))
            if major or hi_exp - lo_exp <= 3:
                label = "%g×" % v
                out.append('<text x="%.1f" y="%d" text-anchor="middle" fill="%s">%s</text>'
                           % (gx, top - 8, "#333" if major else "#888", escape(label)))
    one = x(1.0)
    out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#222" stroke-width="1.5"/>'
               % (one, top - 4, one, top + plot_h))

    y = top
    for name, bars in cells:
        out.append('<text x="%d" y="%.1f" text-anchor="end" font-size="12" dominant-baseline="middle">%s</text>'
                   % (left - 10, y + group_h / 2, escape(name)))
        for label, ratio, note, colour in bars:
            if ratio is not None:
                x0, x1 = sorted((one, x(ratio)))
                out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s %s: %s</title></rect>'
                           % (x0, y, max(x1 - x0, 1.0), bar_h, colour, escape(name), escape(label),
                              escape(fmt(ratio))))
                if ratio >= 1:
                    out.append('<text x="%.1f" y="%.1f" dominant-baseline="middle" font-size="10">%s</text>'
                               % (x1 + 4, y + bar_h / 2 + 0.5, escape(fmt(ratio))))
                else:
                    out.append('<text x="%.1f" y="%.1f" text-anchor="end" dominant-baseline="middle" '
                               'font-size="10">%s</text>' % (x0 - 4, y + bar_h / 2 + 0.5, escape(fmt(ratio))))
            else:
                out.append('<text x="%.1f" y="%.1f" dominant-baseline="middle" font-size="10" fill="#b00020" '
                           'font-style="italic">%s: %s</text>' % (one + 4, y + bar_h / 2 + 0.5, escape(label),
                                                                  escape(note)))
            y += bar_h + bar_gap
        y += group_gap - bar_gap

    for lx, line, label, colour in legend:
        ly = top + plot_h + 28 + 18 * line
        out.append('<rect x="%d" y="%d" width="14" height="11" fill="%s"/>' % (lx, ly - 9, colour))
        out.append('<text x="%d" y="%d">%s</text>' % (lx + 19, ly, escape(label)))
    out.append('</svg>')
    with open(svg_path, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: chart.py RESULTS.tsv OUT.svg")
    main(sys.argv[1], sys.argv[2])
