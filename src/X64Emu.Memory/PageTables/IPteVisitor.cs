namespace X64Emu.Memory.PageTables;

/// <summary>Callback for <see cref="PageTable.Visit{TVisitor}"/>; a struct so the walk is specialised and allocation-free.</summary>
public unsafe interface IPteVisitor
{
    /// <summary>Called for each present leaf in order. <paramref name="level"/> is 1 (4 KiB), 2 (2 MiB) or 3 (1 GiB).</summary>
    void Visit(ulong va, ulong* entry, int level);
}
