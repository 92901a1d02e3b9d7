namespace X64Emu.Cpu.X87;

/// <summary>
/// The rounding context of one x87 operation: rounding and precision control from the control word,
/// and the exception flags / C1 it raises (FSW bit values).
/// </summary>
public struct FpEnv
{
    public const ushort IE = 0x01;
    public const ushort DE = 0x02;
    public const ushort ZE = 0x04;
    public const ushort OE = 0x08;
    public const ushort UE = 0x10;
    public const ushort PE = 0x20;
    public const ushort SF = 0x40;
    public const ushort C1 = 0x200;

    /// <summary>Rounding control: 0 nearest-even, 1 down (toward -inf), 2 up (toward +inf), 3 toward zero.</summary>
    public int Rc;

    /// <summary>Significand precision for arithmetic results: 24, 53 or 64 bits.</summary>
    public int Precision;

    /// <summary>Exception flags raised (IE..PE) plus C1 when the last rounding went up in magnitude.</summary>
    public ushort Flags;

    public FpEnv(ushort controlWord)
    {
        Rc = (controlWord >> 10) & 3;
        Precision = ((controlWord >> 8) & 3) switch
        {
            0 => 24,
            2 => 53,
            _ => 64,
        };
        Flags = 0;
    }

    public static FpEnv Exact64(int rc) => new() { Rc = rc, Precision = 64 };
}
