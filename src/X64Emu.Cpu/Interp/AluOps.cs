using System.Runtime.CompilerServices;
using X64Emu.Cpu.Flags;

namespace X64Emu.Cpu.Interp;

/// <summary>A two-operand ALU operation as a type, so handlers are specialised per op and width.</summary>
public interface IAluOp
{
    /// <summary>False for CMP and TEST, which only set flags.</summary>
    static abstract bool Writes { get; }

    /// <summary>Computes the result and sets the lazy flags.</summary>
    static abstract ulong Exec<W>(Cpu c, ulong dst, ulong src) where W : struct, IWidth;
}

public struct AddOp : IAluOp
{
    public static bool Writes => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Exec<W>(Cpu c, ulong dst, ulong src) where W : struct, IWidth
    {
        ulong r = (dst + src) & W.Mask;
        c.SetFlags(FlagOp.Add | W.SizeIndex, dst, src, r);
        return r;
    }
}

public struct OrOp : IAluOp
{
    public static bool Writes => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Exec<W>(Cpu c, ulong dst, ulong src) where W : struct, IWidth
    {
        ulong r = dst | src;
        c.SetLogicFlags(W.SizeIndex, r);
        return r;
    }
}

public struct AdcOp : IAluOp
{
    public static bool Writes => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Exec<W>(Cpu c, ulong dst, ulong src) where W : struct, IWidth
    {
        ulong r = (dst + src + c.Carry) & W.Mask;
        c.SetFlags(FlagOp.Adc | W.SizeIndex, dst, src, r);
        return r;
    }
}

public struct SbbOp : IAluOp
{
    public static bool Writes => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Exec<W>(Cpu c, ulong dst, ulong src) where W : struct, IWidth
    {
        ulong r = (dst - src - c.Carry) & W.Mask;
        c.SetFlags(FlagOp.Sbb | W.SizeIndex, dst, src, r);
        return r;
    }
}

public struct AndOp : IAluOp
{
    public static bool Writes => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Exec<W>(Cpu c, ulong dst, ulong src) where W : struct, IWidth
    {
        ulong r = dst & src;
        c.SetLogicFlags(W.SizeIndex, r);
        return r;
    }
}

public struct SubOp : IAluOp
{
    public static bool Writes => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Exec<W>(Cpu c, ulong dst, ulong src) where W : struct, IWidth
    {
        ulong r = (dst - src) & W.Mask;
        c.SetFlags(FlagOp.Sub | W.SizeIndex, dst, src, r);
        return r;
    }
}

public struct XorOp : IAluOp
{
    public static bool Writes => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Exec<W>(Cpu c, ulong dst, ulong src) where W : struct, IWidth
    {
        ulong r = dst ^ src;
        c.SetLogicFlags(W.SizeIndex, r);
        return r;
    }
}

public struct CmpOp : IAluOp
{
    public static bool Writes => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Exec<W>(Cpu c, ulong dst, ulong src) where W : struct, IWidth
    {
        ulong r = (dst - src) & W.Mask;
        c.SetFlags(FlagOp.Sub | W.SizeIndex, dst, src, r);
        return r;
    }
}

public struct TestOp : IAluOp
{
    public static bool Writes => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Exec<W>(Cpu c, ulong dst, ulong src) where W : struct, IWidth
    {
        ulong r = dst & src;
        c.SetLogicFlags(W.SizeIndex, r);
        return r;
    }
}
