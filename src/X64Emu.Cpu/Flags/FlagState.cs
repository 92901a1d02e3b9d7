namespace X64Emu.Cpu.Flags;

/// <summary>A saved copy of the lazy flags (see <see cref="Cpu.SaveFlags"/>).</summary>
public readonly record struct FlagState(int Op, ulong Dst, ulong Src, ulong Res, ulong Bits);
