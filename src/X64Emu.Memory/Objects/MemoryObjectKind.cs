namespace X64Emu.Memory.Objects;

/// <summary>What kind of pages a <see cref="MemoryObject"/> holds.</summary>
public enum MemoryObjectKind
{
    /// <summary>A regular file's page cache, filled from and written back to an <see cref="IFileBacking"/>.</summary>
    File,

    /// <summary>Shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS, /dev/zero, memfd, SysV shm): zero-filled, no backing.</summary>
    Shmem,

    /// <summary>A hugetlbfs file: pages come from a hugetlb pool.</summary>
    Hugetlb,
}
