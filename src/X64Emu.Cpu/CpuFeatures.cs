using System;
using System.Text;

namespace X64Emu.Cpu;

/// <summary>
/// What CPUID reports: exactly the features the interpreter implements, so libc picks code paths
/// it can run (glibc's and musl's ifuncs read these bits). Families turn their bit on when complete.
/// </summary>
public static class CpuFeatures
{
    // CPUID.1:EDX
    public const uint Fpu = 1u << 0;
    public const uint Tsc = 1u << 4;
    public const uint Cx8 = 1u << 8;
    public const uint Cmov = 1u << 15;
    public const uint Clflush = 1u << 19;
    public const uint Mmx = 1u << 23;
    public const uint Fxsr = 1u << 24;
    public const uint Sse = 1u << 25;
    public const uint Sse2 = 1u << 26;

    // CPUID.1:ECX
    public const uint Sse3 = 1u << 0;
    public const uint Ssse3 = 1u << 9;
    public const uint Cx16 = 1u << 13;
    public const uint Sse41 = 1u << 19;
    public const uint Sse42 = 1u << 20;
    public const uint Movbe = 1u << 22;
    public const uint Popcnt = 1u << 23;

    // CPUID.7.0:EBX
    public const uint Bmi1 = 1u << 3;
    public const uint Bmi2 = 1u << 8;
    public const uint Erms = 1u << 9;

    // CPUID.7.0:ECX
    public const uint Pku = 1u << 3;
    public const uint Ospke = 1u << 4;

    // CPUID.80000001:EDX / ECX
    public const uint Syscall = 1u << 11;
    public const uint Nx = 1u << 20;
    public const uint Rdtscp = 1u << 27;
    public const uint Lm = 1u << 29;
    public const uint LahfLm = 1u << 0;
    public const uint Abm = 1u << 5; // LZCNT

    /// <summary>CPUID.1:EDX as reported.</summary>
    public static uint Leaf1Edx { get; set; } = Fpu | Tsc | Cx8 | Cmov | Clflush | Mmx | Fxsr | Sse | Sse2;

    /// <summary>CPUID.1:ECX as reported.</summary>
    public static uint Leaf1Ecx { get; set; } = Cx16 | Popcnt | Movbe;

    /// <summary>CPUID.7.0:EBX as reported.</summary>
    /// <remarks>
    /// ERMS is true to the interpreter: forward REP MOVSB/STOSB copy and fill a page at a time
    /// (Interpreter.String.cs), far faster than the 16-byte vector loops glibc picks without it.
    /// </remarks>
    public static uint Leaf7Ebx { get; set; } = Erms;

    /// <summary>CPUID.7.0:ECX as reported (PKU/OSPKE when protection keys are emulated).</summary>
    public static uint Leaf7Ecx { get; set; } = Pku | Ospke;

    public static uint Ext1Edx { get; set; } = Syscall | Nx | Lm;

    public static uint Ext1Ecx { get; set; } = LahfLm;

    private const string Vendor = "GenuineIntel";
    private const string Brand = "X64Emu virtual CPU (interpreter)";

    /// <summary>Executes CPUID for leaf <paramref name="eax"/>, subleaf <paramref name="ecx"/>.</summary>
    public static void Query(uint eax, uint ecx, out uint a, out uint b, out uint c, out uint d)
    {
        a = b = c = d = 0;
        switch (eax)
        {
            case 0:
                a = 7;
                VendorRegs(out b, out d, out c);
                break;
            case 1:
                // Family 6, model 0x55-like signature; 1 logical processor; CLFLUSH line 64 bytes.
                a = 0x0005_0654;
                b = (8u << 8) | (1u << 16);
                c = Leaf1Ecx;
                d = Leaf1Edx;
                break;
            case 4:
                CacheLeaf(ecx, out a, out b, out c, out d);
                break;
            case 7:
                if (ecx == 0)
                {
                    b = Leaf7Ebx;
                    c = Leaf7Ecx;
                }

                break;
            case 0x8000_0000:
                a = 0x8000_0004;
                break;
            case 0x8000_0001:
                c = Ext1Ecx;
                d = Ext1Edx;
                break;
            case 0x8000_0002:
            case 0x8000_0003:
            case 0x8000_0004:
                BrandRegs((int)(eax - 0x8000_0002), out a, out b, out c, out d);
                break;
        }
    }

    private static void VendorRegs(out uint b, out uint d, out uint c)
    {
        byte[] v = Encoding.ASCII.GetBytes(Vendor);
        b = BitConverter.ToUInt32(v, 0);
        d = BitConverter.ToUInt32(v, 4);
        c = BitConverter.ToUInt32(v, 8);
    }

    private static void BrandRegs(int part, out uint a, out uint b, out uint c, out uint d)
    {
        byte[] s = new byte[48];
        Encoding.ASCII.GetBytes(Brand, 0, Math.Min(Brand.Length, 47), s, 0);
        int o = part * 16;
        a = BitConverter.ToUInt32(s, o);
        b = BitConverter.ToUInt32(s, o + 4);
        c = BitConverter.ToUInt32(s, o + 8);
        d = BitConverter.ToUInt32(s, o + 12);
    }

    /// <summary>Deterministic cache parameters (leaf 4): 32 KiB L1d, 32 KiB L1i, 1 MiB L2, 8 MiB L3, 64-byte lines.</summary>
    private static void CacheLeaf(uint index, out uint a, out uint b, out uint c, out uint d)
    {
        a = b = c = d = 0;
        (uint type, uint level, uint ways, uint sets) = index switch
        {
            0 => (1u, 1u, 8u, 64u),
            1 => (2u, 1u, 8u, 64u),
            2 => (3u, 2u, 16u, 1024u),
            3 => (3u, 3u, 16u, 8192u),
            _ => (0u, 0u, 0u, 0u),
        };
        if (type == 0)
        {
            return;
        }

        a = type | (level << 5) | (1u << 8);
        b = 63u | ((ways - 1) << 22);
        c = sets - 1;
    }
}
