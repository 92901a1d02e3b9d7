namespace X64Emu.Linux.Tasks;

/// <summary>Resource limit numbers (RLIMIT_*) and the infinity value.</summary>
public static class Rlimit
{
    public const int Cpu = 0;
    public const int Fsize = 1;
    public const int Data = 2;
    public const int Stack = 3;
    public const int Core = 4;
    public const int Rss = 5;
    public const int Nproc = 6;
    public const int Nofile = 7;
    public const int Memlock = 8;
    public const int As = 9;
    public const int Locks = 10;
    public const int Sigpending = 11;
    public const int Msgqueue = 12;
    public const int Nice = 13;
    public const int Rtprio = 14;
    public const int Rttime = 15;
    public const int Count = 16;
    public const ulong Infinity = ulong.MaxValue;
}
