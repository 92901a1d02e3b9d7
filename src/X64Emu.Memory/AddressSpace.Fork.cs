using System;
using X64Emu.Memory.Objects;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Physical;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

public sealed unsafe partial class AddressSpace
{
    /// <summary>
    /// fork's dup_mmap: a new address space with the same VMAs (except MADV_DONTFORK ones) and, for VMAs
    /// holding anonymous pages, copies of the leaves — private pages write-protected in both spaces
    /// (copy-on-write), shared pages shared. MADV_WIPEONFORK VMAs arrive empty. Accounted VMAs are charged
    /// again (so strict overcommit can refuse a fork with ENOMEM).
    /// </summary>
    /// <returns>The child, or null when commit accounting or memory refuses (nothing changed).</returns>
    public AddressSpace? Fork()
    {
        lock (_lock)
        {
            long charge = 0;
            for (Vma? v = _vmas.First; v != null; v = v.Next)
            {
                if ((v.Flags & VmFlags.DontCopy) == 0)
                {
                    charge += v.CommittedPages;
                }
            }

            if (charge > 0 && !_system.TryCharge(charge, TotalVm, CapSysAdmin))
            {
                return null;
            }

            AddressSpace child = new(_system)
            {
                MmapBase = MmapBase,
                StartData = StartData,
                EndData = EndData,
                StartCode = StartCode,
                EndCode = EndCode,
                StartStack = StartStack,
                ArgStart = ArgStart,
                ArgEnd = ArgEnd,
                EnvStart = EnvStart,
                EnvEnd = EnvEnd,
                StackLimit = StackLimit,
                MemlockLimit = MemlockLimit,
                AddressSpaceLimit = AddressSpaceLimit,
                DataLimit = DataLimit,
                CapSysRawio = CapSysRawio,
                CapSysAdmin = CapSysAdmin,
                CapIpcLock = CapIpcLock,
                WxEnforced = WxEnforced,
                LinuxQuirks = LinuxQuirks,
                PkeyMap = PkeyMap,
                FaultTrace = FaultTrace,
                Brk = Brk,
                StartBrk = StartBrk,
            };

            bool wroteProtected = false;
            for (Vma? v = _vmas.First; v != null; v = v.Next)
            {
                if ((v.Flags & VmFlags.DontCopy) != 0)
                {
                    continue;
                }

                Vma c = new(v.Start, v.End, v.Flags & ~(VmFlags.Locked | VmFlags.LockOnFault))
                {
                    Object = v.Object,
                    PgOff = v.PgOff,
                    Name = v.Name,
                    Pkey = v.Pkey,
                };
                if ((v.Flags & VmFlags.WipeOnFork) == 0 && v.AnonId != null)
                {
                    // anon_vma_fork: the child's VMA gets an anon_vma of its own, chained to the parent's.
                    c.AnonId = new object();
                    c.AnonInherited = true;
                }

                c.Object?.AddUser();
                child._vmas.Insert(c);
                child.TotalVm += c.Pages;
                if ((v.Flags & VmFlags.WipeOnFork) != 0 || v.AnonId == null)
                {
                    continue; // Linux copies leaves only where anonymous pages may exist (vma_needs_copy)
                }

                CopyVisitor cv = new() { Parent = this, Child = child, Vma = v, Ok = true };
                PageTable.Visit(v.Start, v.End, ref cv);
                wroteProtected |= cv.WriteProtected;
                if (!cv.Ok)
                {
                    child.Dispose();
                    _system.Uncharge(charge);
                    return null;
                }
            }

            if (wroteProtected)
            {
                // The parent's writable translations are gone: every CPU must drop them.
                ShootdownLocked(0, UserLimit);
            }

            child.UpdateHiwater();
            child.CheckInvariantsIfEnabled();
            CheckInvariantsIfEnabled();
            return child;
        }
    }

    private struct CopyVisitor : IPteVisitor
    {
        /// <summary>
        /// A 2 MiB anonymous leaf: the huge zero page is shared as is; a THP is copied for the child
        /// (THPs are never shared), or, when no 2 MiB run is free, split in the parent and shared as 4 KiB pages.
        /// </summary>
        private void CopyThp(ulong va, ulong* entry, ulong e)
        {
            PhysicalMemory mem = Parent._mem;
            long frame = Pte.FrameOf(e);
            ulong* slot = Child.PageTable.Ensure(va, 2);
            if (slot == null)
            {
                Ok = false;
                return;
            }

            if ((mem.Flags(frame) & FrameFlags.Zero) != 0)
            {
                *slot = e;
                return;
            }

            long copy = mem.AllocateThp();
            if (copy >= 0)
            {
                mem.CopyRun(frame, copy, 512);
                mem.IncMap(copy);
                *slot = Pte.Make(copy, e & ~Pte.AddressMask);
                Child.RssAnon += 512;
                Child.AnonHugePages++;
                return;
            }

            if (!Parent.SplitThpLocked(va, entry))
            {
                Ok = false;
                return;
            }

            ulong* table = (ulong*)mem.HostOf(Pte.FrameOf(*entry));
            for (int i = 0; i < 512 && Ok; i++)
            {
                Visit(va + ((ulong)i << PageSizes.PageBits), table + i, 1);
            }
        }

        public AddressSpace Parent;
        public AddressSpace Child;
        public Vma Vma;
        public bool Ok;
        public bool WriteProtected;

        public void Visit(ulong va, ulong* entry, int level)
        {
            if (!Ok)
            {
                return;
            }

            ulong e = *entry;
            if (level == 2 && (Vma.Flags & VmFlags.HugeTlb) == 0)
            {
                CopyThp(va, entry, e);
                return;
            }

            ulong* slot = Child.PageTable.Ensure(va, level);
            if (slot == null)
            {
                Ok = false;
                return;
            }

            PhysicalMemory mem = Parent._mem;
            long frame = Pte.FrameOf(e);
            bool shared = (Vma.Flags & VmFlags.Shared) != 0;
            if (!shared && (e & Pte.Writable) != 0)
            {
                // Copy-on-write: both sides lose write permission; the first writer copies (or reuses).
                e &= ~Pte.Writable;
                *entry = e;
                WriteProtected = true;
            }

            *slot = e;
            if (frame == mem.ZeroFrame && level == 1)
            {
                return;
            }

            long pages = level == 1 ? 1 : level == 2 ? 512 : 512 * 512;
            mem.Get(frame);
            mem.IncMap(frame);
            FrameFlags f = mem.Flags(frame);
            if ((f & FrameFlags.PageCache) != 0)
            {
                Child.CountObjectPage(Vma.Object, (int)pages);
            }
            else if ((f & FrameFlags.HugeHead) != 0)
            {
                Child.HugetlbPages += pages;
            }
            else
            {
                Child.RssAnon += pages;
            }

        }
    }
}
