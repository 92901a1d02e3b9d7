using System.Runtime.Intrinsics;

namespace X64Emu.Cpu.Interp;

/// <summary>A two-operand SSE operation: dst = Exec(dst, src, imm8).</summary>
public interface ISseOp
{
    /// <summary>Size of a memory source: 16 (m128, 16-byte alignment required), 8 or 4 (scalar).</summary>
    static abstract int MemSize { get; }

    /// <summary>Floating point: the result may raise MXCSR exceptions.</summary>
    static abstract bool Fp { get; }

    static abstract Vector128<byte> Exec(Vector128<byte> a, Vector128<byte> b, byte imm);
}
