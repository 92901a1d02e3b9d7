namespace X64Emu.Memory.Objects;

/// <summary>
/// A page cache: the frames of one file, of a shmem segment (shared anonymous memory, memfd) or of a
/// hugetlbfs file, shared by every mapping of it. Placeholder until the page cache lands.
/// </summary>
public class MemoryObject
{
}
