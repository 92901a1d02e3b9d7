using System;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

public sealed partial class AddressSpace
{
    /// <summary>Flags of the brk heap: VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT.</summary>
    private const VmFlags BrkFlags = VmFlags.Read | VmFlags.Write | VmFlags.MayRead | VmFlags.MayWrite | VmFlags.MayExec | VmFlags.Account;

    /// <summary>Sets where the heap starts (the ELF loader calls this with the page-aligned end of bss).</summary>
    public void InitBrk(ulong start)
    {
        lock (_lock)
        {
            StartBrk = start;
            Brk = start;
        }
    }

    /// <summary>
    /// brk(2) (mm/mmap.c): moves the program break; returns the new break, or the unchanged old one
    /// when the request is refused (the raw syscall never returns an error).
    /// </summary>
    public ulong SetBrk(ulong request)
    {
        lock (_lock)
        {
            ulong origBrk = Brk;
            if (request < StartBrk)
            {
                return origBrk;
            }

            // RLIMIT_DATA covers the heap plus the ELF data segment (check_data_rlimit).
            if (DataLimit != ulong.MaxValue && request - StartBrk + (EndData - StartData) > DataLimit)
            {
                return origBrk;
            }

            ulong newBrk = PageSizes.PageAlignUp(request);
            ulong oldBrk = PageSizes.PageAlignUp(Brk);
            if (newBrk == oldBrk)
            {
                Brk = request;
                return request;
            }

            if (request <= Brk)
            {
                // Always allow shrinking, unless the heap was sealed.
                if (AnySealedLocked(newBrk, oldBrk) || CheckUnmapLocked(newBrk, oldBrk) != MmStatus.Ok)
                {
                    return origBrk;
                }

                UnmapRangeLocked(newBrk, oldBrk);
                Brk = request;
                CheckInvariantsIfEnabled();
                return request;
            }

            // Keep a page and the stack guard gap free below the next mapping.
            Vma? next = _vmas.FindFirstEndAbove(oldBrk);
            if (next != null)
            {
                ulong nextStart = next.Start;
                if ((next.Flags & VmFlags.GrowsDown) != 0)
                {
                    nextStart = nextStart > _system.StackGuardGap ? nextStart - _system.StackGuardGap : 0;
                }

                if (newBrk + PageSizes.PageSize > nextStart)
                {
                    return origBrk;
                }
            }

            if (newBrk > PageSizes.TaskSize)
            {
                return origBrk;
            }

            long pages = (long)((newBrk - oldBrk) >> PageSizes.PageBits);
            if (AddressSpaceLimit != ulong.MaxValue && (ulong)(TotalVm + pages) << PageSizes.PageBits > AddressSpaceLimit)
            {
                return origBrk;
            }

            if (_vmas.Count >= _system.MaxMapCount)
            {
                return origBrk;
            }

            // mlockall(MCL_FUTURE) locks the heap's growth too, within RLIMIT_MEMLOCK (mlock_future_ok).
            bool locked = (DefaultLockFlags & VmFlags.Locked) != 0;
            if (locked && !CapIpcLock && (ulong)(LockedVm + pages) << PageSizes.PageBits > MemlockLimit)
            {
                return origBrk;
            }

            if (!_system.TryCharge(pages, TotalVm, CapSysAdmin))
            {
                return origBrk;
            }

            Vma heap = new(oldBrk, newBrk, BrkFlags | DefaultLockFlags) { PgOff = oldBrk >> PageSizes.PageBits };
            _vmas.Insert(heap);
            TotalVm += pages;
            if (locked)
            {
                LockedVm += pages;
            }

            heap = MergeLocked(heap);
            Brk = request;
            if ((heap.Flags & (VmFlags.Locked | VmFlags.LockOnFault)) == VmFlags.Locked)
            {
                PopulateLocked(oldBrk, newBrk, write: null);
            }

            UpdateHiwater();
            CheckInvariantsIfEnabled();
            return request;
        }
    }
}
