using System;
using System.Buffers.Binary;

namespace X64Emu.Cpu;

public sealed partial class Cpu
{
    /// <summary>x87 control word (FNINIT: 0x037F — all exceptions masked, 64-bit precision, round to nearest).</summary>
    public ushort FpuControl = 0x037F;

    /// <summary>x87 status word (TOP in bits 11..13).</summary>
    public ushort FpuStatus;

    /// <summary>x87 tag word, 2 bits per physical register (11 = empty).</summary>
    public ushort FpuTag = 0xFFFF;

    /// <summary>Resets the x87 control state to its power-up values (FNINIT).</summary>
    private void InitFpu()
    {
        FpuControl = 0x037F;
        FpuStatus = 0;
        FpuTag = 0xFFFF;
    }

    /// <summary>The x87 part of FXSAVE: FCW, FSW, abridged FTW, registers. TODO(#2): the register stack comes with the x87 family.</summary>
    private void SaveX87(Span<byte> dst)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(dst, FpuControl);
        BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(2), FpuStatus);
        byte abridged = 0;
        for (int i = 0; i < 8; i++)
        {
            if (((FpuTag >> (2 * i)) & 3) != 3)
            {
                abridged |= (byte)(1 << i);
            }
        }

        dst[4] = abridged;
    }

    private void RestoreX87(ReadOnlySpan<byte> src)
    {
        FpuControl = BinaryPrimitives.ReadUInt16LittleEndian(src);
        FpuStatus = BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(2));
        byte abridged = src[4];
        ushort tag = 0;
        for (int i = 0; i < 8; i++)
        {
            tag |= (ushort)(((abridged >> i) & 1) != 0 ? 0 : 3 << (2 * i));
        }

        FpuTag = tag;
    }
}
