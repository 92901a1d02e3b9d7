using System;
using System.IO;
using Xunit;

namespace X64Emu.GuestTests;

/// <summary>
/// Sets the host's 2 MiB hugetlb pool (/proc/sys/vm/nr_hugepages) for a native run and restores it
/// afterwards; skips the test when the pool cannot be set to exactly that size (not root, no
/// hugetlbfs, fragmented memory). Tests that use it must not run in parallel with each other.
/// </summary>
internal sealed class HostHugePool : IDisposable
{
    private const string Knob = "/proc/sys/vm/nr_hugepages";
    private static readonly object Gate = new();
    private readonly string? _previous;

    private HostHugePool(string? previous)
    {
        _previous = previous;
    }

    public static HostHugePool Set(int pages)
    {
        if (pages < 0)
        {
            return new HostHugePool(null);
        }

        System.Threading.Monitor.Enter(Gate);
        string previous;
        try
        {
            previous = File.ReadAllText(Knob).Trim();
            File.WriteAllText(Knob, pages.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            System.Threading.Monitor.Exit(Gate);
            throw new SkipException($"the host's hugetlb pool cannot be set ({e.Message}); run the tests as root");
        }

        string now = File.ReadAllText(Knob).Trim();
        if (now != pages.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            File.WriteAllText(Knob, previous);
            System.Threading.Monitor.Exit(Gate);
            throw new SkipException($"the host's hugetlb pool reached only {now} of {pages} pages");
        }

        return new HostHugePool(previous);
    }

    public void Dispose()
    {
        if (_previous != null)
        {
            File.WriteAllText(Knob, _previous);
            System.Threading.Monitor.Exit(Gate);
        }
    }
}
