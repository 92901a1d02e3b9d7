using System;
using System.Buffers.Binary;

namespace X64Emu.Cpu;

public sealed unsafe partial class Cpu
{
    /// <summary>Size of the legacy FXSAVE area.</summary>
    public const int FxStateSize = 512;

    /// <summary>
    /// Writes the x87 and SSE state in the 512-byte FXSAVE layout (SDM Vol.1 §10.5.1): what signal
    /// frames carry as fpstate and what FXSAVE stores.
    /// </summary>
    public void SaveFxState(Span<byte> dst)
    {
        dst.Slice(0, FxStateSize).Clear();
        SaveX87(dst);
        BinaryPrimitives.WriteUInt32LittleEndian(dst.Slice(24), Mxcsr);
        BinaryPrimitives.WriteUInt32LittleEndian(dst.Slice(28), MxcsrMask);
        for (int i = 0; i < 32; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(dst.Slice(160 + (i * 8)), R.Xmm[i]);
        }
    }

    /// <summary>Loads state saved by <see cref="SaveFxState"/>; false (nothing changed) when MXCSR has reserved bits set (#GP).</summary>
    public bool RestoreFxState(ReadOnlySpan<byte> src)
    {
        uint mxcsr = BinaryPrimitives.ReadUInt32LittleEndian(src.Slice(24));
        if ((mxcsr & ~MxcsrMask) != 0)
        {
            return false;
        }

        Mxcsr = mxcsr;
        for (int i = 0; i < 32; i++)
        {
            R.Xmm[i] = BinaryPrimitives.ReadUInt64LittleEndian(src.Slice(160 + (i * 8)));
        }

        RestoreX87(src);
        return true;
    }

    /// <summary>MXCSR bits that may be set (DAZ included), as FXSAVE reports in MXCSR_MASK.</summary>
    public const uint MxcsrMask = 0xFFFF;
}
