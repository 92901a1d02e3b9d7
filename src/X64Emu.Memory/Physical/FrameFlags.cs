using System;

namespace X64Emu.Memory.Physical;

/// <summary>What a frame currently holds; one byte per frame in <see cref="PhysicalMemory"/>.</summary>
[Flags]
public enum FrameFlags : ushort
{
    None = 0,

    /// <summary>A private anonymous page (or a private COW copy of a file page).</summary>
    Anon = 1,

    /// <summary>Owned by a <see cref="Objects.MemoryObject"/> (file page cache, shmem, hugetlbfs).</summary>
    PageCache = 2,

    /// <summary>The shared zero page, mapped read-only for anonymous read faults; never freed.</summary>
    Zero = 4,

    /// <summary>Instructions were decoded from this frame; writes to it must invalidate decoded blocks.</summary>
    Code = 8,

    /// <summary>First frame of a huge page (2 MiB or 1 GiB run).</summary>
    HugeHead = 16,

    /// <summary>A page-table page (PML4, PDPT, PD or PT).</summary>
    PageTable = 32,

    /// <summary>Merged by KSM (MADV_MERGEABLE): shared read-only between unrelated mappings.</summary>
    Ksm = 64,

    /// <summary>With <see cref="PageCache"/>: shared anonymous memory (shmem), counted as Shmem in meminfo.</summary>
    Shmem = 128,

    /// <summary>
    /// With <see cref="Anon"/>: the head of a transparent huge page, an order-9 run mapped by one PD leaf.
    /// Its reference and map counts stand for the whole run; splitting gives each frame its own.
    /// </summary>
    Thp = 256,

    /// <summary>MADV_FREE'd anonymous page: may be discarded while its PTE stays clean (smaps LazyFree).</summary>
    LazyFree = 512,

    /// <summary>
    /// With <see cref="PageCache"/>: the cached page differs from its backing (Linux's PG_dirty), so smaps counts it
    /// dirty through every mapping, even one whose PTE is clean, and reclaim keeps it in the cache.
    /// </summary>
    Dirty = 1024,
}
