using System.Text;
using X64Emu.Linux.Tasks;
using X64Emu.Memory;
using X64Emu.Memory.Objects;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Physical;
using X64Emu.Memory.Vmas;

namespace X64Emu.Linux.Proc;

public static unsafe partial class ProcFs
{
    /// <summary>/proc/PID/maps, or smaps when <paramref name="smaps"/> (fs/proc/task_mmu.c formats).</summary>
    public static string Maps(GuestProcess p, bool smaps)
    {
        return p.Mm.WithLock(mm =>
        {
            StringBuilder sb = new();
            for (Vma? v = mm.FirstVmaLocked; v != null; v = v.Next)
            {
                AppendMapLine(sb, mm, v);
                if (smaps)
                {
                    SmapsStats s = Collect(mm, v);
                    AppendSmaps(sb, v, s, rollup: false);
                }
            }

            return sb.ToString();
        });
    }

    /// <summary>/proc/PID/smaps_rollup: the sums over all VMAs under a header spanning them.</summary>
    public static string SmapsRollup(GuestProcess p)
    {
        return p.Mm.WithLock(mm =>
        {
            StringBuilder sb = new();
            SmapsStats total = default;
            ulong first = 0, last = 0;
            for (Vma? v = mm.FirstVmaLocked; v != null; v = v.Next)
            {
                if (first == 0)
                {
                    first = v.Start;
                }

                last = v.End;
                total.Add(Collect(mm, v));
            }

            sb.Append($"{first:x8}-{last:x8} ---p 00000000 00:00 0");
            Pad(sb);
            sb.Append("[rollup]\n");
            AppendSmaps(sb, null, total, rollup: true);
            return sb.ToString();
        });
    }

    /// <summary>The name column of a maps line.</summary>
    private static string? VmaName(AddressSpace mm, Vma v)
    {
        if (v.Object != null)
        {
            return v.Object.Name;
        }

        if (v.Start <= mm.Brk && v.End >= mm.StartBrk && mm.StartBrk != 0)
        {
            return "[heap]";
        }

        if (v.Start <= mm.StartStack && v.End >= mm.StartStack)
        {
            return "[stack]";
        }

        return v.Name != null ? "[anon:" + v.Name + "]" : null;
    }

    private static void AppendMapLine(StringBuilder sb, AddressSpace mm, Vma v)
    {
        VmFlags f = v.Flags;
        MemoryObject? o = v.Object;
        sb.Append($"{v.Start:x8}-{v.End:x8} ");
        sb.Append((f & VmFlags.Read) != 0 ? 'r' : '-');
        sb.Append((f & VmFlags.Write) != 0 ? 'w' : '-');
        sb.Append((f & VmFlags.Exec) != 0 ? 'x' : '-');
        sb.Append((f & VmFlags.MayShare) != 0 ? 's' : 'p');
        ulong pgoff = o != null ? v.PgOff << 12 : 0;
        sb.Append($" {pgoff:x8} {(o?.DevMajor ?? 0):x2}:{(o?.DevMinor ?? 0):x2} {o?.Inode ?? 0} ");
        string? name = VmaName(mm, v);
        if (DebugAnon)
        {
            name = (name ?? string.Empty) + $"[anon_vma {(v.AnonId == null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(v.AnonId)):x}]";
        }

        if (name != null)
        {
            Pad(sb);
            sb.Append(name);
        }

        sb.Append('\n');
    }

    /// <summary>X64EMU_DEBUG=anon_vma: maps names each VMA's anonymous-page identity, for debugging merge decisions.</summary>
    private static readonly bool DebugAnon = System.Environment.GetEnvironmentVariable("X64EMU_DEBUG") == "anon_vma";

    /// <summary>seq_pad: the name starts at column 73 of the line.</summary>
    private static void Pad(StringBuilder sb)
    {
        int lineStart = sb.Length;
        while (lineStart > 0 && sb[lineStart - 1] != '\n')
        {
            lineStart--;
        }

        int col = sb.Length - lineStart;
        if (col < 73)
        {
            sb.Append(' ', 73 - col);
        }
    }

    private struct SmapsStats
    {
        public ulong Size;
        public ulong Rss;
        public ulong PssShifted; // bytes << 12, as Linux's PSS_SHIFT
        public ulong PssDirtyShifted;
        public ulong SharedClean;
        public ulong SharedDirty;
        public ulong PrivateClean;
        public ulong PrivateDirty;
        public ulong Referenced;
        public ulong Anonymous;
        public ulong Ksm;
        public ulong AnonHuge;
        public ulong LazyFree;
        public bool ThpEligible;
        public ulong SharedHugetlb;
        public ulong PrivateHugetlb;
        public ulong Locked;

        public void Add(SmapsStats o)
        {
            Size += o.Size;
            Rss += o.Rss;
            PssShifted += o.PssShifted;
            PssDirtyShifted += o.PssDirtyShifted;
            SharedClean += o.SharedClean;
            SharedDirty += o.SharedDirty;
            PrivateClean += o.PrivateClean;
            PrivateDirty += o.PrivateDirty;
            Referenced += o.Referenced;
            Anonymous += o.Anonymous;
            Ksm += o.Ksm;
            AnonHuge += o.AnonHuge;
            LazyFree += o.LazyFree;
            SharedHugetlb += o.SharedHugetlb;
            PrivateHugetlb += o.PrivateHugetlb;
            Locked += o.Locked;
        }
    }

    private struct SmapsVisitor : IPteVisitor
    {
        public PhysicalMemory Mem;
        public bool Hugetlb;
        public SmapsStats S;

        public void Visit(ulong va, ulong* entry, int level)
        {
            ulong e = *entry;
            ulong size = level == 1 ? 4096UL : level == 2 ? 2UL << 20 : 1UL << 30;
            long frame = Pte.FrameOf(e);
            FrameFlags flags = Mem.Flags(frame);
            if ((flags & FrameFlags.Zero) != 0)
            {
                return; // the zero page is a "special" page: not counted
            }

            int mapcount = Mem.MapCount(frame);
            bool dirty = (e & Pte.Dirty) != 0 || (flags & FrameFlags.Dirty) != 0; // pte_dirty || folio_test_dirty
            if (Hugetlb)
            {
                if (mapcount > 1)
                {
                    S.SharedHugetlb += size;
                }
                else
                {
                    S.PrivateHugetlb += size;
                }

                return;
            }

            S.Rss += size;
            if ((e & Pte.Accessed) != 0)
            {
                S.Referenced += size;
            }

            if ((flags & FrameFlags.Anon) != 0)
            {
                if ((flags & FrameFlags.LazyFree) != 0 && !dirty)
                {
                    S.LazyFree += size;
                }

                S.Anonymous += size;
                if (level == 2)
                {
                    S.AnonHuge += size;
                }
            }

            if ((flags & FrameFlags.Ksm) != 0)
            {
                S.Ksm += size;
            }

            if (mapcount >= 2)
            {
                ulong pss = (size << 12) / (ulong)mapcount;
                S.PssShifted += pss;
                if (dirty)
                {
                    S.SharedDirty += size;
                    S.PssDirtyShifted += pss;
                }
                else
                {
                    S.SharedClean += size;
                }
            }
            else
            {
                S.PssShifted += size << 12;
                if (dirty)
                {
                    S.PrivateDirty += size;
                    S.PssDirtyShifted += size << 12;
                }
                else
                {
                    S.PrivateClean += size;
                }
            }
        }
    }

    private static SmapsStats Collect(AddressSpace mm, Vma v)
    {
        SmapsVisitor visitor = new() { Mem = mm.Machine.Physical, Hugetlb = (v.Flags & VmFlags.HugeTlb) != 0 };
        mm.PageTable.Visit(v.Start, v.End, ref visitor);
        SmapsStats s = visitor.S;
        s.Size = v.End - v.Start;
        s.ThpEligible = mm.ThpEligibleVma(v);
        if ((v.Flags & VmFlags.Locked) != 0)
        {
            s.Locked = s.PssShifted >> 12;
        }

        return s;
    }

    private static void AppendSmaps(StringBuilder sb, Vma? v, SmapsStats s, bool rollup)
    {
        void Kb(string label, ulong bytes) => sb.Append($"{label,-16}{bytes >> 10,8} kB\n");
        if (!rollup)
        {
            ulong page = v != null && (v.Flags & VmFlags.HugeTlb) != 0
                ? ((v.Flags & VmFlags.Huge1G) != 0 ? 1UL << 30 : 2UL << 20) : 4096UL;
            Kb("Size:", s.Size);
            Kb("KernelPageSize:", page);
            Kb("MMUPageSize:", page);
        }

        Kb("Rss:", s.Rss);
        Kb("Pss:", s.PssShifted >> 12);
        Kb("Pss_Dirty:", s.PssDirtyShifted >> 12);
        if (rollup)
        {
            Kb("Pss_Anon:", s.Anonymous);
            Kb("Pss_File:", (s.PssShifted >> 12) - s.Anonymous);
            Kb("Pss_Shmem:", 0);
        }

        Kb("Shared_Clean:", s.SharedClean);
        Kb("Shared_Dirty:", s.SharedDirty);
        Kb("Private_Clean:", s.PrivateClean);
        Kb("Private_Dirty:", s.PrivateDirty);
        Kb("Referenced:", s.Referenced);
        Kb("Anonymous:", s.Anonymous);
        Kb("KSM:", s.Ksm);
        Kb("LazyFree:", s.LazyFree);
        Kb("AnonHugePages:", s.AnonHuge);
        Kb("ShmemPmdMapped:", 0);
        Kb("FilePmdMapped:", 0);
        Kb("Shared_Hugetlb:", s.SharedHugetlb);
        Kb("Private_Hugetlb:", s.PrivateHugetlb);
        Kb("Swap:", 0);
        Kb("SwapPss:", 0);
        Kb("Locked:", s.Locked);
        if (rollup || v == null)
        {
            return;
        }

        sb.Append($"{"THPeligible:",-16}{(s.ThpEligible ? 1 : 0),8}\n");
        sb.Append($"ProtectionKey:  {v.Pkey,8}\n");
        sb.Append("VmFlags: ").Append(VmFlagsText(v.Flags)).Append('\n');
    }

    /// <summary>The two-letter VmFlags mnemonics in bit order (show_smap_vma_flags), each followed by a space.</summary>
    public static string VmFlagsText(VmFlags f)
    {
        (VmFlags, string)[] table =
        {
            (VmFlags.Read, "rd"), (VmFlags.Write, "wr"), (VmFlags.Exec, "ex"), (VmFlags.Shared, "sh"),
            (VmFlags.MayRead, "mr"), (VmFlags.MayWrite, "mw"), (VmFlags.MayExec, "me"), (VmFlags.MayShare, "ms"),
            (VmFlags.GrowsDown, "gd"), (VmFlags.PfnMap, "pf"), (VmFlags.Locked, "lo"), (VmFlags.Io, "io"),
            (VmFlags.SeqRead, "sr"), (VmFlags.RandRead, "rr"), (VmFlags.DontCopy, "dc"), (VmFlags.DontExpand, "de"),
            (VmFlags.LockOnFault, "lf"), (VmFlags.Account, "ac"), (VmFlags.NoReserve, "nr"), (VmFlags.HugeTlb, "ht"),
            (VmFlags.Sync, "sf"), (VmFlags.WipeOnFork, "wf"), (VmFlags.DontDump, "dd"), (VmFlags.SoftDirty, "sd"),
            (VmFlags.MixedMap, "mm"), (VmFlags.HugePage, "hg"), (VmFlags.NoHugePage, "nh"), (VmFlags.Mergeable, "mg"),
            (VmFlags.Sealed, "sl"),
        };
        StringBuilder sb = new();
        foreach ((VmFlags bit, string name) in table)
        {
            if ((f & bit) != 0)
            {
                sb.Append(name).Append(' ');
            }
        }

        return sb.ToString();
    }
}
