using System;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

public sealed partial class AddressSpace
{
    /// <summary>
    /// Changes VMA attributes over [start, end) atomically: every VMA must exist (a hole is ENOMEM) and
    /// pass <paramref name="check"/>; then the range is split at its edges, <paramref name="apply"/>
    /// runs on each VMA inside, and neighbours merge again.
    /// </summary>
    /// <remarks>Preconditions: _lock held; start and end page aligned, start &lt; end.</remarks>
    private MmStatus ModifyRangeLocked(ulong start, ulong end, Func<Vma, MmStatus> check, Action<Vma> apply)
    {
        ulong at = start;
        for (Vma? v = _vmas.FindFirstEndAbove(start); at < end; v = v.Next)
        {
            if (v == null || v.Start > at)
            {
                return MmStatus.NoMemory;
            }

            MmStatus st = check(v);
            if (st != MmStatus.Ok)
            {
                return st;
            }

            at = v.End;
        }

        if (_vmas.Count + SplitsNeeded(start, end) > _system.MaxMapCount)
        {
            return MmStatus.NoMemory;
        }

        (bool, bool) split = EdgeSplitsLocked(start, end);
        System.Collections.Generic.HashSet<Vma> modified = new();
        for (Vma? v = IsolateLocked(start, end); v != null && v.Start < end; v = v.Next)
        {
            VmFlags flags = v.Flags;
            string? name = v.Name;
            apply(v);
            if (v.Flags != flags || v.Name != name)
            {
                modified.Add(v);
            }
        }

        MergeRangeLocked(start, end, modified, split);

        CheckInvariantsIfEnabled();
        return MmStatus.Ok;
    }

    /// <summary>The mapped sub-ranges of [start, end), in order; <paramref name="hole"/> says whether any part is unmapped.</summary>
    private System.Collections.Generic.List<(ulong From, ulong To)> MappedPartsLocked(ulong start, ulong end, out bool hole)
    {
        System.Collections.Generic.List<(ulong, ulong)> parts = new();
        hole = false;
        ulong at = start;
        for (Vma? v = _vmas.FindFirstEndAbove(start); v != null && v.Start < end; v = v.Next)
        {
            hole |= v.Start > at;
            ulong from = Math.Max(v.Start, start);
            ulong to = Math.Min(v.End, end);
            if (parts.Count > 0 && parts[^1].Item2 == from)
            {
                parts[^1] = (parts[^1].Item1, to);
            }
            else
            {
                parts.Add((from, to));
            }

            at = v.End;
        }

        hole |= at < end;
        return parts;
    }

    /// <summary>
    /// --linux-quirks for calls Linux applies VMA by VMA and stops at the first hole (mprotect, mlock):
    /// the end of the mapped run starting at <paramref name="start"/> (start itself when it is unmapped).
    /// </summary>
    private ulong ContiguousEndLocked(ulong start, ulong end)
    {
        ulong at = start;
        for (Vma? v = _vmas.FindFirstEndAbove(start); v != null && v.Start <= at && at < end; v = v.Next)
        {
            at = v.End;
        }

        return Math.Min(at, end);
    }

    /// <summary>prctl(PR_SET_VMA_ANON_NAME): names anonymous VMAs ("[anon:name]" in maps); null clears.</summary>
    public MmStatus SetAnonName(ulong start, ulong length, string? name)
    {
        if ((start & PageSizes.PageMask) != 0)
        {
            return MmStatus.InvalidArgument;
        }

        ulong end = start + PageSizes.PageAlignUp(length);
        if (end < start)
        {
            return MmStatus.InvalidArgument;
        }

        if (end == start)
        {
            return MmStatus.Ok;
        }

        lock (_lock)
        {
            if (LinuxQuirks)
            {
                // madvise_walk_vmas: every mapped part is named, then a hole is reported.
                System.Collections.Generic.List<(ulong From, ulong To)> parts = MappedPartsLocked(start, end, out bool hole);
                if (hole)
                {
                    foreach ((ulong from, ulong to) in parts)
                    {
                        MmStatus part = SetAnonNameLocked(from, to, name);
                        if (part != MmStatus.Ok)
                        {
                            return part;
                        }
                    }

                    return MmStatus.NoMemory;
                }
            }

            return SetAnonNameLocked(start, end, name);
        }
    }

    private MmStatus SetAnonNameLocked(ulong start, ulong end, string? name)
    {
        {
            return ModifyRangeLocked(start, end,
                v => v.Object != null && (v.Flags & VmFlags.Shared) == 0 ? MmStatus.BadFd : MmStatus.Ok,
                v => v.Name = string.IsNullOrEmpty(name) ? null : name);
        }
    }
}
