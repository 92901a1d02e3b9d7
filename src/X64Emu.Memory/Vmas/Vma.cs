using X64Emu.Memory.Objects;

namespace X64Emu.Memory.Vmas;

/// <summary>
/// A virtual memory area: one line of /proc/PID/maps, what mmap promised for [Start, End).
/// Page tables are a cache of what has been resolved inside it (gVisor's vma/pma split).
/// </summary>
/// <remarks>
/// Invariants: Start &lt; End, both page aligned (hugetlb VMAs: aligned to their huge page size);
/// VMAs of one <see cref="VmaTree"/> never overlap. Mutating Start/End of a VMA that is in a tree
/// must go through the tree so its augmented gap data stays right.
/// </remarks>
public sealed class Vma
{
    public ulong Start;
    public ulong End;
    public VmFlags Flags;

    /// <summary>Backing object: a file's page cache, shmem for shared anonymous memory, or null for private anonymous memory.</summary>
    public MemoryObject? Object;

    /// <summary>Offset of <see cref="Start"/> in <see cref="Object"/>, in pages (Linux's vm_pgoff). For anonymous VMAs Start >> 12, as Linux sets it.</summary>
    public ulong PgOff;

    /// <summary>Name shown in maps for anonymous VMAs: "[heap]", "[stack]", or a prctl(PR_SET_VMA_ANON_NAME) name.</summary>
    public string? Name;

    /// <summary>Protection key 0..15 (pkey_mprotect), also stored in PTE bits 59..62.</summary>
    public int Pkey;

    /// <summary>
    /// Identity of the anonymous pages' lineage (Linux's anon_vma): created on the first fault of a
    /// private VMA, kept by the pieces of a split. Two VMAs merge only if one of them has none or both have the same.
    /// </summary>
    public object? AnonId;

    /// <summary>
    /// The anonymous pages' lineage includes a parent process's (Linux: the VMA's anon_vma_chain is not
    /// singular after fork): such a VMA never lends its identity to a neighbour's first fault and never merges
    /// with a neighbour that has no identity yet (is_mergeable_anon_vma, reusable_anon_vma).
    /// Invariants: implies <see cref="AnonId"/> != null.
    /// </summary>
    public bool AnonInherited;

    /// <summary>
    /// Private hugetlb reservations not yet consumed, by huge page index (Linux's per-VMA resv_map,
    /// HPAGE_RESV_OWNER): shared by the pieces of a split; null for mappings that reserved nothing
    /// (MAP_NORESERVE, shared mappings whose file holds the reservations, a fork child).
    /// </summary>
    public System.Collections.Generic.HashSet<ulong>? HugeResv;

    public ulong Size => End - Start;

    /// <summary>Size in 4 KiB pages.</summary>
    public long Pages => (long)((End - Start) >> PageSizes.PageBits);

    /// <summary>Pages this VMA charges to Committed_AS: all of them when VM_ACCOUNT is set.</summary>
    public long CommittedPages => (Flags & VmFlags.Account) != 0 ? Pages : 0;

    public Vma(ulong start, ulong end, VmFlags flags)
    {
        Start = start;
        End = end;
        Flags = flags;
    }

    /// <summary>Page offset into <see cref="Object"/> of a virtual address inside this VMA.</summary>
    public ulong PageIndexOf(ulong va) => PgOff + ((va - Start) >> PageSizes.PageBits);

    // ---- VmaTree links (owned by VmaTree; do not touch elsewhere) ----
    internal Vma? TreeLeft;
    internal Vma? TreeRight;
    internal Vma? TreeParent;
    internal int TreeHeight;

    /// <summary>In-order neighbours, kept by the tree, so walking a range is O(1) per VMA.</summary>
    internal Vma? TreePrev;
    internal Vma? TreeNext;

    /// <summary>Augmented data: the largest free gap ending at the Start of any VMA in this subtree.</summary>
    internal ulong TreeMaxGap;

    /// <summary>Previous VMA in address order, or null.</summary>
    public Vma? Prev => TreePrev;

    /// <summary>Next VMA in address order, or null.</summary>
    public Vma? Next => TreeNext;

    public override string ToString() => $"{Start:x}-{End:x} {Flags}";
}
