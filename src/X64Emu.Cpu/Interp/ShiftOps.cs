using System.Runtime.CompilerServices;
using X64Emu.Cpu.Flags;

namespace X64Emu.Cpu.Interp;

/// <summary>A shift or rotate as a type, so the register forms are specialised per op and width.</summary>
public interface IShiftOp
{
    /// <summary>Shifts <paramref name="d"/> by <paramref name="count"/> and sets the flags as the SDM says.</summary>
    /// <remarks>Preconditions: <paramref name="count"/> is already masked (to 5 or 6 bits) and non-zero.</remarks>
    static abstract ulong Exec<W>(Cpu c, ulong d, int count) where W : struct, IWidth;
}

/// <summary>SHL/SAL: flags stay lazy (<see cref="FlagOp.Shl"/>).</summary>
public struct ShlOp : IShiftOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Exec<W>(Cpu c, ulong d, int count) where W : struct, IWidth
    {
        // count <= 63, so the C# shift does not wrap.
        ulong r = (d << count) & W.Mask;
        c.SetFlags(FlagOp.Shl | W.SizeIndex, d, (ulong)count, r);
        return r;
    }
}

/// <summary>SHR: flags stay lazy (<see cref="FlagOp.Shr"/>).</summary>
public struct ShrOp : IShiftOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Exec<W>(Cpu c, ulong d, int count) where W : struct, IWidth
    {
        ulong r = d >> count;
        c.SetFlags(FlagOp.Shr | W.SizeIndex, d, (ulong)count, r);
        return r;
    }
}

/// <summary>SAR: flags stay lazy (<see cref="FlagOp.Sar"/>).</summary>
public struct SarOp : IShiftOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Exec<W>(Cpu c, ulong d, int count) where W : struct, IWidth
    {
        // Counts up to 31 on 8/16-bit operands shift in copies of the sign bit only.
        int n = count >= W.Bits ? W.Bits - 1 : count;
        ulong r = (ulong)(W.Sx(d) >> n) & W.Mask;
        c.SetFlags(FlagOp.Sar | W.SizeIndex, d, (ulong)count, r);
        return r;
    }
}

/// <summary>ROL: CF and OF change, SF/ZF/AF/PF are kept, so the previous flags are materialised.</summary>
public struct RolOp : IShiftOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Exec<W>(Cpu c, ulong d, int count) where W : struct, IWidth
    {
        int n = count & (W.Bits - 1);
        ulong r = n == 0 ? d : ((d << n) | (d >> (W.Bits - n))) & W.Mask;
        ulong cf = r & 1;
        ulong f = (c.ArithFlagsExceptCarryOverflow) | cf;
        if (((r >> (W.Bits - 1)) & 1) != cf)
        {
            f |= RFlags.OF;
        }

        c.SetMaterialized(f);
        return r;
    }
}

/// <summary>ROR: CF and OF change, SF/ZF/AF/PF are kept, so the previous flags are materialised.</summary>
public struct RorOp : IShiftOp
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Exec<W>(Cpu c, ulong d, int count) where W : struct, IWidth
    {
        int n = count & (W.Bits - 1);
        ulong r = n == 0 ? d : ((d >> n) | (d << (W.Bits - n))) & W.Mask;
        ulong f = c.ArithFlagsExceptCarryOverflow;
        if ((r & W.SignBit) != 0)
        {
            f |= RFlags.CF;
        }

        if ((((r >> (W.Bits - 1)) ^ (r >> (W.Bits - 2))) & 1) != 0)
        {
            f |= RFlags.OF;
        }

        c.SetMaterialized(f);
        return r;
    }
}
