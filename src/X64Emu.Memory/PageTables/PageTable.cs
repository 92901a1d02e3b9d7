using System;
using System.Runtime.CompilerServices;
using X64Emu.Memory.Physical;

namespace X64Emu.Memory.PageTables;

/// <summary>
/// The 4-level page tables of one address space, stored in frames of emulated physical memory in the
/// hardware format: PML4 → PDPT → PD → PT, 512 eight-byte entries each.
/// </summary>
/// <remarks>
/// Lock order: callers that modify entries hold the owning AddressSpace's lock; the MMU reads entries
/// without it (aligned 8-byte reads are atomic) and relies on TLB shootdown before frames are freed.
/// Invariants: non-leaf entries carry <see cref="Pte.TableFlags"/>; a table frame is referenced by
/// exactly one parent entry (or is the root); <see cref="TableFrames"/> counts them all.
/// </remarks>
public sealed unsafe class PageTable
{
    private readonly PhysicalMemory _mem;

    /// <summary>Allocates the root (PML4); throws <see cref="OutOfMemoryException"/> when no frame is left.</summary>
    public PageTable(PhysicalMemory mem)
    {
        _mem = mem;
        int root = mem.AllocateZeroed(FrameFlags.PageTable);
        if (root < 0)
        {
            throw new OutOfMemoryException("no frame for a page-table root");
        }

        RootFrame = root;
        TableFrames = 1;
    }

    /// <summary>CR3: the frame of the PML4.</summary>
    public long RootFrame { get; private set; }

    /// <summary>Page-table pages in use, the root included (VmPTE in /proc/PID/status).</summary>
    public long TableFrames { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong* Table(long frame) => (ulong*)_mem.HostOf(frame);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Index(ulong va, int level) => (int)(va >> (PageSizes.PageBits + 9 * (level - 1))) & 511; // level 4 = PML4: 12 + 27 = 39

    /// <summary>
    /// Walks like the MMU: returns the leaf entry mapping <paramref name="va"/> (0 when not present)
    /// and its level (1 = 4 KiB PTE, 2 = 2 MiB PDE, 3 = 1 GiB PDPTE).
    /// </summary>
    public ulong Walk(ulong va, out int level)
    {
        ulong* table = Table(RootFrame);
        for (int l = 4; l >= 1; l--)
        {
            ulong e = table[Index(va, l)];
            if ((e & Pte.Present) == 0)
            {
                level = l;
                return 0;
            }

            if (l == 1 || (l <= 3 && (e & Pte.PageSize) != 0))
            {
                level = l;
                return e;
            }

            table = Table(Pte.FrameOf(e));
        }

        level = 1;
        return 0;
    }

    /// <summary>
    /// Pointer to the entry at <paramref name="level"/> for <paramref name="va"/>, or null when an upper
    /// table is missing or an upper entry is a huge leaf (then <paramref name="leafLevel"/> says which).
    /// </summary>
    public ulong* Find(ulong va, int level, out int leafLevel)
    {
        ulong* table = Table(RootFrame);
        for (int l = 4; l > level; l--)
        {
            ulong e = table[Index(va, l)];
            if ((e & Pte.Present) == 0)
            {
                leafLevel = 0;
                return null;
            }

            if (l <= 3 && (e & Pte.PageSize) != 0)
            {
                leafLevel = l;
                return table + Index(va, l);
            }

            table = Table(Pte.FrameOf(e));
        }

        leafLevel = level;
        return table + Index(va, level);
    }

    /// <summary>
    /// Pointer to the entry at <paramref name="level"/> for <paramref name="va"/>, allocating missing
    /// upper tables; null when memory is exhausted or an upper entry is already a huge leaf.
    /// </summary>
    public ulong* Ensure(ulong va, int level)
    {
        ulong* table = Table(RootFrame);
        for (int l = 4; l > level; l--)
        {
            ulong* slot = table + Index(va, l);
            ulong e = *slot;
            if ((e & Pte.Present) == 0)
            {
                int frame = _mem.AllocateZeroed(FrameFlags.PageTable);
                if (frame < 0)
                {
                    return null;
                }

                TableFrames++;
                e = Pte.Make(frame, Pte.TableFlags);
                *slot = e;
            }
            else if (l <= 3 && (e & Pte.PageSize) != 0)
            {
                return null;
            }

            table = Table(Pte.FrameOf(e));
        }

        return table + Index(va, level);
    }

    /// <summary>
    /// Replaces the 2 MiB leaf in <paramref name="pdEntry"/> by a page table whose 512 entries the caller
    /// has computed with <paramref name="makePte"/>(index); false (nothing changed) when no frame is left.
    /// </summary>
    public bool SplitLeaf(ulong* pdEntry, Func<int, ulong> makePte)
    {
        int frame = _mem.AllocateZeroed(FrameFlags.PageTable);
        if (frame < 0)
        {
            return false;
        }

        ulong* table = Table(frame);
        for (int i = 0; i < 512; i++)
        {
            table[i] = makePte(i);
        }

        TableFrames++;
        *pdEntry = Pte.Make(frame, Pte.TableFlags);
        return true;
    }

    /// <summary>
    /// Replaces the page table under <paramref name="pdEntry"/> by the 2 MiB leaf <paramref name="leaf"/>
    /// (MADV_COLLAPSE) and frees the table; the caller has already released the table's leaves.
    /// </summary>
    public void CollapseTable(ulong* pdEntry, ulong leaf)
    {
        long table = Pte.FrameOf(*pdEntry);
        *pdEntry = leaf;
        _mem.Put(table);
        TableFrames--;
    }

    /// <summary>Calls the visitor for every mapped leaf (present or PROT_NONE) mapping an address in [start, end), in address order.</summary>
    public void Visit<TVisitor>(ulong start, ulong end, ref TVisitor visitor)
        where TVisitor : struct, IPteVisitor
    {
        if (start < end)
        {
            VisitLevel(Table(RootFrame), 4, 0, start, end, ref visitor);
        }
    }

    private void VisitLevel<TVisitor>(ulong* table, int level, ulong tableBase, ulong start, ulong end, ref TVisitor visitor)
        where TVisitor : struct, IPteVisitor
    {
        int shift = PageSizes.PageBits + 9 * (level - 1);
        ulong span = 1UL << shift;
        int first = start <= tableBase ? 0 : (int)((start - tableBase) >> shift);
        for (int i = first; i < 512; i++)
        {
            ulong va = tableBase + ((ulong)i << shift);
            if (va >= end)
            {
                break;
            }

            ulong e = table[i];
            if (!Pte.IsMapped(e))
            {
                continue;
            }

            if (level == 1 || (level <= 3 && (e & Pte.PageSize) != 0))
            {
                visitor.Visit(va, table + i, level);
            }
            else
            {
                VisitLevel(Table(Pte.FrameOf(e)), level - 1, va, start > va ? start : va, end < va + span ? end : va + span, ref visitor);
            }
        }
    }

    /// <summary>
    /// Frees page-table pages whose whole span lies inside [floor, ceiling) — the hole left by munmap
    /// between the neighbouring VMAs (Linux's free_pgd_range). The caller guarantees no present leaf remains there.
    /// </summary>
    public void FreeTables(ulong floor, ulong ceiling)
    {
        if (floor < ceiling)
        {
            FreeLevel(Table(RootFrame), 4, 0, floor, ceiling);
        }
    }

    /// <returns>True when the table at this level is now empty.</returns>
    private bool FreeLevel(ulong* table, int level, ulong tableBase, ulong floor, ulong ceiling)
    {
        int shift = PageSizes.PageBits + 9 * (level - 1);
        ulong span = 1UL << shift;
        bool empty = true;
        for (int i = 0; i < 512; i++)
        {
            ulong e = table[i];
            if (!Pte.IsMapped(e))
            {
                continue;
            }

            ulong va = tableBase + ((ulong)i << shift);
            bool isTable = level > 1 && !(level <= 3 && (e & Pte.PageSize) != 0);
            if (isTable && va + span > floor && va < ceiling)
            {
                long child = Pte.FrameOf(e);
                bool childEmpty = FreeLevel(Table(child), level - 1, va, floor, ceiling);
                if (childEmpty && va >= floor && va + span <= ceiling)
                {
                    table[i] = 0;
                    _mem.Put(child);
                    TableFrames--;
                    continue;
                }
            }

            empty = false;
        }

        return empty;
    }

    /// <summary>Frees every table page, the root included (the address space is being destroyed; leaves must already be released).</summary>
    public void FreeAll()
    {
        FreeTables(0, PageSizes.TaskSize + PageSizes.PageSize);
        _mem.Put(RootFrame);
        TableFrames--;
        RootFrame = -1;
    }
}
