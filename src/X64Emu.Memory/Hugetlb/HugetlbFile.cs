using System.Collections.Generic;
using X64Emu.Memory.Objects;

namespace X64Emu.Memory.Hugetlb;

/// <summary>
/// A hugetlbfs file: the object behind every MAP_HUGETLB mapping (Linux maps anonymous hugetlb memory
/// through an unlinked file, "/anon_hugepage (deleted)") and behind memfd_create(MFD_HUGETLB).
/// Shared mappings find their pages here; the file also owns the reservations of shared mappings
/// (Linux's inode resv_map), one per huge page index.
/// </summary>
/// <remarks>
/// Lock order: used under AddressSpace locks; this object's lock is a leaf above the pool's.
/// Invariants: every page in <see cref="_pages"/> holds one reference owned by the file; an index is
/// never both reserved and present.
/// </remarks>
public sealed class HugetlbFile : MemoryObject
{
    private readonly object _hugeLock = new();
    private readonly Dictionary<ulong, long> _pages = new();
    private readonly HashSet<ulong> _reserved = new();

    public HugetlbFile(HugetlbPool pool, ulong size, string name)
        : base(pool.Memory, MemoryObjectKind.Hugetlb, null, size, name)
    {
        Pool = pool;
    }

    public HugetlbPool Pool { get; }

    /// <summary>Huge pages held by the file.</summary>
    public int HugePageCount
    {
        get
        {
            lock (_hugeLock)
            {
                return _pages.Count;
            }
        }
    }

    /// <summary>Reservations held for indices not yet faulted in.</summary>
    public int ReservedCount
    {
        get
        {
            lock (_hugeLock)
            {
                return _reserved.Count;
            }
        }
    }

    /// <summary>
    /// Reserves every huge page index in [first, first + count) that has neither a page nor a reservation
    /// (hugetlb_reserve_pages for a shared mapping).
    /// </summary>
    /// <returns>False when the pool cannot cover the new reservations; nothing changes then.</returns>
    public bool Reserve(ulong first, ulong count)
    {
        lock (_hugeLock)
        {
            List<ulong> fresh = new();
            for (ulong i = first; i < first + count; i++)
            {
                if (!_pages.ContainsKey(i) && !_reserved.Contains(i))
                {
                    fresh.Add(i);
                }
            }

            if (!Pool.TryReserve(fresh.Count))
            {
                return false;
            }

            foreach (ulong i in fresh)
            {
                _reserved.Add(i);
            }

            return true;
        }
    }

    /// <summary>Finds page <paramref name="index"/>, allocating it from the pool (consuming its reservation if any).</summary>
    /// <returns>The head frame (the file keeps its own reference), or -1 when the pool has no page (SIGBUS).</returns>
    public long GetOrAllocate(ulong index)
    {
        lock (_hugeLock)
        {
            if (_pages.TryGetValue(index, out long head))
            {
                return head;
            }

            bool reserved = _reserved.Remove(index);
            head = Pool.Allocate(reserved);
            if (head < 0)
            {
                if (reserved)
                {
                    _reserved.Add(index);
                }

                return -1;
            }

            _pages.Add(index, head);
            return head;
        }
    }

    /// <summary>mincore on a hugetlbfs file: <paramref name="index"/> counts 4 KiB pages.</summary>
    public override bool IsCached(ulong index) => Lookup(index >> Pool.Order) >= 0;

    /// <summary>The page at <paramref name="index"/>, or -1.</summary>
    public long Lookup(ulong index)
    {
        lock (_hugeLock)
        {
            return _pages.TryGetValue(index, out long head) ? head : -1;
        }
    }

    /// <summary>Drops pages and reservations in [first, last] (fallocate punch hole, MADV_REMOVE, truncate).</summary>
    public void PunchHuge(ulong first, ulong last)
    {
        List<long> put = new();
        lock (_hugeLock)
        {
            List<ulong> gone = new();
            foreach (ulong i in _pages.Keys)
            {
                if (i >= first && i <= last)
                {
                    gone.Add(i);
                }
            }

            foreach (ulong i in gone)
            {
                put.Add(_pages[i]);
                _pages.Remove(i);
            }

            int unreserve = _reserved.RemoveWhere(i => i >= first && i <= last);
            Pool.Unreserve(unreserve);
        }

        foreach (long head in put)
        {
            Memory.Put(head);
        }
    }

    /// <summary>The file is gone: its pages go back to the pool (once unmapped) and its reservations are returned.</summary>
    public override void Release()
    {
        PunchHuge(0, ulong.MaxValue);
        base.Release();
    }
}
