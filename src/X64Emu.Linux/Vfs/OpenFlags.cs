namespace X64Emu.Linux.Vfs;

/// <summary>open(2) flags (x86-64 values).</summary>
public static class OpenFlags
{
    public const int RdOnly = 0;
    public const int WrOnly = 1;
    public const int RdWr = 2;
    public const int AccMode = 3;
    public const int Creat = 0x40;
    public const int Excl = 0x80;
    public const int NoCtty = 0x100;
    public const int Trunc = 0x200;
    public const int Append = 0x400;
    public const int NonBlock = 0x800;
    public const int Dsync = 0x1000;
    public const int Async = 0x2000;
    public const int Direct = 0x4000;
    public const int LargeFile = 0x8000;
    public const int Directory = 0x10000;
    public const int NoFollow = 0x20000;
    public const int NoAtime = 0x40000;
    public const int CloExec = 0x80000;
    public const int Sync = 0x101000;
    public const int Path = 0x200000;
    public const int TmpFile = 0x410000;

    /// <summary>Flags F_SETFL may change.</summary>
    public const int SetFlMask = Append | Async | Direct | NoAtime | NonBlock;
}
