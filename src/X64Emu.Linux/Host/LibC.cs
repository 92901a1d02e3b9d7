using System;
using System.Runtime.InteropServices;
using X64Emu.Linux.Syscalls;

namespace X64Emu.Linux.Host;

/// <summary>
/// The host's libc, for file I/O passed through to the host kernel with its exact errno values.
/// Every call returns the raw result; a negative result means -errno (see <see cref="Errno"/>).
/// </summary>
internal static unsafe partial class LibC
{
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

    /// <summary>Issues a raw host syscall; returns the result or -errno.</summary>
    public static long Sys(long nr, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0)
    {
        long r = Syscall6(nr, a0, a1, a2, a3, a4, a5);
        return r == -1 ? -Marshal.GetLastPInvokeError() : r;
    }

    // Host syscall numbers (x86-64; the emulator only runs on x86-64 Linux hosts).
    public const long NrRead = 0;
    public const long NrWrite = 1;
    public const long NrClose = 3;
    public const long NrFstat = 5;
    public const long NrLseek = 8;
    public const long NrIoctl = 16;
    public const long NrPread64 = 17;
    public const long NrPwrite64 = 18;
    public const long NrAccess = 21;
    public const long NrDup = 32;
    public const long NrFcntl = 72;
    public const long NrFsync = 74;
    public const long NrFdatasync = 75;
    public const long NrFtruncate = 77;
    public const long NrRename = 82;
    public const long NrFchmod = 91;
    public const long NrFchown = 93;
    public const long NrUmask = 95;
    public const long NrStatfs = 137;
    public const long NrFstatfs = 138;
    public const long NrGetdents64 = 217;
    public const long NrOpenat = 257;
    public const long NrMkdirat = 258;
    public const long NrFchownat = 260;
    public const long NrNewfstatat = 262;
    public const long NrUnlinkat = 263;
    public const long NrRenameat2 = 316;
    public const long NrLinkat = 265;
    public const long NrSymlinkat = 266;
    public const long NrReadlinkat = 267;
    public const long NrFchmodat = 268;
    public const long NrFaccessat2 = 439;
    public const long NrUtimensat = 280;
    public const long NrFallocate = 285;
    public const long NrStatx = 332;
    public const long NrClockGettime = 228;
    public const long NrClockGetres = 229;
    public const long NrGetrandom = 318;
    public const long NrUname = 63;
    public const long NrSysinfo = 99;
    public const long NrPipe2 = 293;
    public const long NrPoll = 7;
    public const long NrNanosleep = 35;
    public const long NrClockNanosleep = 230;
    public const long NrGetuid = 102;
    public const long NrGetgid = 104;
    public const long NrGeteuid = 107;
    public const long NrGetegid = 108;
    public const long NrSync = 162;
    public const long NrFlock = 73;
    public const long NrFicloneIoctl = 0x40049409;

    public const int AtFdCwd = -100;

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static partial nint RealPath(byte* path, byte* resolved);

    /// <summary>realpath(3): the canonical absolute path (symlinks resolved), or null.</summary>
    public static string? Canonical(string path)
    {
        byte[] p = Path(path);
        byte* buf = stackalloc byte[4097];
        fixed (byte* pp = p)
        {
            if (RealPath(pp, buf) == 0)
            {
                return null;
            }
        }

        return System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)buf);
    }

    /// <summary>
    /// Fills <paramref name="buffer"/> from the host's getrandom(2) (the urandom source). Called instead of
    /// System.Security.Cryptography's RandomNumberGenerator, which maps libssl and libcrypto into the
    /// emulator: about 5 MB of host RSS for AT_RANDOM's 16 bytes.
    /// </summary>
    public static void FillRandom(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            int done = 0;
            while (done < buffer.Length)
            {
                long r = Sys(NrGetrandom, (long)(p + done), buffer.Length - done, 0);
                if (r > 0)
                {
                    done += (int)r;
                }
                else if (r != -Errno.EINTR)
                {
                    throw new InvalidOperationException($"host getrandom failed: errno {-r}");
                }
            }
        }
    }

    /// <summary>A NUL-terminated UTF-8 copy of a path for the host.</summary>
    public static byte[] Path(string path)
    {
        int n = System.Text.Encoding.UTF8.GetByteCount(path);
        byte[] b = new byte[n + 1];
        System.Text.Encoding.UTF8.GetBytes(path, 0, path.Length, b, 0);
        return b;
    }
}
