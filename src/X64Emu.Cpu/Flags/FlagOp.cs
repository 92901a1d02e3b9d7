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
}
