using System.Runtime.CompilerServices;
using X64Emu.Memory;

namespace X64Emu.Cpu;

/// <summary>
/// Operand width as a type, so one generic handler is specialised by the JIT for 8, 16, 32 and 64
/// bits (static abstract members: no virtual call, no branch on the size at run time).
/// </summary>
public interface IWidth
{
    /// <summary>Index 0..3 for 8, 16, 32, 64 bits (the low bits of a lazy-flags op).</summary>
    static abstract int SizeIndex { get; }

    static abstract int Bits { get; }

    static abstract ulong Mask { get; }

    static abstract ulong SignBit { get; }

    /// <summary>Reads a register operand (zero-extended).</summary>
    static abstract ulong Get(Cpu c, int off);

    /// <summary>Writes a register operand with x86's rules: 32-bit writes zero the upper half, 8/16-bit writes merge.</summary>
    static abstract void Set(Cpu c, int off, ulong v);

    static abstract bool Load(Mmu m, ulong va, out ulong v);

    static abstract bool Store(Mmu m, ulong va, ulong v);

    /// <summary>Sign-extends a value of this width to 64 bits.</summary>
    static abstract long Sx(ulong v);
}

/// <summary>Register-file addressing shared by the widths.</summary>
internal static unsafe class GprRef
{
    /// <summary>
    /// The GPR byte at offset <paramref name="off"/> (as <see cref="Cpu.RegByte"/>). The offset is
    /// zero-extended, which the JIT gets for free from the byte it was loaded from (no MOVSXD).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref byte At(Cpu c, int off) => ref Unsafe.AddByteOffset(ref Unsafe.As<ulong, byte>(ref c.R.Gpr[0]), (nuint)(uint)off);
}

public struct W8 : IWidth
{
    public static int SizeIndex => 0;
    public static int Bits => 8;
    public static ulong Mask => 0xFF;
    public static ulong SignBit => 0x80;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Get(Cpu c, int off) => GprRef.At(c, off);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(Cpu c, int off, ulong v) => GprRef.At(c, off) = (byte)v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Load(Mmu m, ulong va, out ulong v)
    {
        bool ok = m.TryRead8(va, out byte b);
        v = b;
        return ok;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Store(Mmu m, ulong va, ulong v) => m.TryWrite8(va, (byte)v);

    public static long Sx(ulong v) => (sbyte)v;
}

public struct W16 : IWidth
{
    public static int SizeIndex => 1;
    public static int Bits => 16;
    public static ulong Mask => 0xFFFF;
    public static ulong SignBit => 0x8000;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Get(Cpu c, int off) => Unsafe.As<byte, ushort>(ref GprRef.At(c, off));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(Cpu c, int off, ulong v) => Unsafe.As<byte, ushort>(ref GprRef.At(c, off)) = (ushort)v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Load(Mmu m, ulong va, out ulong v)
    {
        bool ok = m.TryRead16(va, out ushort x);
        v = x;
        return ok;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Store(Mmu m, ulong va, ulong v) => m.TryWrite16(va, (ushort)v);

    public static long Sx(ulong v) => (short)v;
}

public struct W32 : IWidth
{
    public static int SizeIndex => 2;
    public static int Bits => 32;
    public static ulong Mask => 0xFFFF_FFFF;
    public static ulong SignBit => 0x8000_0000;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Get(Cpu c, int off) => Unsafe.As<byte, uint>(ref GprRef.At(c, off));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(Cpu c, int off, ulong v) => Unsafe.As<byte, ulong>(ref GprRef.At(c, off)) = (uint)v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Load(Mmu m, ulong va, out ulong v)
    {
        bool ok = m.TryRead32(va, out uint x);
        v = x;
        return ok;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Store(Mmu m, ulong va, ulong v) => m.TryWrite32(va, (uint)v);

    public static long Sx(ulong v) => (int)v;
}

public struct W64 : IWidth
{
    public static int SizeIndex => 3;
    public static int Bits => 64;
    public static ulong Mask => ulong.MaxValue;
    public static ulong SignBit => 0x8000_0000_0000_0000;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Get(Cpu c, int off) => Unsafe.As<byte, ulong>(ref GprRef.At(c, off));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(Cpu c, int off, ulong v) => Unsafe.As<byte, ulong>(ref GprRef.At(c, off)) = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Load(Mmu m, ulong va, out ulong v) => m.TryRead64(va, out v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Store(Mmu m, ulong va, ulong v) => m.TryWrite64(va, v);

    public static long Sx(ulong v) => (long)v;
}
