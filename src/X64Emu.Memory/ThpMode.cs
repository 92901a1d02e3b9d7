namespace X64Emu.Memory;

/// <summary>/sys/kernel/mm/transparent_hugepage/enabled, in the order sysfs lists the words.</summary>
public enum ThpMode
{
    /// <summary>Every eligible anonymous VMA gets huge pages.</summary>
    Always,

    /// <summary>Only VMAs with MADV_HUGEPAGE (Linux's default).</summary>
    Madvise,

    /// <summary>None, not even with MADV_HUGEPAGE (MADV_COLLAPSE still works).</summary>
    Never,
}

/// <summary>/sys/kernel/mm/transparent_hugepage/defrag, in sysfs order. Emulated RAM has no reclaim, so every mode allocates the same way.</summary>
public enum ThpDefrag
{
    Always,
    Defer,
    DeferMadvise,
    Madvise,
    Never,
}
