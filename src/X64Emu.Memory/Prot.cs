using System;

namespace X64Emu.Memory;

/// <summary>Protection bits with the values of Linux's PROT_* constants.</summary>
[Flags]
public enum Prot : uint
{
    None = 0,
    Read = 1,
    Write = 2,
    Exec = 4,
}
