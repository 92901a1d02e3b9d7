using System;

namespace X64Emu.Memory;

/// <summary>
/// What a mapping request asks for, already decoded from Linux's MAP_* bits by the syscall layer
/// (which also rejects bad MAP_TYPE values and unknown MAP_SHARED_VALIDATE bits).
/// </summary>
[Flags]
public enum MapFlags : uint
{
    None = 0,

    /// <summary>MAP_SHARED; without it the mapping is private (copy-on-write).</summary>
    Shared = 1 << 0,

    /// <summary>MAP_FIXED: exactly at the address, replacing what is there.</summary>
    Fixed = 1 << 1,

    /// <summary>MAP_FIXED_NOREPLACE: exactly at the address, EEXIST if anything is there.</summary>
    FixedNoReplace = 1 << 2,

    /// <summary>MAP_POPULATE: fault every page in now (errors ignored, as Linux).</summary>
    Populate = 1 << 3,

    /// <summary>MAP_LOCKED: mlock the range.</summary>
    Locked = 1 << 4,

    /// <summary>MAP_NORESERVE: no commit charge (ignored in overcommit mode 2, as Linux).</summary>
    NoReserve = 1 << 5,

    /// <summary>MAP_GROWSDOWN: a stack-like mapping that grows on access below it.</summary>
    GrowsDown = 1 << 6,

    /// <summary>MAP_STACK: advisory.</summary>
    Stack = 1 << 7,

    /// <summary>MAP_HUGETLB: backed by the hugetlb pool of <see cref="Huge1G"/> size or 2 MiB.</summary>
    HugeTlb = 1 << 8,

    /// <summary>With <see cref="HugeTlb"/>: 1 GiB pages (MAP_HUGE_1GB).</summary>
    Huge1G = 1 << 9,

    /// <summary>MAP_32BIT: place the mapping in the first 2 GiB.</summary>
    Below2G = 1 << 10,

    /// <summary>MAP_UNINITIALIZED: accepted and ignored, pages are zeroed anyway.</summary>
    Uninitialized = 1 << 11,

    /// <summary>A mapping made by the kernel itself (ELF loading, the initial stack): not subject to mmap_min_addr.</summary>
    Kernel = 1 << 12,
}
