namespace X64Emu.Linux.Elf;

/// <summary>One Elf64_Phdr.</summary>
public readonly record struct ProgramHeader(
    uint Type,
    uint Flags,
    ulong Offset,
    ulong VAddr,
    ulong PAddr,
    ulong FileSize,
    ulong MemSize,
    ulong Align)
{
    public const uint PtNull = 0;
    public const uint PtLoad = 1;
    public const uint PtDynamic = 2;
    public const uint PtInterp = 3;
    public const uint PtNote = 4;
    public const uint PtPhdr = 6;
    public const uint PtTls = 7;
    public const uint PtGnuStack = 0x6474E551;
    public const uint PtGnuRelro = 0x6474E552;

    public const uint PfX = 1;
    public const uint PfW = 2;
    public const uint PfR = 4;

    public bool Readable => (Flags & PfR) != 0;

    public bool Writable => (Flags & PfW) != 0;

    public bool Executable => (Flags & PfX) != 0;
}
