using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;

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

        List<Row> rows = new();
        foreach (PageSizeVariant v in Enum.GetValues<PageSizeVariant>())
        {
            Console.Error.WriteLine($"running {v} ({repeats} + 1 warm-up) …");
            rows.Add(Measure(v, repeats));
        }

        StringBuilder md = new();
        md.AppendLine("| Variant | Touch 1 GiB, median (ms) | per 4 KiB page (ns) | Emulated faults | TLB misses | Page walks | Huge-TLB hits | Host minor faults | munmap, median (ms) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Row r in rows)
        {
            string name = Label(r.Variant);
            if (r.Variant == PageSizeVariant.Thp2M && !thp)
            {
                name += " — not implemented, falls back to 4 KiB";
            }

            md.AppendLine(string.Create(Inv,
                $"| {name} | {r.TouchMs:F1} | {r.TouchMs * 1e6 / (PageSizeCase.Size >> 12):F0} | {r.C.Faults:N0} | {r.C.Misses:N0} | {r.C.Walks:N0} | {r.C.HugeHits:N0} | {r.C.HostMinorFaults:N0} | {r.UnmapMs:F1} |"));
        }

        md.AppendLine();
        md.AppendLine(string.Create(Inv, $"Median of {repeats} runs after one warm-up; counters from the last run. {Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}."));
        Console.Write(md.ToString());

        File.WriteAllText(svgPath, Svg(rows, thp));
        Console.Error.WriteLine($"wrote {svgPath}");
        return 0;
    }

    private static Row Measure(PageSizeVariant v, int repeats)
    {
        using PageSizeCase c = new(v);
        List<double> touch = new();
        List<double> unmap = new();
        PageSizeCase.Counters last = default;
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
                continue; // warm-up: JIT, first touch of host memory
            }

            touch.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
            unmap.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
            last = after - before;
        }

        return new Row(v, Median(touch), Median(unmap), last);
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

    /// <summary>A horizontal bar chart of the median touch times, one bar per variant, with the fault and miss counts beside it.</summary>
    private static string Svg(List<Row> rows, bool thp)
    {
        const int width = 860;
        const int left = 230;
        const int barArea = 330;
        const int barHeight = 34;
        const int gap = 18;
        const int top = 58;
        int height = top + (rows.Count * (barHeight + gap)) + 40;
        double max = 0;
        foreach (Row r in rows)
        {
            max = Math.Max(max, r.TouchMs);
        }

        string[] colors = { "#4e79a7", "#f28e2b", "#e15759", "#76b7b2" };
        StringBuilder s = new();
        s.AppendLine(string.Create(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"13\">"));
        s.AppendLine(string.Create(Inv, $"  <rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"));
        s.AppendLine("  <text x=\"16\" y=\"26\" font-size=\"16\" font-weight=\"bold\">X64Emu: touching 1 GiB of guest memory (1 write per 4 KiB), median time</text>");
        s.AppendLine("  <text x=\"16\" y=\"44\" fill=\"#555\">shorter is better; right: emulated page faults / software-TLB misses</text>");
        for (int i = 0; i < rows.Count; i++)
        {
            Row r = rows[i];
            int y = top + (i * (barHeight + gap));
            double w = max > 0 ? r.TouchMs / max * barArea : 0;
            string label = Label(r.Variant) + (r.Variant == PageSizeVariant.Thp2M && !thp ? " *" : string.Empty);
            s.AppendLine(string.Create(Inv, $"  <text x=\"{left - 8}\" y=\"{y + 22}\" text-anchor=\"end\">{Escape(label)}</text>"));
            s.AppendLine(string.Create(Inv, $"  <rect x=\"{left}\" y=\"{y}\" width=\"{w:F1}\" height=\"{barHeight}\" fill=\"{colors[i % colors.Length]}\"/>"));
            s.AppendLine(string.Create(Inv, $"  <text x=\"{left + w + 6:F1}\" y=\"{y + 22}\">{r.TouchMs:F0} ms</text>"));
            s.AppendLine(string.Create(Inv, $"  <text x=\"{left + barArea + 80}\" y=\"{y + 22}\" fill=\"#333\">{r.C.Faults:N0} faults / {r.C.Misses:N0} misses</text>"));
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

    private readonly record struct Row(PageSizeVariant Variant, double TouchMs, double UnmapMs, PageSizeCase.Counters C);
}
