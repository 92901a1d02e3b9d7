using System;
using System.IO;
using X64Emu.Memory;

namespace X64Emu.Benchmarks;

/// <summary>
/// One variant of the page-size study: a machine with 3 GiB of emulated RAM (lazily backed by host
/// memory), the pool the variant needs, and 1 GiB of guest memory touched one byte per 4 KiB.
/// </summary>
public sealed class PageSizeCase : IDisposable
{
    public const ulong Size = 1UL << 30;
    public const ulong RamBytes = 3UL << 30;

    // 1 GiB aligned, so every variant's mapping starts on a 1 GiB (hence 2 MiB) boundary.
    private const ulong Hint = 0x1000_0000_0000;

    private readonly BenchMachine _m;
    private ulong _va;

    public PageSizeCase(PageSizeVariant variant)
    {
        Variant = variant;
        _m = new BenchMachine(RamBytes);
        switch (variant)
        {
            case PageSizeVariant.Hugetlb2M:
                Require(_m.Machine.Huge2M.SetPersistent(512), 512, "2 MiB");
                break;
            case PageSizeVariant.Hugetlb1G:
                Require(_m.Machine.Huge1G.SetPersistent(1), 1, "1 GiB");
                break;
            case PageSizeVariant.Thp2M:
                _m.Machine.ThpEnabled = ThpMode.Madvise;
                break;
        }
    }

    public PageSizeVariant Variant { get; }

    public BenchMachine Machine => _m;

    private static void Require(long got, long want, string what)
    {
        if (got != want)
        {
            throw new InvalidOperationException($"{what} pool: got {got} pages, wanted {want}");
        }
    }

    public void Map()
    {
        _m.MakeCurrent();
        MapFlags flags = Variant switch
        {
            PageSizeVariant.Hugetlb2M => MapFlags.HugeTlb,
            PageSizeVariant.Hugetlb1G => MapFlags.HugeTlb | MapFlags.Huge1G,
            _ => MapFlags.None,
        };
        _va = _m.Map(Size, Prot.Read | Prot.Write, flags, Hint);
        if (Variant == PageSizeVariant.Thp2M)
        {
            BenchMachine.Check(_m.Space.Advise(_va, Size, Advice.HugePage), "madvise(MADV_HUGEPAGE)");
        }
    }

    /// <summary>The measured part: one byte written in each 4 KiB page of the mapping.</summary>
    public void Touch() => _m.TouchWrite(_va, Size);

    public void Unmap() => BenchMachine.Check(_m.Space.Unmap(_va, Size), "munmap");

    /// <summary>The counters the study reports, read now.</summary>
    public Counters Read() => new()
    {
        Faults = (long)_m.Mmu.MinorFaults,
        AnonFaults = _m.Space.Faults.AnonZeroFill,
        HugetlbFaults = _m.Space.Faults.Hugetlb,
        ThpFaults = _m.Space.Faults.Thp,
        Misses = (long)_m.Mmu.Misses,
        Walks = (long)_m.Mmu.Walks,
        HugeHits = (long)_m.Mmu.HugeHits,
        HostMinorFaults = HostMinorFaults(),
    };

    /// <summary>
    /// True when anonymous faults in an MADV_HUGEPAGE region install 2 MiB leaves: a probe maps
    /// 4 MiB, advises, touches, and checks the THP fault counter.
    /// </summary>
    public static bool ThpSupported()
    {
        using BenchMachine m = new(64UL << 20);
        m.Machine.ThpEnabled = ThpMode.Madvise;
        ulong va = m.Map(8UL << 20, addr: Hint);
        ulong aligned = (va + PageSizes.HugeSize2M - 1) & ~(PageSizes.HugeSize2M - 1);
        if (m.Space.Advise(va, 8UL << 20, Advice.HugePage) != MmStatus.Ok)
        {
            return false;
        }

        m.TouchWrite(aligned, PageSizes.HugeSize2M);
        return m.Space.Faults.Thp > 0;
    }

    /// <summary>This process's minor page faults so far (field 10 of /proc/self/stat): the host kernel's work behind lazily backed RAM.</summary>
    public static long HostMinorFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        // Fields after the parenthesised command name, which may contain spaces: state is field 3, minflt field 10.
        string[] rest = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
        return long.Parse(rest[10 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose() => _m.Dispose();

    /// <summary>A snapshot of the study's counters; subtract two for the cost of what ran between them.</summary>
    public readonly record struct Counters
    {
        public long Faults { get; init; }
        public long AnonFaults { get; init; }
        public long HugetlbFaults { get; init; }
        public long ThpFaults { get; init; }
        public long Misses { get; init; }
        public long Walks { get; init; }
        public long HugeHits { get; init; }
        public long HostMinorFaults { get; init; }

        public static Counters operator -(Counters a, Counters b) => new()
        {
            Faults = a.Faults - b.Faults,
            AnonFaults = a.AnonFaults - b.AnonFaults,
            HugetlbFaults = a.HugetlbFaults - b.HugetlbFaults,
            ThpFaults = a.ThpFaults - b.ThpFaults,
            Misses = a.Misses - b.Misses,
            Walks = a.Walks - b.Walks,
            HugeHits = a.HugeHits - b.HugeHits,
            HostMinorFaults = a.HostMinorFaults - b.HostMinorFaults,
        };
    }
}
