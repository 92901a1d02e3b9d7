namespace X64Emu.Memory.Objects;

/// <summary>Outcome of <see cref="MemoryObject.GetPage"/>.</summary>
public enum PageLookup
{
    /// <summary>The page was in the cache.</summary>
    Hit,

    /// <summary>The page was read from the backing file (a major fault).</summary>
    Read,

    /// <summary>The page lies wholly beyond the end of the file: SIGBUS.</summary>
    BeyondEof,

    /// <summary>No frame could be allocated.</summary>
    NoMemory,

    /// <summary>The backing file could not be read.</summary>
    IoError,
}
