using System.Collections.Generic;
using X64Emu.Memory.Physical;

namespace X64Emu.Memory.Hugetlb;

/// <summary>
/// One hugetlb pool (Linux's hstate): huge pages of a single size carved from aligned runs of
/// emulated RAM, with Linux's four counters — total, free, reserved and surplus.
/// </summary>
/// <remarks>
/// Semantics follow mm/hugetlb.c: <see cref="Persistent"/> is nr_hugepages minus surplus; a mapping
/// reserves pages at mmap time (<see cref="TryReserve"/>), which may grow the pool with surplus pages
/// up to <see cref="OvercommitMax"/>; a fault takes a page (consuming a reservation when it has one);
/// freed surplus pages go back to the buddy allocator. Free pages keep reference count 0 and the
/// <see cref="FrameFlags.HugeHead"/> flag on their head frame, and are always zeroed.
/// Lock order: callers hold their AddressSpace lock; this object's lock is a leaf.
/// </remarks>
public sealed class HugetlbPool
{
    private readonly PhysicalMemory _mem;
    private readonly Stack<long> _free = new();
    private readonly HashSet<long> _owned = new();
    private readonly object _lock = new();

    public HugetlbPool(PhysicalMemory mem, int order)
    {
        _mem = mem;
        Order = order;
    }

    public PhysicalMemory Memory => _mem;

    /// <summary>log2 of the page size in 4 KiB frames: 9 (2 MiB) or 18 (1 GiB).</summary>
    public int Order { get; }

    public ulong PageBytes => PageSizes.PageSize << Order;

    /// <summary>Size in KiB, as sysfs names the pool (hugepages-2048kB).</summary>
    public ulong PageKb => PageBytes >> 10;

    /// <summary>HugePages_Total: persistent plus surplus pages.</summary>
    public long Total { get; private set; }

    /// <summary>HugePages_Free.</summary>
    public long Free { get; private set; }

    /// <summary>HugePages_Rsvd: promised to mappings, not yet faulted in (a subset of Free).</summary>
    public long Reserved { get; private set; }

    /// <summary>HugePages_Surp: pages above the persistent size, allocated for overcommit.</summary>
    public long Surplus { get; private set; }

    /// <summary>nr_overcommit_hugepages: how many surplus pages may exist.</summary>
    public long OvercommitMax { get; set; }

    /// <summary>nr_hugepages as written by the administrator: <see cref="Total"/> - <see cref="Surplus"/>.</summary>
    public long Persistent => Total - Surplus;

    /// <summary>True when <paramref name="head"/> is the first frame of a page of this pool.</summary>
    public bool Owns(long head)
    {
        lock (_lock)
        {
            return _owned.Contains(head);
        }
    }

    /// <summary>
    /// Sets nr_hugepages (set_max_huge_pages): grows from free buddy runs — stopping short when RAM
    /// is fragmented or exhausted, as Linux does — or shrinks by freeing unreserved free pages; pages
    /// in use above the new size become surplus.
    /// </summary>
    /// <returns>The persistent size reached.</returns>
    public long SetPersistent(long count)
    {
        lock (_lock)
        {
            if (count < 0)
            {
                count = 0;
            }

            // Surplus pages in use convert to persistent ones first.
            while (Surplus > 0 && Persistent < count)
            {
                Surplus--;
            }

            while (Persistent < count)
            {
                int head = _mem.Allocator.Allocate(Order);
                if (head < 0)
                {
                    break;
                }

                AdoptLocked(head, surplus: false);
            }

            // Shrinking: never below what is in use or reserved; the rest of the excess becomes surplus.
            long minCount = Reserved + Total - Free;
            long target = count < minCount ? minCount : count;
            while (Persistent > target && Free > Reserved)
            {
                ReleaseToBuddyLocked(_free.Pop());
                Total--;
                Free--;
            }

            while (Persistent > count)
            {
                Surplus++;
            }

            return Persistent;
        }
    }

    /// <summary>
    /// Reserves <paramref name="pages"/> for a mapping (hugetlb_acct_memory / gather_surplus_pages):
    /// from unreserved free pages, else by allocating surplus pages within <see cref="OvercommitMax"/>.
    /// </summary>
    /// <returns>False, with nothing changed, when the pool cannot cover it (mmap fails with ENOMEM).</returns>
    public bool TryReserve(long pages)
    {
        if (pages <= 0)
        {
            return true;
        }

        lock (_lock)
        {
            long needed = pages - (Free - Reserved);
            if (needed > 0)
            {
                if (Surplus + needed > OvercommitMax)
                {
                    return false;
                }

                List<long> got = new();
                for (long i = 0; i < needed; i++)
                {
                    int head = _mem.Allocator.Allocate(Order);
                    if (head < 0)
                    {
                        foreach (long h in got)
                        {
                            _mem.Allocator.Free((int)h, Order);
                        }

                        return false;
                    }

                    got.Add(head);
                }

                foreach (long head in got)
                {
                    AdoptLocked(head, surplus: true);
                }
            }

            Reserved += pages;
            return true;
        }
    }

    /// <summary>Returns unused reservations (munmap, close of a hugetlbfs file); unneeded surplus pages go back to RAM.</summary>
    public void Unreserve(long pages)
    {
        if (pages <= 0)
        {
            return;
        }

        lock (_lock)
        {
            Reserved -= pages;
            if (Reserved < 0)
            {
                ThrowHelper.ThrowInvalidOperation($"hugetlb pool ({PageKb} kB) reservations went negative");
            }

            ReturnUnusedSurplusLocked();
        }
    }

    /// <summary>
    /// Takes a zeroed page for a fault (alloc_hugetlb_folio). With <paramref name="reserved"/> the
    /// caller consumes one of its reservations; without, only unreserved free pages or new surplus pages qualify.
    /// </summary>
    /// <returns>The head frame with reference count 1, or -1 (the fault raises SIGBUS).</returns>
    public long Allocate(bool reserved)
    {
        long head;
        lock (_lock)
        {
            if (reserved)
            {
                Reserved--;
            }
            else if (Free - Reserved <= 0)
            {
                if (Surplus >= OvercommitMax)
                {
                    return -1;
                }

                int fresh = _mem.Allocator.Allocate(Order);
                if (fresh < 0)
                {
                    return -1;
                }

                AdoptLocked(fresh, surplus: true);
            }

            head = _free.Pop();
            Free--;
        }

        // Free pool pages are kept zeroed (on entry and on release), so a fault takes one as it is.
        _mem.InitHugeHead(head);
        return head;
    }

    /// <summary>A page's last reference went away (free_huge_folio): back to the free list, or to RAM if surplus.</summary>
    internal void Release(long head)
    {
        lock (_lock)
        {
            if (Surplus > 0)
            {
                ReleaseToBuddyLocked(head);
                Total--;
                Surplus--;
                return;
            }

            _mem.ZeroRun(head, 1L << Order);
            _free.Push(head);
            Free++;
        }
    }

    /// <summary>A run fresh from the buddy allocator joins the free list, zeroed (by the host, cheaply: it may stay idle).</summary>
    private void AdoptLocked(long head, bool surplus)
    {
        _mem.ZeroRun(head, 1L << Order, discard: true);
        _mem.SetFlags(head, FrameFlags.HugeHead);
        _owned.Add(head);
        _free.Push(head);
        Total++;
        Free++;
        if (surplus)
        {
            Surplus++;
        }
    }

    private void ReturnUnusedSurplusLocked()
    {
        while (Surplus > 0 && Free > Reserved)
        {
            ReleaseToBuddyLocked(_free.Pop());
            Total--;
            Free--;
            Surplus--;
        }
    }

    private void ReleaseToBuddyLocked(long head)
    {
        _owned.Remove(head);
        _mem.SetFlags(head, FrameFlags.None);
        _mem.ZeroRun(head, 1L << Order, discard: true);
        _mem.Allocator.Free((int)head, Order);
    }

    /// <summary>Checks the counters against each other (tests and the invariant checker).</summary>
    public void CheckInvariants()
    {
        lock (_lock)
        {
            if (Free != _free.Count || Reserved < 0 || Reserved > Free || Surplus < 0 || Surplus > Total
                || Total != _owned.Count || Free > Total)
            {
                ThrowHelper.ThrowInvalidOperation(
                    $"hugetlb pool {PageKb} kB: total {Total} free {Free} (list {_free.Count}) resv {Reserved} surp {Surplus} owned {_owned.Count}");
            }
        }
    }
}
