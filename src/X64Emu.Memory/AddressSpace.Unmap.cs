using System;
using X64Emu.Memory.Vmas;

namespace X64Emu.Memory;

public sealed partial class AddressSpace
{
    /// <summary>munmap (mm/mmap.c do_vmi_munmap): removes every mapping in [start, start + length).</summary>
    /// <remarks>Unmapping a range with nothing in it succeeds, as on Linux.</remarks>
    public MmStatus Unmap(ulong start, ulong length)
    {
        if ((start & PageSizes.PageMask) != 0 || start > PageSizes.TaskSize || length > PageSizes.TaskSize - start)
        {
            return MmStatus.InvalidArgument;
        }

        ulong end = start + PageSizes.PageAlignUp(length);
        if (end == start)
        {
            return MmStatus.InvalidArgument;
        }

        lock (_lock)
        {
            MmStatus st = CheckUnmapLocked(start, end);
            if (st != MmStatus.Ok)
            {
                return st;
            }

            UnmapRangeLocked(start, end);
            CheckInvariantsIfEnabled();
            return MmStatus.Ok;
        }
    }

    /// <summary>What could make unmapping [start, end) fail: sealing, hugetlb alignment, the map-count limit.</summary>
    private MmStatus CheckUnmapLocked(ulong start, ulong end)
    {
        Vma? first = _vmas.FindFirstOverlap(start, end);
        if (first == null)
        {
            return MmStatus.Ok;
        }

        if (AnySealedLocked(start, end))
        {
            return MmStatus.NotPermitted;
        }

        if (!HugeAligned(first, start) || !HugeAligned(_vmas.FindContaining(end - 1), end))
        {
            return MmStatus.InvalidArgument;
        }

        // Cutting a hole in the middle of one VMA leaves two: one more VMA.
        if (first.Start < start && first.End > end && _vmas.Count >= _system.MaxMapCount)
        {
            return MmStatus.NoMemory;
        }

        return MmStatus.Ok;
    }

    /// <summary>A hugetlb VMA can only be split at its huge page size (hugetlb_vm_op_split).</summary>
    private static bool HugeAligned(Vma? v, ulong at)
    {
        if (v == null || (v.Flags & VmFlags.HugeTlb) == 0 || at <= v.Start || at >= v.End)
        {
            return true;
        }

        ulong size = (v.Flags & VmFlags.Huge1G) != 0 ? PageSizes.HugeSize1G : PageSizes.HugeSize2M;
        return (at & (size - 1)) == 0;
    }
}
