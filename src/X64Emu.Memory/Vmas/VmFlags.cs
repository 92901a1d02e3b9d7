using System;

namespace X64Emu.Memory.Vmas;

/// <summary>
/// Per-VMA flags. The low 32 bits have the values of Linux's VM_* constants (include/linux/mm.h) so
/// that smaps' VmFlags line and the merge rules read like the kernel's; the high bits are ours.
/// </summary>
[Flags]
public enum VmFlags : ulong
{
    None = 0,
    Read = 0x1,
    Write = 0x2,
    Exec = 0x4,
    Shared = 0x8,
    MayRead = 0x10,
    MayWrite = 0x20,
    MayExec = 0x40,
    MayShare = 0x80,
    GrowsDown = 0x100,
    PfnMap = 0x400,
    Locked = 0x2000,
    Io = 0x4000,
    SeqRead = 0x8000,
    RandRead = 0x10000,
    DontCopy = 0x20000,
    DontExpand = 0x40000,
    LockOnFault = 0x80000,
    Account = 0x100000,
    NoReserve = 0x200000,
    HugeTlb = 0x400000,
    Sync = 0x800000,
    WipeOnFork = 0x2000000,
    DontDump = 0x4000000,
    SoftDirty = 0x8000000,
    MixedMap = 0x10000000,
    HugePage = 0x20000000,
    NoHugePage = 0x40000000,
    Mergeable = 0x80000000,

    /// <summary>mseal(2): the range refuses munmap/mprotect/mremap/destructive madvise.</summary>
    Sealed = 1UL << 40,

    /// <summary>1 GiB hugetlb pages (with <see cref="HugeTlb"/>); without it hugetlb pages are 2 MiB.</summary>
    Huge1G = 1UL << 41,

    /// <summary>The main thread's stack, which grows on access (with <see cref="GrowsDown"/>).</summary>
    Stack = 1UL << 42,

    /// <summary>Protections that mprotect and mmap set; the rest survive mprotect.</summary>
    AccessMask = Read | Write | Exec,
}
