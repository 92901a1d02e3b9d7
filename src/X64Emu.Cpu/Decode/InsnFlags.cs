namespace X64Emu.Cpu.Decode;

/// <summary>Bits of <see cref="Insn.Flags"/>.</summary>
public static class InsnFlags
{
    /// <summary>Address-size override (67h): the effective address is truncated to 32 bits.</summary>
    public const byte Addr32 = 1;

    /// <summary>LOCK prefix.</summary>
    public const byte Lock = 2;

    /// <summary>REP/REPE prefix.</summary>
    public const byte Rep = 4;

    /// <summary>REPNE prefix.</summary>
    public const byte Repne = 8;

    /// <summary>The operand is memory (for handlers shared between register and memory forms).</summary>
    public const byte Mem = 16;

    /// <summary>The instruction could not be translated: its handler raises #UD (the compiled tier leaves it to the handler).</summary>
    public const byte Untranslated = 128;

    /// <summary>
    /// The handler also executes the next instruction of the block (CMP/TEST + Jcc, see
    /// <see cref="Translator.Fuse"/>); <see cref="Insn.Plain"/> then holds the handler for this
    /// instruction alone, and the next Insn is still present with its own handler.
    /// </summary>
    public const byte Fused = 32;
}
