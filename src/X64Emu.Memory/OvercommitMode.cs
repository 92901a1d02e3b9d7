namespace X64Emu.Memory;

/// <summary>/proc/sys/vm/overcommit_memory (Documentation/mm/overcommit-accounting.rst).</summary>
public enum OvercommitMode
{
    /// <summary>0: heuristic — refuse only an obviously impossible single request.</summary>
    Guess = 0,

    /// <summary>1: always overcommit.</summary>
    Always = 1,

    /// <summary>2: strict — total commit may not exceed CommitLimit.</summary>
    Never = 2,
}
