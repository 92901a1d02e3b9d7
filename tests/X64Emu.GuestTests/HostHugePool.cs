using System;
using System.IO;
using Xunit;

namespace X64Emu.GuestTests;

/// <summary>
/// Sets the host's 2 MiB or 1 GiB hugetlb pool (/proc/sys/vm/nr_hugepages, sysfs for 1 GiB) for a native run and restores it
/// afterwards; skips the test when the pool cannot be set to exactly that size (not root, no
/// hugetlbfs, fragmented memory). Tests that use it must not run in parallel with each other.
/// </summary>
internal sealed class HostHugePool : IDisposable
{
    private static readonly object Gate = new();
    private readonly string? _previous;
    private readonly string _knob;

    private HostHugePool(string knob, string? previous)
    {
        _knob = knob;
        _previous = previous;
    }

    public static HostHugePool Set(string size, int pages)
    {
        string knob = size == "1G" ? "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages" : "/proc/sys/vm/nr_hugepages";
        if (pages < 0)
        {
            return new HostHugePool(knob, null);
        }

        System.Threading.Monitor.Enter(Gate);
        string previous;
        try
        {
            previous = File.ReadAllText(knob).Trim();
            File.WriteAllText(knob, pages.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            System.Threading.Monitor.Exit(Gate);
            throw new SkipException($"the host's hugetlb pool cannot be set ({e.Message}); run the tests as root");
        }

        string now = File.ReadAllText(knob).Trim();
        if (now != pages.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            File.WriteAllText(knob, previous);
            System.Threading.Monitor.Exit(Gate);
            throw new SkipException($"the host's hugetlb pool reached only {now} of {pages} pages");
        }

        return new HostHugePool(knob, previous);
    }

    public void Dispose()
    {
        if (_previous != null)
        {
            File.WriteAllText(_knob, _previous);
            System.Threading.Monitor.Exit(Gate);
        }
    }
}
