using System;
using System.Collections.Generic;
using System.Threading;
using X64Emu.Memory.Hugetlb;
using X64Emu.Memory.Objects;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Physical;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

/// <summary>hugetlb mappings: reservations at mmap, PS leaves at the PD (2 MiB) or PDPT (1 GiB) level, copy-on-write.</summary>
public sealed unsafe partial class AddressSpace
{
    private static long _hugetlbInode = 7000;

    /// <summary>The unlinked hugetlbfs file Linux creates for an anonymous MAP_HUGETLB mapping.</summary>
    private HugetlbFile NewAnonHugetlbFile(bool is1G, ulong len)
    {
        return new HugetlbFile(_system.PoolFor(is1G), len, "/anon_hugepage (deleted)")
        {
            DevMajor = 0,
            DevMinor = 0x10,
            Inode = (ulong)Interlocked.Increment(ref _hugetlbInode),
        };
    }

    private static int HugeLevel(Vma v) => (v.Flags & VmFlags.Huge1G) != 0 ? 3 : 2;

    private static int HugeOrder(Vma v) => (v.Flags & VmFlags.Huge1G) != 0 ? 18 : 9;

    /// <summary>Huge page index in the file of the huge page holding <paramref name="va"/>.</summary>
    private static ulong HugeIndexOf(Vma v, ulong va) => v.PageIndexOf(va) >> HugeOrder(v);

    /// <summary>
    /// hugetlb_reserve_pages: a private mapping reserves all its pages for itself; a shared one
    /// reserves, in the file, the indices that have neither a page nor a reservation yet.
    /// MAP_NORESERVE reserves nothing (faults may then find the pool empty: SIGBUS).
    /// </summary>
    private MmStatus ReserveHugePagesLocked(VmFlags vmFlags, ulong pgoff, ulong len, MemoryObject? obj, out HashSet<ulong>? privateResv)
    {
        privateResv = null;
        if (obj is not HugetlbFile file)
        {
            return MmStatus.InvalidArgument;
        }

        if ((vmFlags & VmFlags.NoReserve) != 0)
        {
            return MmStatus.Ok;
        }

        int order = (vmFlags & VmFlags.Huge1G) != 0 ? 18 : 9;
        ulong first = pgoff >> order;
        ulong count = len >> (PageSizes.PageBits + order);
        if ((vmFlags & VmFlags.MayShare) != 0)
        {
            return file.Reserve(first, count) ? MmStatus.Ok : MmStatus.NoMemory;
        }

        if (!file.Pool.TryReserve((long)count))
        {
            return MmStatus.NoMemory;
        }

        privateResv = new HashSet<ulong>();
        for (ulong i = 0; i < count; i++)
        {
            privateResv.Add(first + i);
        }

        return MmStatus.Ok;
    }

    /// <summary>Returns the private reservations of [start, end) of <paramref name="v"/> that no fault consumed.</summary>
    private void UnreserveHugeLocked(Vma v, ulong start, ulong end)
    {
        if (v.HugeResv == null || v.Object is not HugetlbFile file)
        {
            return;
        }

        long returned = 0;
        ulong size = PageSizes.PageSize << HugeOrder(v);
        for (ulong a = start; a < end; a += size)
        {
            if (v.HugeResv.Remove(HugeIndexOf(v, a)))
            {
                returned++;
            }
        }

        file.Pool.Unreserve(returned);
    }

    /// <summary>
    /// hugetlb_fault: installs or upgrades the PS leaf covering <paramref name="va"/>. A page comes from
    /// the file (shared) or fresh from the pool (private), consuming a reservation when there is one;
    /// an empty pool gives SIGBUS. A write to a read-only private leaf copies the huge page unless this
    /// mapping is its only user.
    /// </summary>
    private FaultKind HugetlbFaultLocked(Vma vma, ulong va, Access access)
    {
        int level = HugeLevel(vma);
        int order = HugeOrder(vma);
        long frames = 1L << order;
        ulong size = PageSizes.PageSize << order;
        ulong hugeBase = va & ~(size - 1);
        if (vma.Object is not HugetlbFile file)
        {
            ThrowHelper.ThrowInvalidOperation($"hugetlb VMA {vma} has no hugetlbfs object");
            return FaultKind.BusAdrErr;
        }

        ulong* slot = PageTable.Ensure(hugeBase, level);
        if (slot == null)
        {
            Faults.Oom++;
            return FaultKind.Oom;
        }

        bool write = access == Access.Write;
        bool shared = (vma.Flags & VmFlags.MayShare) != 0;
        ulong bits = LeafBits(vma) | Pte.PageSize;
        ulong e = *slot;
        if ((e & Pte.Present) == 0)
        {
            ulong index = HugeIndexOf(vma, hugeBase);
            if (index >= file.Size >> (PageSizes.PageBits + order))
            {
                Faults.SigBus++;
                Trace("hugetlb-beyond-eof", hugeBase);
                return FaultKind.BusAdrErr;
            }

            long head;
            if (shared)
            {
                head = file.GetOrAllocate(index);
                if (head >= 0)
                {
                    _mem.Get(head);
                }
            }
            else
            {
                // A private mapping of a hugetlbfs file reads the file's page until its first write.
                long source = file.Lookup(index);
                if (source >= 0 && !write)
                {
                    head = source;
                    _mem.Get(head);
                }
                else
                {
                    bool reserved = vma.HugeResv != null && vma.HugeResv.Remove(index);
                    head = file.Pool.Allocate(reserved);
                    if (head < 0 && reserved)
                    {
                        vma.HugeResv!.Add(index);
                    }
                    else if (head >= 0 && source >= 0)
                    {
                        _mem.CopyRun(source, head, frames);
                    }
                }

                EnsureAnonIdLocked(vma);
            }

            if (head < 0)
            {
                Faults.SigBus++;
                Trace("hugetlb-no-page", hugeBase);
                return FaultKind.BusAdrErr;
            }

            bool writable = (vma.Flags & VmFlags.Write) != 0 && (shared || write);
            _mem.IncMap(head);
            *slot = Pte.Make(head, bits | (writable ? Pte.Writable | Pte.Dirty : 0));
            HugetlbPages += frames;
            Faults.Hugetlb++;
            MinorFaults++;
            Trace(shared ? "hugetlb-shared" : "hugetlb-anon", hugeBase);
            return FaultKind.None;
        }

        if (!write || (e & Pte.Writable) != 0)
        {
            // Stale protection for a read or fetch the VMA permits: refresh it.
            *slot = (e & ~(Pte.NoExecute | Pte.PkeyMask)) | (bits & (Pte.NoExecute | Pte.PkeyMask));
            return FaultKind.None;
        }

        long old = Pte.FrameOf(e);
        if (shared || _mem.RefCount(old) == 1)
        {
            *slot = e | Pte.Writable | Pte.Dirty;
            Faults.CowReuse++;
            Trace("hugetlb-reuse", hugeBase);
            return FaultKind.None;
        }

        // The writer consumes its own reservation for this index if it still holds one (private mappings).
        ulong cowIndex = HugeIndexOf(vma, hugeBase);
        bool cowReserved = vma.HugeResv != null && vma.HugeResv.Remove(cowIndex);
        long copy = file.Pool.Allocate(cowReserved);
        if (copy < 0 && cowReserved)
        {
            vma.HugeResv!.Add(cowIndex);
        }

        if (copy < 0)
        {
            Faults.SigBus++;
            Trace("hugetlb-cow-no-page", hugeBase);
            return FaultKind.BusAdrErr;
        }

        _mem.CopyRun(old, copy, frames);
        _mem.IncMap(copy);
        *slot = Pte.Make(copy, bits | Pte.Writable | Pte.Dirty);
        ShootdownLocked(hugeBase, hugeBase + size);
        _mem.DecMap(old);
        _mem.Put(old);
        Faults.CowCopy++;
        Faults.Hugetlb++;
        MinorFaults++;
        Trace("hugetlb-cow-copy", hugeBase);
        return FaultKind.None;
    }

    /// <summary>MAP_POPULATE / MADV_POPULATE_* over a hugetlb VMA: one fault per huge page.</summary>
    private FaultKind PopulateHugetlbLocked(Vma v, ulong from, ulong to, bool? write)
    {
        bool doWrite = write ?? ((v.Flags & (VmFlags.Write | VmFlags.Shared)) == VmFlags.Write);
        if (doWrite && (v.Flags & VmFlags.Write) == 0)
        {
            return FaultKind.AccErr;
        }

        ulong size = PageSizes.PageSize << HugeOrder(v);
        for (ulong a = from & ~(size - 1); a < to; a += size)
        {
            ulong e = PageTable.Walk(a, out _);
            if ((e & Pte.Present) != 0 && (!doWrite || (e & Pte.Writable) != 0))
            {
                continue;
            }

            FaultKind k = HugetlbFaultLocked(v, a, doWrite ? Access.Write : Access.Read);
            if (k != FaultKind.None)
            {
                return k;
            }
        }

        return FaultKind.None;
    }

    /// <summary>Drops a zapped 2 MiB / 1 GiB leaf: its mapping count, this space's HugetlbPages, and its reference.</summary>
    private void ReleaseHugeLeaf(long frame, int level)
    {
        long frames = level == 2 ? 512 : 512 * 512;
        if ((_mem.Flags(frame) & FrameFlags.HugeHead) == 0)
        {
            ReleaseThpLeaf(frame);
            return;
        }

        HugetlbPages -= frames;
        _mem.DecMap(frame);
        _mem.Put(frame);
    }
}
