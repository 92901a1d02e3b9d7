using System.Numerics;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Flags;
using X64Emu.Memory;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    // BT family: Aux 0 BT, 1 BTS, 2 BTR, 3 BTC. Cc 0: bit offset in Imm; 1: bit offset in register Rm.

    public static int BtR<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong offset = i.Cc == 0 ? i.Imm : W.Get(c, i.Rm);
        int bit = (int)(offset & (ulong)(W.Bits - 1));
        ulong d = W.Get(c, i.Reg);
        ulong r = BitOp(c, i.Aux, d, bit);
        if (i.Aux != 0)
        {
            W.Set(c, i.Reg, r);
        }

        return 0;
    }

    public static int BtM<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong ea = c.Ea(ref i);
        int bit;
        if (i.Cc == 0)
        {
            bit = (int)(i.Imm & (ulong)(W.Bits - 1));
        }
        else
        {
            // A register offset addresses a bit string: signed, any distance from the operand.
            long offset = W.Sx(W.Get(c, i.Rm));
            int shift = BitOperations.Log2((uint)W.Bits);
            ea += (ulong)((offset >> shift) * (W.Bits / 8));
            bit = (int)(offset & (W.Bits - 1));
        }

        if (!W.Load(c.Mmu, ea, out ulong d))
        {
            return c.Fault(ref i);
        }

        if (i.Aux == 0)
        {
            BitOp(c, 0, d, bit);
            return 0;
        }

        int size = W.Bits >> 3;
        if ((i.Flags & InsnFlags.Lock) != 0 && !Mmu.Crosses(ea, size))
        {
            byte* p = c.Mmu.TryTranslate(ea, size, Access.Write);
            if (p == null)
            {
                return c.Fault(ref i);
            }

            while (true)
            {
                d = ReadHost<W>(p);
                ulong r = BitOp(c, i.Aux, d, bit);
                if (CompareExchangeHost<W>(p, r, d))
                {
                    return 0;
                }
            }
        }

        FlagState saved = c.SaveFlags();
        ulong result = BitOp(c, i.Aux, d, bit);
        if (!W.Store(c.Mmu, ea, result))
        {
            c.RestoreFlags(saved);
            return c.Fault(ref i);
        }

        return 0;
    }

    private static ulong BitOp(Cpu c, int op, ulong d, int bit)
    {
        ulong m = 1UL << bit;
        ulong f = c.ArithFlags & ~RFlags.CF;
        if ((d & m) != 0)
        {
            f |= RFlags.CF;
        }

        c.SetMaterialized(f);
        return op switch
        {
            1 => d | m,
            2 => d & ~m,
            3 => d ^ m,
            _ => d,
        };
    }

    // Bit scans: Aux 0 BSF, 1 BSR, 2 TZCNT, 3 LZCNT, 4 POPCNT.

    public static int BitScan<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        if (!Source<W>(c, ref i, out ulong s))
        {
            return c.Fault(ref i);
        }

        s &= W.Mask;
        ulong f = c.ArithFlags;
        switch (i.Aux)
        {
            case 0:
            case 1:
                if (s == 0)
                {
                    // Source zero: ZF set, destination unchanged (what Intel and AMD do).
                    c.SetMaterialized((f & ~RFlags.ZF) | RFlags.ZF);
                    if (W.Bits == 32)
                    {
                        W.Set(c, i.Reg, W.Get(c, i.Reg));
                    }

                    return 0;
                }

                W.Set(c, i.Reg, i.Aux == 0 ? (ulong)BitOperations.TrailingZeroCount(s) : (ulong)BitOperations.Log2(s));
                c.SetMaterialized(f & ~RFlags.ZF);
                return 0;
            case 2:
            {
                ulong r = s == 0 ? (ulong)W.Bits : (ulong)BitOperations.TrailingZeroCount(s);
                W.Set(c, i.Reg, r);
                c.SetMaterialized((f & ~(RFlags.CF | RFlags.ZF)) | (s == 0 ? RFlags.CF : 0) | (r == 0 ? RFlags.ZF : 0));
                return 0;
            }

            case 3:
            {
                ulong r = (ulong)(BitOperations.LeadingZeroCount(s) - (64 - W.Bits));
                W.Set(c, i.Reg, r);
                c.SetMaterialized((f & ~(RFlags.CF | RFlags.ZF)) | (s == 0 ? RFlags.CF : 0) | (r == 0 ? RFlags.ZF : 0));
                return 0;
            }

            default:
            {
                ulong r = (ulong)BitOperations.PopCount(s);
                W.Set(c, i.Reg, r);
                c.SetMaterialized(s == 0 ? RFlags.ZF : 0);
                return 0;
            }
        }
    }

    public static int Bswap<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong v = W.Get(c, i.Reg);
        W.Set(c, i.Reg, W.Bits == 64 ? BinaryPrimitivesReverse(v) : (ulong)System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)v));
        return 0;
    }

    private static ulong BinaryPrimitivesReverse(ulong v) => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(v);
}
