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

        for (Vma? v = IsolateLocked(start, end); v != null && v.Start < end; v = v.Next)
        {
            apply(v);
        }

        MergeRangeLocked(start, end);

        CheckInvariantsIfEnabled();
        return MmStatus.Ok;
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
            return ModifyRangeLocked(start, end,
                v => v.Object != null && (v.Flags & VmFlags.Shared) == 0 ? MmStatus.BadFd : MmStatus.Ok,
                v => v.Name = string.IsNullOrEmpty(name) ? null : name);
        }
    }
}
