using System;
using X64Emu.Memory.Objects;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Physical;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

public sealed unsafe partial class AddressSpace
{
    /// <summary>
    /// The page-fault handler (mm/memory.c handle_mm_fault): finds the VMA, checks the access against
    /// it, and resolves the page — zero page, zero-fill, page cache, copy-on-write — installing the PTE.
    /// </summary>
    /// <remarks>Preconditions: _lock is held.</remarks>
    private FaultKind HandleFaultLocked(ulong va, Access access, uint pkru, out int pkey)
    {
        pkey = 0;
        Vma? vma = _vmas.FindFirstEndAbove(va);
        if (vma == null || (va < vma.Start && ((vma.Flags & VmFlags.GrowsDown) == 0 || !ExpandStackLocked(vma, va))))
        {
            Faults.SegvMapErr++;
            return FaultKind.MapErr;
        }

        if (!VmaAllows(vma.Flags, access))
        {
            Faults.SegvAccErr++;
            return FaultKind.AccErr;
        }

        if (vma.Pkey != 0 && !PkruAllows(pkru, vma.Pkey, access))
        {
            pkey = vma.Pkey;
            Faults.SegvPkuErr++;
            return FaultKind.PkuErr;
        }

        if ((vma.Flags & VmFlags.HugeTlb) != 0)
        {
            return HugetlbFaultLocked(vma, va, access);
        }

        FaultKind result = ResolvePageLocked(vma, va & ~PageSizes.PageMask, access);
        if (result == FaultKind.None)
        {
            MinorFaults++;
            UpdateHiwater();
        }

        return result;
    }

    /// <summary>x86 access_error(): writes need VM_WRITE, fetches VM_EXEC, reads any access right.</summary>
    private static bool VmaAllows(VmFlags flags, Access access) => access switch
    {
        Access.Write => (flags & VmFlags.Write) != 0,
        Access.Fetch => (flags & VmFlags.Exec) != 0,
        _ => (flags & VmFlags.AccessMask) != 0,
    };

    /// <summary>PTE bits every leaf of this VMA carries, before RW/D are decided.</summary>
    private static ulong LeafBits(Vma vma)
    {
        ulong bits = Pte.Present | Pte.User | Pte.Accessed | ((ulong)vma.Pkey << Pte.PkeyShift);
        if ((vma.Flags & VmFlags.Exec) == 0)
        {
            bits |= Pte.NoExecute;
        }

        return bits;
    }

    /// <summary>Resolves one 4 KiB page of a non-hugetlb VMA. Preconditions: _lock held, the access is allowed by the VMA.</summary>
    private FaultKind ResolvePageLocked(Vma vma, ulong page, Access access)
    {
        if (vma.Object == null && (vma.Flags & VmFlags.Shared) == 0)
        {
            FaultKind? thp = ThpFaultLocked(vma, page, access);
            if (thp.HasValue)
            {
                return thp.Value;
            }
        }

        ulong* slot = PageTable.Ensure(page, 1);
        if (slot == null)
        {
            Faults.Oom++;
            return FaultKind.Oom;
        }

        ulong e = *slot;
        ulong bits = LeafBits(vma);
        bool write = access == Access.Write;
        bool shared = (vma.Flags & VmFlags.Shared) != 0;

        if ((e & Pte.Present) == 0)
        {
            return ResolveMissingLocked(vma, page, slot, bits, write, shared);
        }

        if (write)
        {
            return ResolveWriteProtectLocked(vma, page, slot, e, bits, shared);
        }

        // Present but not allowed for a read/fetch the VMA permits: the leaf's protection is stale; refresh it.
        *slot = (e & ~(Pte.NoExecute | Pte.PkeyMask)) | (bits & (Pte.NoExecute | Pte.PkeyMask));
        return FaultKind.None;
    }

    private FaultKind ResolveMissingLocked(Vma vma, ulong page, ulong* slot, ulong bits, bool write, bool shared)
    {
        MemoryObject? obj = vma.Object;
        if (obj == null)
        {
            if (!write)
            {
                // Anonymous read: share the zero page read-only until the first write.
                *slot = Pte.Make(_mem.ZeroFrame, bits);
                Faults.ZeroPage++;
                Trace("zero-page", page);
                return FaultKind.None;
            }

            int frame = _mem.AllocateZeroed(FrameFlags.Anon);
            if (frame < 0)
            {
                Faults.Oom++;
                return FaultKind.Oom;
            }

            EnsureAnonIdLocked(vma);
            _mem.IncMap(frame);
            *slot = Pte.Make(frame, bits | Pte.Writable | Pte.Dirty);
            RssAnon++;
            Faults.AnonZeroFill++;
            Trace("anon-zero-fill", page);
            return FaultKind.None;
        }

        if (!write)
        {
            // do_read_fault maps the cached neighbours first, even when the page itself then fails (SIGBUS).
            FaultAroundLocked(vma, page, bits);
        }

        ulong index = vma.PageIndexOf(page);
        PageLookup lookup = obj.GetPage(index, out long cached);
        switch (lookup)
        {
            case PageLookup.BeyondEof:
            case PageLookup.IoError:
                Faults.SigBus++;
                return FaultKind.BusAdrErr;
            case PageLookup.NoMemory:
                Faults.Oom++;
                return FaultKind.Oom;
            case PageLookup.Read:
                MajorFaults++;
                break;
        }

        if (shared)
        {
            bool writable = write && (vma.Flags & VmFlags.Write) != 0;
            if (writable)
            {
                obj.MarkDirty(index);
            }

            _mem.Get(cached);
            _mem.IncMap(cached);
            *slot = Pte.Make(cached, bits | (writable ? Pte.Writable | Pte.Dirty : 0));
            CountObjectPage(obj, +1);
            Faults.Shared++;
            Trace("shared-page", page);
            return FaultKind.None;
        }

        if (write)
        {
            int copy = _mem.AllocateUninitialized(FrameFlags.Anon);
            if (copy < 0)
            {
                Faults.Oom++;
                return FaultKind.Oom;
            }

            _mem.CopyFrame(cached, copy);
            EnsureAnonIdLocked(vma);
            _mem.IncMap(copy);
            *slot = Pte.Make(copy, bits | Pte.Writable | Pte.Dirty);
            RssAnon++;
            Faults.FileCopy++;
            Trace("file-private-copy", page);
            return FaultKind.None;
        }

        _mem.Get(cached);
        _mem.IncMap(cached);
        *slot = Pte.Make(cached, bits);
        CountObjectPage(obj, +1);
        Faults.FilePage++;
        Trace("file-page", page);
        return FaultKind.None;
    }

    /// <summary>
    /// Linux's fault-around (do_fault_around, fault_around_bytes = 64 KiB): a read fault on a file or shmem
    /// page also maps, read-only, the other pages of its aligned 16-page block (inside the VMA) that are
    /// already in the page cache. Nothing is read or allocated. (MADV_RANDOM only turns off readahead, not this.)
    /// </summary>
    private void FaultAroundLocked(Vma vma, ulong page, ulong bits)
    {
        const ulong Window = 16 * PageSizes.PageSize;
        MemoryObject? obj = vma.Object;
        if (obj == null || (vma.Flags & VmFlags.HugeTlb) != 0)
        {
            return;
        }

        // do_fault_around: 16 PTEs from the aligned block start (or the VMA start, if later), within the VMA and the page table.
        ulong from = Math.Max(page & ~(Window - 1), vma.Start);
        ulong to = Math.Min(Math.Min(from + Window, vma.End), (page & ~(PageSizes.HugeSize2M - 1)) + PageSizes.HugeSize2M);
        for (ulong a = from; a < to; a += PageSizes.PageSize)
        {
            if (a == page)
            {
                continue;
            }

            ulong* slot = PageTable.Find(a, 1, out int level);
            if (slot == null || level != 1 || *slot != 0)
            {
                continue;
            }

            // A host file counts as cached (as the files a program maps usually are in the host's page
            // cache, and Linux's readahead brings them in otherwise); shmem has only the pages it has.
            long frame;
            if (obj.Backing != null)
            {
                if (obj.GetPage(vma.PageIndexOf(a), out frame) is not (PageLookup.Hit or PageLookup.Read))
                {
                    continue;
                }
            }
            else
            {
                frame = obj.PeekCached(vma.PageIndexOf(a));
                if (frame < 0)
                {
                    continue;
                }
            }

            _mem.Get(frame);
            _mem.IncMap(frame);
            *slot = Pte.Make(frame, bits & ~Pte.Writable);
            CountObjectPage(obj, +1);
        }
    }

    /// <summary>A write to a present read-only leaf in a writable VMA: dirty a shared page, or break COW.</summary>
    private FaultKind ResolveWriteProtectLocked(Vma vma, ulong page, ulong* slot, ulong e, ulong bits, bool shared)
    {
        if (shared)
        {
            vma.Object?.MarkDirty(vma.PageIndexOf(page));
            *slot = e | Pte.Writable | Pte.Dirty;
            Trace("shared-write", page);
            return FaultKind.None;
        }

        long old = Pte.FrameOf(e);
        FrameFlags oldFlags = _mem.Flags(old);
        if ((oldFlags & (FrameFlags.Anon | FrameFlags.Ksm)) == FrameFlags.Anon && _mem.RefCount(old) == 1)
        {
            // The only owner of an anonymous page: take it over without copying (do_wp_page reuse).
            *slot = e | Pte.Writable | Pte.Dirty;
            Faults.CowReuse++;
            Trace("cow-reuse", page);
            return FaultKind.None;
        }

        bool fromZero = (oldFlags & FrameFlags.Zero) != 0;
        int copy = fromZero ? _mem.AllocateZeroed(FrameFlags.Anon) : _mem.AllocateUninitialized(FrameFlags.Anon);
        if (copy < 0)
        {
            Faults.Oom++;
            return FaultKind.Oom;
        }

        if (!fromZero)
        {
            _mem.CopyFrame(old, copy);
        }

        EnsureAnonIdLocked(vma);
        _mem.IncMap(copy);
        *slot = Pte.Make(copy, bits | Pte.Writable | Pte.Dirty);

        // Other CPUs may still read the old frame through their TLBs: make them drop it before it can be freed.
        ShootdownLocked(page, page + PageSizes.PageSize);
        if (fromZero)
        {
            RssAnon++;
            Faults.AnonZeroFill++;
            Trace("anon-zero-fill", page);
        }
        else
        {
            ReleaseMappedFrame(old, oldFlags, vma.Object);
            RssAnon++;
            Faults.CowCopy++;
            Trace("cow-copy", page);
        }

        return FaultKind.None;
    }

    /// <summary>Drops a leaf's hold on a frame and the RSS it counted. Not for the zero page.</summary>
    private void ReleaseMappedFrame(long frame, FrameFlags flags, MemoryObject? obj)
    {
        _mem.DecMap(frame);
        if ((flags & FrameFlags.PageCache) != 0)
        {
            CountObjectPage(obj, -1);
        }
        else
        {
            RssAnon--;
        }

        _mem.Put(frame);
    }

    private void CountObjectPage(MemoryObject? obj, int delta)
    {
        if (obj != null && obj.Kind != MemoryObjectKind.File)
        {
            RssShmem += delta;
        }
        else
        {
            RssFile += delta;
        }
    }

    /// <summary>
    /// Grows a MAP_GROWSDOWN VMA down to cover <paramref name="va"/> (mm/mmap.c expand_downwards):
    /// limited by RLIMIT_STACK, the stack guard gap to the previous VMA, mmap_min_addr and commit.
    /// </summary>
    private bool ExpandStackLocked(Vma vma, ulong va)
    {
        ulong address = va & ~PageSizes.PageMask;
        if (address < _system.MmapMinAddr && !CapSysRawio)
        {
            return false;
        }

        Vma? prev = vma.Prev;
        if (prev != null)
        {
            if (address < prev.End)
            {
                return false;
            }

            if ((prev.Flags & VmFlags.GrowsDown) == 0 && (prev.Flags & VmFlags.AccessMask) != 0
                && address - prev.End < _system.StackGuardGap)
            {
                return false;
            }
        }

        if (vma.End - address > StackLimit)
        {
            return false;
        }

        long grow = (long)((vma.Start - address) >> PageSizes.PageBits);
        if (AddressSpaceLimit != ulong.MaxValue && (ulong)(TotalVm + grow) << PageSizes.PageBits > AddressSpaceLimit)
        {
            return false;
        }

        if ((vma.Flags & VmFlags.Locked) != 0 && !CapIpcLock
            && (ulong)(LockedVm + grow) << PageSizes.PageBits > MemlockLimit)
        {
            return false;
        }

        if ((vma.Flags & VmFlags.Account) != 0)
        {
            if (!_system.TryCharge(grow, TotalVm, CapSysAdmin))
            {
                return false;
            }

        }

        // expand_downwards prepares the anon_vma first (so a grown stack never merges with an unrelated neighbour).
        EnsureAnonIdLocked(vma);
        _vmas.SetBounds(vma, address, vma.End);
        vma.PgOff -= (ulong)grow;
        TotalVm += grow;
        if ((vma.Flags & VmFlags.Locked) != 0)
        {
            LockedVm += grow;
        }

        Faults.StackGrowth++;
        Trace("stack-growth", address);
        return true;
    }

    private void Trace(string kind, ulong page)
    {
        FaultTrace?.Invoke($"fault {kind} 0x{page:x}");
    }
}
