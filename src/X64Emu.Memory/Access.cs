namespace X64Emu.Memory;

/// <summary>The kind of memory access: which TLB serves it and which permission it needs.</summary>
public enum Access : byte
{
    Read = 0,
    Write = 1,
    Fetch = 2,
}
