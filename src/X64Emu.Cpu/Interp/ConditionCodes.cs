using System.Runtime.CompilerServices;

namespace X64Emu.Cpu.Interp;

/// <summary>
/// A condition code (the low nibble of Jcc/SETcc/CMOVcc) as a type, so a handler chosen at decode
/// time evaluates its condition with the switch folded away (<see cref="Cpu.Cond{TCc}"/>).
/// </summary>
public interface ICondCode
{
    /// <summary>The condition code 0..15.</summary>
    static abstract int Code { get; }
}

/// <summary>cc 0: overflow.</summary>
public struct CcO : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 0;
    }
}

/// <summary>cc 1: no overflow.</summary>
public struct CcNo : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 1;
    }
}

/// <summary>cc 2: below (CF).</summary>
public struct CcB : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 2;
    }
}

/// <summary>cc 3: above or equal (!CF).</summary>
public struct CcAe : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 3;
    }
}

/// <summary>cc 4: equal (ZF).</summary>
public struct CcE : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 4;
    }
}

/// <summary>cc 5: not equal (!ZF).</summary>
public struct CcNe : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 5;
    }
}

/// <summary>cc 6: below or equal (CF | ZF).</summary>
public struct CcBe : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 6;
    }
}

/// <summary>cc 7: above (!CF &amp; !ZF).</summary>
public struct CcA : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 7;
    }
}

/// <summary>cc 8: sign (SF).</summary>
public struct CcS : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 8;
    }
}

/// <summary>cc 9: no sign (!SF).</summary>
public struct CcNs : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 9;
    }
}

/// <summary>cc 10: parity (PF).</summary>
public struct CcP : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 10;
    }
}

/// <summary>cc 11: no parity (!PF).</summary>
public struct CcNp : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 11;
    }
}

/// <summary>cc 12: less (SF != OF).</summary>
public struct CcL : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 12;
    }
}

/// <summary>cc 13: greater or equal (SF == OF).</summary>
public struct CcGe : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 13;
    }
}

/// <summary>cc 14: less or equal (ZF | SF != OF).</summary>
public struct CcLe : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 14;
    }
}

/// <summary>cc 15: greater (!ZF &amp; SF == OF).</summary>
public struct CcG : ICondCode
{
    public static int Code
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 15;
    }
}
