using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using X64Emu.Memory;

namespace X64Emu.Benchmarks;

/// <summary>
/// <c>pagesize [repeats] [svg path]</c>: runs each <see cref="PageSizeVariant"/> a few times outside
/// BenchmarkDotNet, prints a markdown table of median times with the fault and TLB counters, and
/// writes a hand-made SVG bar chart (default benchmarks/pagesize.svg).
/// </summary>
public static class PageSizeRunner
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(ReadOnlySpan<string> args)
    {
        int repeats = args.Length > 0 ? int.Parse(args[0], Inv) : 5;
        string svgPath = args.Length > 1 ? args[1] : Path.Combine(RepoRoot(), "benchmarks", "pagesize.svg");
        bool thp = PageSizeCase.ThpSupported();

        JitWarmup();
        List<Row> rows = new();
        foreach (PageSizeVariant v in Enum.GetValues<PageSizeVariant>())
        {
            Console.Error.WriteLine($"running {v} ({repeats} + 1 warm-up) …");
            rows.Add(Measure(v, repeats));
        }

        StringBuilder md = new();
        md.AppendLine("| Variant | Touch 1 GiB, median (ms) | per 4 KiB page (ns) | First run, cold host RAM (ms) | Emulated faults | TLB misses | Page walks | Huge-TLB hits | Host minor faults | munmap, median (ms) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Row r in rows)
        {
            string name = Label(r.Variant);
            if (r.Variant == PageSizeVariant.Thp2M && !thp)
            {
                name += " — not implemented, falls back to 4 KiB";
            }

            md.AppendLine(string.Create(Inv,
                $"| {name} | {r.TouchMs:F1} | {r.TouchMs * 1e6 / (PageSizeCase.Size >> 12):F0} | {r.ColdMs:F1} | {r.C.Faults:N0} | {r.C.Misses:N0} | {r.C.Walks:N0} | {r.C.HugeHits:N0} | {r.C.HostMinorFaults:N0} | {r.UnmapMs:F1} |"));
        }

        md.AppendLine();
        md.AppendLine(string.Create(Inv, $"Median of {repeats} runs after one warm-up (the first run, on host memory not yet backed, is shown apart); counters from the last run; each variant on a fresh 3 GiB machine. {Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}."));
        Console.Write(md.ToString());

        File.WriteAllText(svgPath, Svg(rows, thp));
        Console.Error.WriteLine($"wrote {svgPath}");
        return 0;
    }

    /// <summary>Runs the fault paths on a small throwaway machine so the first variant's cold run does not also pay for tier-0 code.</summary>
    private static void JitWarmup()
    {
        const ulong size = 32UL << 20;
        using BenchMachine m = new(256UL << 20);
        m.Machine.Huge2M.SetPersistent(16);
        for (int i = 0; i < 4; i++)
        {
            foreach (MapFlags flags in new[] { MapFlags.None, MapFlags.HugeTlb })
            {
                ulong va = m.Map(size, flags: flags);
                m.TouchWrite(va, size);
                PageSizeCase.HostMinorFaults();
                BenchMachine.Check(m.Space.Unmap(va, size), "munmap");
            }

            System.Threading.Thread.Sleep(150); // let tiered compilation promote the hot methods
        }
    }

    private static Row Measure(PageSizeVariant v, int repeats)
    {
        using PageSizeCase c = new(v);
        List<double> touch = new();
        List<double> unmap = new();
        PageSizeCase.Counters last = default;
        double cold = 0;
        for (int i = 0; i <= repeats; i++)
        {
            c.Map();
            PageSizeCase.Counters before = c.Read();
            long t0 = Stopwatch.GetTimestamp();
            c.Touch();
            long t1 = Stopwatch.GetTimestamp();
            PageSizeCase.Counters after = c.Read();
            c.Unmap();
            long t2 = Stopwatch.GetTimestamp();
            if (i == 0)
            {
                cold = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
                continue; // warm-up: JIT, first touch of host memory
            }

            touch.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
            unmap.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
            last = after - before;
        }

        return new Row(v, Median(touch), cold, Median(unmap), last);
    }

    private static double Median(List<double> xs)
    {
        xs.Sort();
        int n = xs.Count;
        return n % 2 == 1 ? xs[n / 2] : (xs[(n / 2) - 1] + xs[n / 2]) / 2;
    }

    private static string Label(PageSizeVariant v) => v switch
    {
        PageSizeVariant.Anon4K => "4 KiB anonymous",
        PageSizeVariant.Hugetlb2M => "2 MiB hugetlb",
        PageSizeVariant.Hugetlb1G => "1 GiB hugetlb",
        PageSizeVariant.Thp2M => "2 MiB THP (MADV_HUGEPAGE)",
        _ => v.ToString(),
    };

    /// <summary>
    /// A horizontal bar chart: per variant, the median time on recycled (already host-backed) memory
    /// and, lighter, the first run on cold host memory; the fault and miss counts on the right.
    /// </summary>
    private static string Svg(List<Row> rows, bool thp)
    {
        const int width = 980;
        const int left = 240;
        const int barArea = 330;
        const int barHeight = 18;
        const int gap = 20;
        const int top = 76;
        int group = (2 * barHeight) + 2 + gap;
        int height = top + (rows.Count * group) + 40;
        double max = 0;
        foreach (Row r in rows)
        {
            max = Math.Max(max, Math.Max(r.TouchMs, r.ColdMs));
        }

        string[] colors = { "#4e79a7", "#f28e2b", "#e15759", "#76b7b2" };
        string[] light = { "#a9c0d9", "#f9cb9a", "#f0abac", "#bcdcd9" };
        StringBuilder s = new();
        s.AppendLine(string.Create(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"13\">"));
        s.AppendLine(string.Create(Inv, $"  <rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"));
        s.AppendLine("  <text x=\"16\" y=\"26\" font-size=\"16\" font-weight=\"bold\">X64Emu: touching 1 GiB of guest memory (1 write per 4 KiB)</text>");
        s.AppendLine("  <text x=\"16\" y=\"46\" fill=\"#555\">dark: median on recycled memory; light: first run on cold host memory. Shorter is better.</text>");
        s.AppendLine(string.Create(Inv, $"  <text x=\"{left + barArea + 170}\" y=\"66\" fill=\"#555\">emulated faults / TLB misses</text>"));
        for (int i = 0; i < rows.Count; i++)
        {
            Row r = rows[i];
            int y = top + (i * group);
            double w = max > 0 ? r.TouchMs / max * barArea : 0;
            double wc = max > 0 ? r.ColdMs / max * barArea : 0;
            string label = Label(r.Variant) + (r.Variant == PageSizeVariant.Thp2M && !thp ? " *" : string.Empty);
            s.AppendLine(string.Create(Inv, $"  <text x=\"{left - 8}\" y=\"{y + barHeight + 5}\" text-anchor=\"end\">{Escape(label)}</text>"));
            s.AppendLine(string.Create(Inv, $"  <rect x=\"{left}\" y=\"{y}\" width=\"{w:F1}\" height=\"{barHeight}\" fill=\"{colors[i % colors.Length]}\"/>"));
            s.AppendLine(string.Create(Inv, $"  <text x=\"{left + w + 6:F1}\" y=\"{y + 14}\">{r.TouchMs:F0} ms</text>"));
            int yc = y + barHeight + 2;
            s.AppendLine(string.Create(Inv, $"  <rect x=\"{left}\" y=\"{yc}\" width=\"{wc:F1}\" height=\"{barHeight}\" fill=\"{light[i % light.Length]}\"/>"));
            s.AppendLine(string.Create(Inv, $"  <text x=\"{left + wc + 6:F1}\" y=\"{yc + 14}\" fill=\"#555\">{r.ColdMs:F0} ms cold</text>"));
            s.AppendLine(string.Create(Inv, $"  <text x=\"{left + barArea + 170}\" y=\"{y + barHeight + 5}\" fill=\"#333\">{r.C.Faults:N0} / {r.C.Misses:N0}</text>"));
        }

        if (!thp)
        {
            s.AppendLine(string.Create(Inv, $"  <text x=\"16\" y=\"{height - 14}\" fill=\"#555\">* THP not implemented by the memory layer yet: MADV_HUGEPAGE memory is faulted in 4 KiB pages.</text>"));
        }

        s.AppendLine("</svg>");
        return s.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string RepoRoot()
    {
        for (DirectoryInfo? d = new(Directory.GetCurrentDirectory()); d != null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "X64Emu.sln")))
            {
                return d.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    private readonly record struct Row(PageSizeVariant Variant, double TouchMs, double ColdMs, double UnmapMs, PageSizeCase.Counters C);
}
