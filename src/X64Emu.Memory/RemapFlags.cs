using System;

namespace X64Emu.Memory;

/// <summary>mremap flags with Linux's MREMAP_* values.</summary>
[Flags]
public enum RemapFlags : uint
{
    None = 0,
    MayMove = 1,
    Fixed = 2,
    DontUnmap = 4,
}
