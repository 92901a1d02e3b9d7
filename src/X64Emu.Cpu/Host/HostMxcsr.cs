using System;
using System.Runtime.InteropServices;

namespace X64Emu.Cpu.Host;

/// <summary>
/// Reads and writes the host thread's MXCSR. .NET exposes no LDMXCSR/STMXCSR, so two four-byte
/// machine-code stubs are placed in an executable host page once. Guest SSE arithmetic runs on the
/// host's SSE unit through intrinsics; mirroring the guest's rounding mode, FTZ/DAZ and sticky
/// exception flags into the host MXCSR makes those operations bit-exact, flags included.
/// </summary>
internal static unsafe partial class HostMxcsr
{
    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static partial int Mprotect(nint addr, nuint length, int prot);

    private static readonly delegate* unmanaged[SuppressGCTransition]<uint*, void> s_load;
    private static readonly delegate* unmanaged[SuppressGCTransition]<uint*, void> s_store;

    static HostMxcsr()
    {
        nint page = Mmap(0, 4096, 3 /* RW */, 0x22 /* PRIVATE|ANONYMOUS */, -1, 0);
        if (page == -1)
        {
            throw new InvalidOperationException("cannot allocate a host page for the MXCSR stubs");
        }

        byte* p = (byte*)page;
        // ldmxcsr [rdi]; ret
        p[0] = 0x0F; p[1] = 0xAE; p[2] = 0x17; p[3] = 0xC3;
        // stmxcsr [rdi]; ret
        p[16] = 0x0F; p[17] = 0xAE; p[18] = 0x1F; p[19] = 0xC3;
        if (Mprotect(page, 4096, 5 /* R|X */) != 0)
        {
            throw new InvalidOperationException("cannot make the MXCSR stubs executable");
        }

        s_load = (delegate* unmanaged[SuppressGCTransition]<uint*, void>)p;
        s_store = (delegate* unmanaged[SuppressGCTransition]<uint*, void>)(p + 16);
    }

    public static uint Read()
    {
        uint v;
        s_store(&v);
        return v;
    }

    public static void Write(uint value)
    {
        s_load(&value);
    }
}
