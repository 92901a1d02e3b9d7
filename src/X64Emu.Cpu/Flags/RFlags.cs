namespace X64Emu.Cpu.Flags;

/// <summary>RFLAGS bits (SDM Vol.1 §3.4.3).</summary>
public static class RFlags
{
    public const ulong CF = 1UL << 0;
    public const ulong Reserved1 = 1UL << 1;
    public const ulong PF = 1UL << 2;
    public const ulong AF = 1UL << 4;
    public const ulong ZF = 1UL << 6;
    public const ulong SF = 1UL << 7;
    public const ulong TF = 1UL << 8;
    public const ulong IF = 1UL << 9;
    public const ulong DF = 1UL << 10;
    public const ulong OF = 1UL << 11;
    public const ulong AC = 1UL << 18;
    public const ulong ID = 1UL << 21;

    /// <summary>The six arithmetic flags.</summary>
    public const ulong Arith = CF | PF | AF | ZF | SF | OF;

    /// <summary>Flags user code can change with POPF.</summary>
    public const ulong UserWritable = Arith | TF | DF | AC | ID;
}
