using System;
using System.Buffers.Binary;
using X64Emu.Cpu.X87;

namespace X64Emu.Cpu;

public sealed partial class Cpu
{
    // FSW bits (SDM Vol.1 §8.1.3).
    public const ushort FswC0 = 0x100;
    public const ushort FswC1 = 0x200;
    public const ushort FswC2 = 0x400;
    public const ushort FswC3 = 0x4000;
    public const ushort FswEs = 0x80;
    public const ushort FswB = 0x8000;
    public const ushort FswSf = 0x40;
    private const ushort FswTopMask = 0x3800;

    /// <summary>The eight physical x87 registers R0..R7 (ST(i) is R[(TOP + i) &amp; 7]).</summary>
    public readonly F80[] Fpr = new F80[8];

    /// <summary>x87 control word (FNINIT: 0x037F — all exceptions masked, 64-bit precision, round to nearest).</summary>
    public ushort FpuControl = 0x037F;

    /// <summary>x87 status word, TOP included in bits 11..13.</summary>
    public ushort FpuStatus;

    /// <summary>Bit r set when physical register r is empty (the tag 11).</summary>
    public byte FpuEmpty = 0xFF;

    /// <summary>Last x87 opcode and instruction/data pointers (FNSTENV, FXSAVE).</summary>
    public ushort FpuOpcode;
    public ulong FpuIp;
    public ulong FpuDp;

    private void InitFpu()
    {
        FpuControl = 0x037F;
        FpuStatus = 0;
        FpuEmpty = 0xFF;
        FpuOpcode = 0;
        FpuIp = 0;
        FpuDp = 0;
    }

    /// <summary>FNINIT.</summary>
    public void ResetFpu() => InitFpu();

    public int FpuTop
    {
        get => (FpuStatus >> 11) & 7;
        set => FpuStatus = (ushort)((FpuStatus & ~FswTopMask) | ((value & 7) << 11));
    }

    public int PhysOf(int sti) => (FpuTop + sti) & 7;

    public bool StEmpty(int sti) => (FpuEmpty & (1 << PhysOf(sti))) != 0;

    public ref F80 St(int sti) => ref Fpr[PhysOf(sti)];

    public void SetSt(int sti, F80 v)
    {
        int p = PhysOf(sti);
        Fpr[p] = v;
        FpuEmpty &= (byte)~(1 << p);
    }

    public FpEnv FpuEnv() => new(FpuControl);

    /// <summary>
    /// Merges an operation's exception flags and C1 into the status word; an unmasked exception sets
    /// ES and B (the #MF is raised at the next waiting x87 instruction).
    /// </summary>
    public void CommitFpu(in FpEnv env)
    {
        ushort f = (ushort)(env.Flags & 0x3F);
        FpuStatus = (ushort)((FpuStatus & ~FswC1) | (env.Flags & FpEnv.C1) | f);
        if ((f & ~FpuControl & 0x3F) != 0)
        {
            FpuStatus |= FswEs | FswB;
        }
    }

    /// <summary>Stack underflow (reading an empty register): IE + SF, C1 = 0.</summary>
    public void FpuUnderflow()
    {
        FpEnv e = new() { Flags = FpEnv.IE };
        CommitFpu(e);
        FpuStatus = (ushort)((FpuStatus | FswSf) & ~FswC1);
    }

    /// <summary>Pushes a value; on overflow (the new top is not empty) IE + SF + C1 and the indefinite is pushed.</summary>
    public void FpuPush(F80 v)
    {
        int top = (FpuTop - 1) & 7;
        FpuTop = top;
        if ((FpuEmpty & (1 << top)) == 0)
        {
            FpEnv e = new() { Flags = FpEnv.IE };
            CommitFpu(e);
            FpuStatus |= FswSf | FswC1;
            if ((FpuControl & 1) == 0)
            {
                return; // unmasked: the stack is left as it was
            }

            v = F80.Indefinite;
        }

        Fpr[top] = v;
        FpuEmpty &= (byte)~(1 << top);
    }

    public void FpuPop()
    {
        FpuEmpty |= (byte)(1 << FpuTop);
        FpuTop = FpuTop + 1;
    }

    /// <summary>The 2-bit tag of a physical register: 00 valid, 01 zero, 10 special, 11 empty.</summary>
    public int TagOf(int phys)
    {
        if ((FpuEmpty & (1 << phys)) != 0)
        {
            return 3;
        }

        F80 v = Fpr[phys];
        if (v.IsZero)
        {
            return 1;
        }

        return v.Exp == F80.MaxExp || v.Exp == 0 || (v.Mant & F80.IntegerBit) == 0 ? 2 : 0;
    }

    public ushort FullTagWord()
    {
        int t = 0;
        for (int r = 0; r < 8; r++)
        {
            t |= TagOf(r) << (2 * r);
        }

        return (ushort)t;
    }

    public void SetFullTagWord(ushort tag)
    {
        byte empty = 0;
        for (int r = 0; r < 8; r++)
        {
            if (((tag >> (2 * r)) & 3) == 3)
            {
                empty |= (byte)(1 << r);
            }
        }

        FpuEmpty = empty;
    }

    /// <summary>The x87 part of FXSAVE: FCW, FSW, abridged FTW, FOP, FIP, FDP, ST0..ST7.</summary>
    private void SaveX87(Span<byte> dst)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(dst, FpuControl);
        BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(2), FpuStatus);
        dst[4] = (byte)~FpuEmpty;
        BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(6), FpuOpcode);
        BinaryPrimitives.WriteUInt64LittleEndian(dst.Slice(8), FpuIp);
        BinaryPrimitives.WriteUInt64LittleEndian(dst.Slice(16), FpuDp);
        for (int i = 0; i < 8; i++)
        {
            F80 v = Fpr[PhysOf(i)];
            BinaryPrimitives.WriteUInt64LittleEndian(dst.Slice(32 + (16 * i)), v.Mant);
            BinaryPrimitives.WriteUInt16LittleEndian(dst.Slice(40 + (16 * i)), v.SignExp);
        }
    }

    private void RestoreX87(ReadOnlySpan<byte> src)
    {
        FpuControl = BinaryPrimitives.ReadUInt16LittleEndian(src);
        FpuStatus = BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(2));
        FpuEmpty = (byte)~src[4];
        FpuOpcode = BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(6));
        FpuIp = BinaryPrimitives.ReadUInt64LittleEndian(src.Slice(8));
        FpuDp = BinaryPrimitives.ReadUInt64LittleEndian(src.Slice(16));
        for (int i = 0; i < 8; i++)
        {
            Fpr[PhysOf(i)] = new F80(BinaryPrimitives.ReadUInt64LittleEndian(src.Slice(32 + (16 * i))), BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(40 + (16 * i))));
        }
    }
}
