namespace X64Emu.Cpu.Flags;

/// <summary>
/// What produced the current arithmetic flags (lazy evaluation): kind &lt;&lt; 2 | size index
/// (0 = 8, 1 = 16, 2 = 32, 3 = 64 bits). Flags are computed from the saved operands only when read.
/// </summary>
public static class FlagOp
{
    /// <summary>The flags are materialised in <see cref="Cpu.FlagBits"/>.</summary>
    public const int Materialized = 0;

    /// <summary>dst + src = res.</summary>
    public const int Add = 1 << 2;

    /// <summary>dst - src = res exactly (SUB, CMP, NEG with dst = 0): conditions come straight from dst and src.</summary>
    public const int Sub = 2 << 2;

    /// <summary>AND/OR/XOR/TEST: CF = OF = AF = 0.</summary>
    public const int Logic = 3 << 2;

    /// <summary>INC: like Add with src = 1, CF kept in <see cref="Cpu.FlagBits"/>.</summary>
    public const int Inc = 4 << 2;

    /// <summary>DEC: like Sub with src = 1, CF kept in <see cref="Cpu.FlagBits"/>.</summary>
    public const int Dec = 5 << 2;

    /// <summary>SBB: dst - src - borrow = res.</summary>
    public const int Sbb = 6 << 2;

    /// <summary>ADC: dst + src + carry = res.</summary>
    public const int Adc = 7 << 2;

    /// <summary>SHL/SAL: dst &lt;&lt; src = res (src = the masked, non-zero count); CF is the last bit out, OF = MSB(res) ^ CF.</summary>
    public const int Shl = 8 << 2;

    /// <summary>SHR: dst &gt;&gt; src = res (src = the masked, non-zero count); OF = MSB(dst) for a count of 1.</summary>
    public const int Shr = 9 << 2;

    /// <summary>SAR: dst &gt;&gt; src (arithmetic) = res (src = the masked, non-zero count); OF = 0.</summary>
    public const int Sar = 10 << 2;

    /// <summary>IMUL (two and three operands): dst * src = res truncated, with dst and src sign-extended to 64 bits; CF = OF = the product did not fit.</summary>
    public const int Mul = 11 << 2;

    /// <summary>The first kind whose CF is computed from the operands by <see cref="Cpu.ArithFlags"/> rather than kept in <see cref="Cpu.FlagBits"/> (Inc, Dec).</summary>
    internal const int FirstComputedCarry = Shl;
}
