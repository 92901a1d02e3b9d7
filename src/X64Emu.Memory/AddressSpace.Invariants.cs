using System;
using X64Emu.Memory.Objects;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Physical;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

public sealed unsafe partial class AddressSpace
{
    /// <summary>When set (tests), every mutating operation ends with <see cref="CheckInvariants"/>.</summary>
    public static bool CheckAfterEveryMutation { get; set; }

    private void CheckInvariantsIfEnabled()
    {
        if (CheckAfterEveryMutation)
        {
            CheckInvariantsLocked();
        }
    }

    /// <summary>
    /// Recomputes everything cached and compares: the VMA tree's structure, TotalVm and LockedVm,
    /// RSS per kind, page-table page count, and that every mapped leaf lies inside a VMA and allows
    /// no more than it. Throws <see cref="InvalidOperationException"/> naming the first violation.
    /// </summary>
    public void CheckInvariants()
    {
        lock (_lock)
        {
            CheckInvariantsLocked();
        }
    }

    private void CheckInvariantsLocked()
    {
        _vmas.CheckInvariants();
        long total = 0;
        long locked = 0;
        for (Vma? v = _vmas.First; v != null; v = v.Next)
        {
            ulong align = HugeSizeOf(v);
            if (v.Start >= v.End || (v.Start & (align - 1)) != 0 || (v.End & (align - 1)) != 0)
            {
                Throw($"VMA {v} is empty or misaligned");
            }

            if (((ulong)v.Flags & (ulong)VmFlags.AccessMask & ~((ulong)v.Flags >> 4)) != 0)
            {
                Throw($"VMA {v} allows more than its VM_MAY* flags");
            }

            if (v.Object == null && (v.Flags & VmFlags.Shared) != 0)
            {
                Throw($"shared VMA {v} has no backing object");
            }

            if (v.AnonInherited && v.AnonId == null)
            {
                Throw($"VMA {v} has an inherited anon_vma lineage but no anon_vma");
            }

            total += v.Pages;
            if ((v.Flags & VmFlags.Locked) != 0)
            {
                locked += v.Pages;
            }
        }

        if (total != TotalVm)
        {
            Throw($"TotalVm is {TotalVm} pages, VMAs add up to {total}");
        }

        if (locked != LockedVm)
        {
            Throw($"LockedVm is {LockedVm} pages, locked VMAs add up to {locked}");
        }

        CheckVisitor visitor = new() { Space = this };
        PageTable.Visit(0, UserLimit, ref visitor);
        if (visitor.Error != null)
        {
            Throw(visitor.Error);
        }

        if (visitor.Thps != AnonHugePages)
        {
            Throw($"AnonHugePages is {AnonHugePages}, page tables map {visitor.Thps} THPs");
        }

        if (visitor.Hugetlb != HugetlbPages)
        {
            Throw($"HugetlbPages is {HugetlbPages}, page tables map {visitor.Hugetlb} pages of hugetlb memory");
        }

        _system.Huge2M.CheckInvariants();
        _system.Huge1G.CheckInvariants();

        if (visitor.Anon != RssAnon || visitor.File != RssFile || visitor.Shmem != RssShmem)
        {
            Throw($"RSS counters anon/file/shmem {RssAnon}/{RssFile}/{RssShmem} but page tables hold {visitor.Anon}/{visitor.File}/{visitor.Shmem}");
        }

        long tables = CountTables(PageTable.RootFrame, 4);
        if (tables != PageTable.TableFrames)
        {
            Throw($"page table counts {PageTable.TableFrames} table pages, walk finds {tables}");
        }
    }

    private long CountTables(long frame, int level)
    {
        long n = 1;
        if (level == 1)
        {
            return n;
        }

        ulong* table = (ulong*)_mem.HostOf(frame);
        for (int i = 0; i < 512; i++)
        {
            ulong e = table[i];
            if ((e & Pte.Present) != 0 && !(level <= 3 && (e & Pte.PageSize) != 0))
            {
                if ((_mem.Flags(Pte.FrameOf(e)) & FrameFlags.PageTable) == 0)
                {
                    Throw($"level-{level} entry {i} points at frame {Pte.FrameOf(e)}, which is not a page-table page");
                }

                n += CountTables(Pte.FrameOf(e), level - 1);
            }
        }

        return n;
    }

    private static void Throw(string message) => throw new InvalidOperationException("address-space invariant: " + message);

    private struct CheckVisitor : IPteVisitor
    {
        public long Hugetlb;
        public long Thps;
        public AddressSpace Space;
        public long Anon;
        public long File;
        public long Shmem;
        public string? Error;

        public void Visit(ulong va, ulong* entry, int level)
        {
            if (Error != null)
            {
                return;
            }

            ulong e = *entry;
            Vma? v = Space._vmas.FindContaining(va);
            if (v == null)
            {
                Error = $"leaf 0x{e:x} at 0x{va:x} outside every VMA";
                return;
            }

            bool accessible = (v.Flags & VmFlags.AccessMask) != 0;
            if (accessible != ((e & Pte.Present) != 0))
            {
                Error = $"leaf at 0x{va:x} present={(e & Pte.Present) != 0} but VMA {v} accessible={accessible}";
                return;
            }

            if ((e & Pte.Writable) != 0 && (v.Flags & VmFlags.Write) == 0)
            {
                Error = $"leaf at 0x{va:x} writable in non-writable VMA {v}";
                return;
            }

            if (((e & Pte.NoExecute) == 0) != ((v.Flags & VmFlags.Exec) != 0))
            {
                Error = $"leaf at 0x{va:x} NX bit disagrees with VMA {v}";
                return;
            }

            if (Pte.PkeyOf(e) != v.Pkey)
            {
                Error = $"leaf at 0x{va:x} has pkey {Pte.PkeyOf(e)}, VMA {v} has {v.Pkey}";
                return;
            }

            PhysicalMemory mem = Space._mem;
            long frame = Pte.FrameOf(e);
            if (frame >= mem.FrameCount)
            {
                Error = $"leaf at 0x{va:x} points past RAM (frame {frame})";
                return;
            }

            FrameFlags flags = mem.Flags(frame);
            if ((flags & FrameFlags.Zero) != 0)
            {
                if ((e & Pte.Writable) != 0 || v.Object != null)
                {
                    Error = $"zero page mapped writable or in a file VMA at 0x{va:x}";
                }

                return;
            }

            if (mem.RefCount(frame) <= 0 || mem.MapCount(frame) <= 0)
            {
                Error = $"leaf at 0x{va:x} maps frame {frame} with refcount {mem.RefCount(frame)} mapcount {mem.MapCount(frame)}";
                return;
            }

            long pages = level == 1 ? 1 : (level == 2 ? 512 : 512 * 512);
            if ((flags & FrameFlags.PageCache) != 0)
            {
                if (v.Object != null && v.Object.Kind != MemoryObjectKind.File)
                {
                    Shmem += pages;
                }
                else
                {
                    File += pages;
                }
            }
            else if ((flags & FrameFlags.Anon) != 0)
            {
                if ((v.Flags & VmFlags.Shared) != 0)
                {
                    Error = $"anonymous private frame {frame} mapped in shared VMA {v}";
                    return;
                }

                Anon += pages;
                if (level == 2)
                {
                    if ((flags & FrameFlags.Thp) == 0)
                    {
                        Error = $"2 MiB anonymous leaf at 0x{va:x} maps frame {frame}, which is not a THP head";
                        return;
                    }

                    Thps++;
                }
            }
            else if ((flags & FrameFlags.HugeHead) != 0 && level > 1 && (v.Flags & VmFlags.HugeTlb) != 0)
            {
                Hugetlb += pages;
            }
            else
            {
                Error = $"leaf at 0x{va:x} (level {level}) maps frame {frame} with flags {flags} in VMA {v}";
            }
        }
    }
}
