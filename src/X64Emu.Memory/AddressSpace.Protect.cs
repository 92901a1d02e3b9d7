using System;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

public sealed unsafe partial class AddressSpace
{
    /// <summary>
    /// mprotect / pkey_mprotect (mm/mprotect.c do_mprotect_pkey), atomically: Linux changes the VMAs
    /// before a hole and then fails with ENOMEM; we check the whole range first and change nothing.
    /// </summary>
    /// <param name="growsDown">PROT_GROWSDOWN: extend the change down to the start of a MAP_GROWSDOWN VMA.</param>
    /// <param name="pkey">Protection key to assign, or -1 to keep each VMA's key (plain mprotect).</param>
    public MmStatus Protect(ulong start, ulong length, Prot prot, bool growsDown = false, int pkey = -1)
    {
        if ((start & PageSizes.PageMask) != 0)
        {
            return MmStatus.InvalidArgument;
        }

        if (length == 0)
        {
            return MmStatus.Ok;
        }

        ulong end = start + PageSizes.PageAlignUp(length);
        if (end <= start)
        {
            return MmStatus.NoMemory;
        }

        lock (_lock)
        {
            Vma? vma = _vmas.FindFirstEndAbove(start);
            if (vma == null)
            {
                return MmStatus.NoMemory;
            }

            if (growsDown)
            {
                if (vma.Start >= end)
                {
                    return MmStatus.NoMemory;
                }

                if ((vma.Flags & VmFlags.GrowsDown) == 0)
                {
                    return MmStatus.InvalidArgument;
                }

                start = vma.Start;
            }
            else if (vma.Start > start)
            {
                return MmStatus.NoMemory;
            }

            if (AnySealedLocked(start, end))
            {
                return MmStatus.NotPermitted;
            }

            // --linux-quirks: Linux changes the VMAs up to the first hole and then fails with ENOMEM.
            MmStatus tail = MmStatus.Ok;
            if (LinuxQuirks)
            {
                ulong stop = ContiguousEndLocked(start, end);
                if (stop < end)
                {
                    end = stop;
                    tail = MmStatus.NoMemory;
                }
            }

            // Pass 1: validate every VMA and the charges; nothing changes yet.
            VmFlags access = ProtToVmFlags(prot);
            long charge = 0;
            ulong at = start;
            for (Vma? v = vma; at < end; v = v.Next)
            {
                if (v == null || v.Start > at)
                {
                    return MmStatus.NoMemory; // a hole
                }

                VmFlags old = v.Flags;
                VmFlags updated = (old & ~VmFlags.AccessMask) | access;
                MmStatus refused = MmStatus.Ok;

                // Each requested right needs its VM_MAY* counterpart (4 bits up).
                if (((ulong)updated & ~((ulong)updated >> 4) & (ulong)VmFlags.AccessMask) != 0)
                {
                    refused = MmStatus.AccessDenied;
                }
                else if (WxEnforced && WxViolation(old, updated))
                {
                    refused = MmStatus.AccessDenied;
                }
                else if (!HugeAligned(v, start) || !HugeAligned(v, end))
                {
                    refused = MmStatus.InvalidArgument;
                }

                if (refused != MmStatus.Ok)
                {
                    if (!LinuxQuirks || v.Start <= start)
                    {
                        return refused;
                    }

                    // --linux-quirks: Linux has already changed the VMAs before this one.
                    end = v.Start;
                    tail = refused;
                    break;
                }

                if ((updated & VmFlags.Write) != 0
                    && (old & (VmFlags.Account | VmFlags.Write | VmFlags.HugeTlb | VmFlags.Shared | VmFlags.NoReserve)) == 0)
                {
                    charge += (long)((Math.Min(end, v.End) - Math.Max(start, v.Start)) >> PageSizes.PageBits);
                }

                at = v.End;
            }

            if (_vmas.Count + SplitsNeeded(start, end) > _system.MaxMapCount)
            {
                return MmStatus.NoMemory;
            }

            if (charge > 0 && !_system.TryCharge(charge, TotalVm, CapSysAdmin))
            {
                return MmStatus.NoMemory;
            }

            // Pass 2: split at the edges, then VMA by VMA as mprotect_fixup does: change flags and leaves, merge, populate.
            (bool, bool) split = EdgeSplitsLocked(start, end);
            System.Collections.Generic.HashSet<Vma> modified = _modifiedVmas;
            Vma? cur = IsolateLocked(start, end);
            while (cur != null && cur.Start < end)
            {
                VmFlags old = cur.Flags;
                VmFlags updated = (old & ~VmFlags.AccessMask) | access;
                if ((updated & VmFlags.Write) != 0
                    && (old & (VmFlags.Account | VmFlags.Write | VmFlags.HugeTlb | VmFlags.Shared | VmFlags.NoReserve)) == 0)
                {
                    updated |= VmFlags.Account;
                }
                else if ((updated & VmFlags.Write) == 0 && (old & VmFlags.Account) != 0 && cur.Object == null && cur.AnonId == null)
                {
                    // mprotect_fixup (6.x): an anonymous VMA that never had a page gives its charge back when it
                    // loses write permission, so it can merge with a neighbour that was never writable.
                    updated &= ~VmFlags.Account;
                    _system.Uncharge(cur.Pages);
                }

                // mprotect_fixup: a locked private VMA that becomes writable is faulted in for writing at once.
                bool populate = (old & (VmFlags.Write | VmFlags.Shared | VmFlags.Locked)) == VmFlags.Locked && (updated & VmFlags.Write) != 0
                    && (old & VmFlags.LockOnFault) == 0;
                bool changed = updated != old || (pkey >= 0 && cur.Pkey != pkey);
                cur.Flags = updated;
                if (pkey >= 0)
                {
                    cur.Pkey = pkey;
                }

                ReprotectLeavesLocked(cur);
                ulong from = cur.Start;
                ulong to = cur.End;
                if (changed)
                {
                    // vma_modify_flags merges this VMA before the next one is looked at and before it is populated:
                    // the anon_vma its first fault gets (or reuses from a neighbour) depends on what it merged with.
                    modified.Add(cur);
                    Vma? before = cur.Prev;
                    if (before != null && CanMerge(before, cur))
                    {
                        cur = AbsorbNextLocked(before);
                    }

                    Vma? after = cur.Next;
                    if (after != null && CanMerge(cur, after))
                    {
                        AbsorbNextLocked(cur);
                    }
                }

                if (populate)
                {
                    PopulateLocked(from, to, write: null);
                }

                cur = cur.Next;
            }

            ShootdownLocked(start, end);
            NotifyCodeLocked(start, end);

            MergeRangeLocked(start, end, modified, split);

            CheckInvariantsIfEnabled();
            return tail;
        }
    }

    /// <summary>
    /// W^X (this system's policy, not Linux's default): a mapping may not be writable and executable
    /// at once, PROT_EXEC may not be added to a writable mapping, nor PROT_WRITE to an executable one.
    /// </summary>
    private static bool WxViolation(VmFlags old, VmFlags updated)
    {
        bool w = (updated & VmFlags.Write) != 0;
        bool x = (updated & VmFlags.Exec) != 0;
        if (w && x)
        {
            return true;
        }

        if (x && (old & VmFlags.Exec) == 0 && (old & VmFlags.Write) != 0)
        {
            return true;
        }

        return w && (old & VmFlags.Write) == 0 && (old & VmFlags.Exec) != 0;
    }

    /// <summary>Rewrites the permission bits of every mapped leaf of <paramref name="v"/> from its flags.</summary>
    private void ReprotectLeavesLocked(Vma v)
    {
        ReprotectVisitor visitor = new()
        {
            Bits = LeafBits(v) & ~Pte.Present,
            Accessible = (v.Flags & VmFlags.AccessMask) != 0,
            Writable = (v.Flags & VmFlags.Write) != 0,
        };
        PageTable.Visit(v.Start, v.End, ref visitor);
    }

    private struct ReprotectVisitor : IPteVisitor
    {
        public ulong Bits;
        public bool Accessible;
        public bool Writable;

        public void Visit(ulong va, ulong* entry, int level)
        {
            ulong e = *entry;
            const ulong Keep = Pte.AddressMask | Pte.Accessed | Pte.Dirty | Pte.PageSize | Pte.SoftCow | Pte.SoftDirty;
            ulong n = (e & Keep) | Bits;
            if (Accessible)
            {
                n |= Pte.Present;

                // Keep RW only where it was (exclusive pages); read-only leaves get RW at their next write fault.
                if (Writable)
                {
                    n |= e & Pte.Writable;
                }
            }
            else
            {
                n |= Pte.ProtNone;
            }

            *entry = n;
        }
    }
}
