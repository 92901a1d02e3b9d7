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
        System.Collections.Generic.HashSet<Vma> modified = _modifiedVmas;
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

    /// <summary>
    /// --linux-quirks for calls Linux makes through madvise_walk_vmas: <paramref name="apply"/> runs on the
    /// part of each VMA in [start, end) in turn, the first error is returned at once (earlier VMAs keep
    /// their change), and a hole is reported as ENOMEM at the end.
    /// </summary>
    private MmStatus WalkVmasLocked(ulong start, ulong end, Func<ulong, ulong, MmStatus> apply)
    {
        System.Collections.Generic.List<(ulong From, ulong To)> parts = new();
        ulong at = start;
        bool hole = false;
        for (Vma? v = _vmas.FindFirstEndAbove(start); v != null && v.Start < end; v = v.Next)
        {
            hole |= v.Start > at;
            parts.Add((Math.Max(v.Start, start), Math.Min(v.End, end)));
            at = v.End;
        }

        if (parts.Count == 0)
        {
            return MmStatus.NoMemory;
        }

        foreach ((ulong from, ulong to) in parts)
        {
            MmStatus part = apply(from, to);
            if (part != MmStatus.Ok)
            {
                return part;
            }
        }

        return hole || at < end ? MmStatus.NoMemory : MmStatus.Ok;
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
                return WalkVmasLocked(start, end, (from, to) => SetAnonNameLocked(from, to, name));
            }

            return SetAnonNameLocked(start, end, name);
        }
    }

    private MmStatus SetAnonNameLocked(ulong start, ulong end, string? name) =>
        ModifyRangeLocked(start, end,
            v => v.Object != null && (v.Flags & VmFlags.Shared) == 0 ? MmStatus.BadFd : MmStatus.Ok,
            v => v.Name = string.IsNullOrEmpty(name) ? null : name);
}
