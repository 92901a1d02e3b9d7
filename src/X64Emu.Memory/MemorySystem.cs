using System;
using System.Collections.Generic;
using System.Threading;
using X64Emu.Memory.Hugetlb;
using X64Emu.Memory.Physical;

namespace X64Emu.Memory;

/// <summary>
/// The machine-wide memory state shared by every address space: emulated RAM, the vm sysctls,
/// commit accounting (Committed_AS) and the registry of live address spaces.
/// </summary>
/// <remarks>
/// Lock order: AddressSpace locks (one at a time, except fork: parent then child) → this object's
/// registry lock → FrameAllocator's lock. Commit counters are updated with interlocked operations.
/// </remarks>
public sealed class MemorySystem : IDisposable
{
    private readonly List<WeakReference<AddressSpace>> _spaces = new();
    private long _committedPages;

    public MemorySystem(ulong ramBytes)
    {
        Physical = new PhysicalMemory(ramBytes);
        Huge2M = new HugetlbPool(Physical, PageSizes.HugeBits2M - PageSizes.PageBits);
        Huge1G = new HugetlbPool(Physical, PageSizes.HugeBits1G - PageSizes.PageBits);
        Physical.HugePageFreed = head => (Huge2M.Owns(head) ? Huge2M : Huge1G).Release(head);
        Ksm = new Ksm.KsmDaemon(this);
    }

    /// <summary>Kernel same-page merging (/sys/kernel/mm/ksm); off until run is set to 1.</summary>
    public Ksm.KsmDaemon Ksm { get; }

    /// <summary>The 2 MiB hugetlb pool (the default huge page size, Hugepagesize in meminfo).</summary>
    public HugetlbPool Huge2M { get; }

    /// <summary>The 1 GiB hugetlb pool.</summary>
    public HugetlbPool Huge1G { get; }

    /// <summary>transparent_hugepage/enabled (default madvise, as Debian's kernel).</summary>
    public ThpMode ThpEnabled { get; set; } = ThpMode.Madvise;

    /// <summary>transparent_hugepage/defrag (default madvise).</summary>
    public ThpDefrag ThpDefrag { get; set; } = ThpDefrag.Madvise;

    /// <summary>The pool for a hugetlb VMA or MAP_HUGE_* request.</summary>
    public HugetlbPool PoolFor(bool is1G) => is1G ? Huge1G : Huge2M;

    public PhysicalMemory Physical { get; }

    /// <summary>vm.mmap_min_addr: the lowest address a guest without CAP_SYS_RAWIO may map (Linux default 65536).</summary>
    public ulong MmapMinAddr { get; set; } = 65536;

    /// <summary>vm.max_map_count (Linux default 65530).</summary>
    public int MaxMapCount { get; set; } = 65530;

    /// <summary>vm.overcommit_memory.</summary>
    public OvercommitMode Overcommit { get; set; } = OvercommitMode.Guess;

    /// <summary>vm.overcommit_ratio, percent of RAM counted in CommitLimit in mode 2 (default 50).</summary>
    public int OvercommitRatio { get; set; } = 50;

    /// <summary>vm.overcommit_kbytes: when non-zero, replaces the ratio in CommitLimit.</summary>
    public ulong OvercommitKbytes { get; set; }

    /// <summary>vm.admin_reserve_kbytes (Linux: min(3% of free, 8 MiB)).</summary>
    public ulong AdminReserveKbytes { get; set; } = 8192;

    /// <summary>vm.user_reserve_kbytes (Linux: min(3% of RAM, 128 MiB)).</summary>
    public ulong UserReserveKbytes { get; set; } = 131072;

    /// <summary>stack_guard_gap: bytes kept free below a MAP_GROWSDOWN VMA (256 pages).</summary>
    public ulong StackGuardGap { get; set; } = 256 * PageSizes.PageSize;

    /// <summary>4 KiB pages of RAM held by the hugetlb pools (meminfo's Hugetlb), excluded from CommitLimit.</summary>
    public long HugetlbPages => (Huge2M.Total << Huge2M.Order) + (Huge1G.Total << Huge1G.Order);

    /// <summary>Total RAM in pages (MemTotal).</summary>
    public long TotalRamPages => Physical.FrameCount;

    /// <summary>The highest Committed_AS seen, in pages (for --stats).</summary>
    public long PeakCommittedPages => Interlocked.Read(ref _peakCommitted);

    private long _peakCommitted;

    private void NotePeak(long now)
    {
        long peak = Interlocked.Read(ref _peakCommitted);
        while (now > peak)
        {
            long seen = Interlocked.CompareExchange(ref _peakCommitted, now, peak);
            if (seen == peak)
            {
                break;
            }

            peak = seen;
        }
    }

    /// <summary>Committed_AS in pages: the sum of all commit charges.</summary>
    public long CommittedPages => Interlocked.Read(ref _committedPages);

    /// <summary>CommitLimit in pages: (RAM - hugetlb) × ratio / 100 + swap (no swap here), or overcommit_kbytes.</summary>
    public long CommitLimitPages
    {
        get
        {
            if (OvercommitKbytes != 0)
            {
                return (long)(OvercommitKbytes >> (PageSizes.PageBits - 10));
            }

            return (TotalRamPages - HugetlbPages) * OvercommitRatio / 100;
        }
    }

    /// <summary>
    /// Charges <paramref name="pages"/> to Committed_AS if the overcommit policy allows it
    /// (mm/util.c __vm_enough_memory). <paramref name="totalVmPages"/> is the caller's mm size,
    /// used for the per-process reserves in mode 2.
    /// </summary>
    /// <returns>False (nothing charged) when the policy refuses: the caller fails with ENOMEM.</returns>
    public bool TryCharge(long pages, long totalVmPages, bool capSysAdmin)
    {
        if (pages <= 0)
        {
            Interlocked.Add(ref _committedPages, pages);
            return true;
        }

        long after = Interlocked.Add(ref _committedPages, pages);
        switch (Overcommit)
        {
            case OvercommitMode.Always:
                NotePeak(after);
                return true;
            case OvercommitMode.Guess:
                // Only refuse a single request larger than all RAM + swap.
                if (pages <= TotalRamPages)
                {
                    NotePeak(after);
                    return true;
                }

                break;
            default:
            {
                long allowed = CommitLimitPages;
                long reserve = (long)(AdminReserveKbytes >> (PageSizes.PageBits - 10));
                if (!capSysAdmin)
                {
                    allowed -= Math.Min(totalVmPages / 32, reserve);
                }

                allowed -= Math.Min(totalVmPages / 32, (long)(UserReserveKbytes >> (PageSizes.PageBits - 10)));
                if (after < allowed)
                {
                    NotePeak(after);
                    return true;
                }

                break;
            }
        }

        Interlocked.Add(ref _committedPages, -pages);
        return false;
    }

    /// <summary>Returns a charge taken by <see cref="TryCharge"/>.</summary>
    public void Uncharge(long pages) => Interlocked.Add(ref _committedPages, -pages);

    /// <summary>Charges without a policy check (the caller already checked a larger or equal amount).</summary>
    public void Charge(long pages) => NotePeak(Interlocked.Add(ref _committedPages, pages));

    /// <summary>
    /// unmap_mapping_range for truncation: every mapping of <paramref name="obj"/>, in every address space,
    /// loses its pages from page index <paramref name="firstIndex"/> on (private copies included), so the
    /// next access faults and finds the new end of file (SIGBUS).
    /// </summary>
    public void UnmapObjectBeyond(Objects.MemoryObject obj, ulong firstIndex)
    {
        foreach (AddressSpace s in LiveSpaces())
        {
            s.ZapObjectBeyond(obj, firstIndex);
        }
    }

    internal void Register(AddressSpace space)
    {
        lock (_spaces)
        {
            _spaces.RemoveAll(w => !w.TryGetTarget(out _));
            _spaces.Add(new WeakReference<AddressSpace>(space));
        }
    }

    /// <summary>The live address spaces (for /proc, the OOM killer and the global invariant check).</summary>
    public List<AddressSpace> LiveSpaces()
    {
        List<AddressSpace> result = new();
        lock (_spaces)
        {
            foreach (WeakReference<AddressSpace> w in _spaces)
            {
                if (w.TryGetTarget(out AddressSpace? s) && !s.IsDestroyed)
                {
                    result.Add(s);
                }
            }
        }

        return result;
    }

    public void Dispose()
    {
        Ksm.Dispose();
        Physical.Dispose();
    }
}
