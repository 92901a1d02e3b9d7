namespace X64Emu.Cpu;

/// <summary>
/// Slots of <see cref="RegisterFile.Gpr"/>. 0..15 are RAX..R15 in encoding order; the rest let an
/// effective address be computed without branches: a missing base/index reads <see cref="Zero"/>,
/// and the segment term reads <see cref="FsBase"/>, <see cref="GsBase"/> or <see cref="Zero"/>.
/// </summary>
public static class Reg
{
    public const int Rax = 0;
    public const int Rcx = 1;
    public const int Rdx = 2;
    public const int Rbx = 3;
    public const int Rsp = 4;
    public const int Rbp = 5;
    public const int Rsi = 6;
    public const int Rdi = 7;
    public const int R8 = 8;
    public const int R9 = 9;
    public const int R10 = 10;
    public const int R11 = 11;
    public const int R12 = 12;
    public const int R13 = 13;
    public const int R14 = 14;
    public const int R15 = 15;

    /// <summary>Always zero (never written).</summary>
    public const int Zero = 16;

    public const int FsBase = 17;
    public const int GsBase = 18;

    /// <summary>Scratch slot for handlers that need a temporary register operand.</summary>
    public const int Temp = 19;

    public const int Count = 20;

    /// <summary>Byte offset of a 64-bit slot (operands are stored as byte offsets; AH..BH are slot*8 + 1).</summary>
    public static byte Off(int slot) => (byte)(slot * 8);
}
