using System;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace X64Emu.Benchmarks;

public static class Program
{
    /// <summary>
    /// BenchmarkDotNet's switcher (<c>--filter '*Tlb*'</c> …), or <c>pagesize [repeats] [svg path]</c>
    /// for the page-size study's own table and chart.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "pagesize")
        {
            return PageSizeRunner.Run(args.AsSpan(1));
        }

        // The results tables in RESULTS.md quote the median beside the mean.
        IConfig config = DefaultConfig.Instance.AddColumn(StatisticColumn.Median);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}
