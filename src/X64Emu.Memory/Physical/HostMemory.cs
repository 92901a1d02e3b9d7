using System;
using System.Runtime.InteropServices;

namespace X64Emu.Memory.Physical;

/// <summary>Host virtual memory reservations through libc's mmap, so huge emulated RAM costs nothing until touched.</summary>
internal static unsafe partial class HostMemory
{
    private const int ProtRead = 1;
    private const int ProtWrite = 2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;
    private const int MapNoReserve = 0x4000;
    private const int MadvDontNeed = 4;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(nint addr, nuint length);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(nint addr, nuint length, int advice);

    /// <summary>Reserves <paramref name="size"/> bytes of zeroed, lazily backed host memory, or returns null.</summary>
    public static byte* Reserve(ulong size)
    {
        nint p = Mmap(0, (nuint)size, ProtRead | ProtWrite, MapPrivate | MapAnonymous | MapNoReserve, -1, 0);
        return p == -1 ? null : (byte*)p;
    }

    public static void Release(byte* p, ulong size)
    {
        if (p != null)
        {
            _ = Munmap((nint)p, (nuint)size);
        }
    }

    /// <summary>Gives host pages back to the host kernel; they read as zero afterwards.</summary>
    public static bool Discard(byte* p, ulong size) => Madvise((nint)p, (nuint)size, MadvDontNeed) == 0;

    public static string LastError() => Marshal.GetLastPInvokeErrorMessage();
}
