using System.Runtime.CompilerServices;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Flags;
using X64Emu.Memory;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    // Shift/rotate op numbers in Insn.Aux: 0 ROL, 1 ROR, 2 RCL, 3 RCR, 4 SHL, 5 SHR, 7 SAR (the ModRM.reg encoding).
    // Count source in Insn.Cc: 0 = immediate (Imm), 1 = CL.

    public static int ShiftR<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        int count = (int)((i.Cc == 0 ? i.Imm : c.Gpr(Reg.Rcx)) & (W.Bits == 64 ? 63UL : 31UL));
        ulong d = W.Get(c, i.Reg);
        W.Set(c, i.Reg, count == 0 ? d : Shift<W>(c, i.Aux, d, count));
        return 0;
    }

    /// <summary>A shift or rotate of a register by an immediate whose masked count is non-zero (checked at decode time).</summary>
    public static int ShiftRI<TOp, W>(Cpu c, ref Insn i) where TOp : struct, IShiftOp where W : struct, IWidth
    {
        int count = (int)i.Imm & (W.Bits == 64 ? 63 : 31);
        W.Set(c, i.Reg, TOp.Exec<W>(c, W.Get(c, i.Reg), count));
        return 0;
    }

    /// <summary>A shift or rotate of a register by CL.</summary>
    public static int ShiftRC<TOp, W>(Cpu c, ref Insn i) where TOp : struct, IShiftOp where W : struct, IWidth
    {
        int count = (int)c.Gpr(Reg.Rcx) & (W.Bits == 64 ? 63 : 31);
        ulong d = W.Get(c, i.Reg);

        // A zero count changes no flags, but a 32-bit destination is still written (zero-extended).
        W.Set(c, i.Reg, count == 0 ? d : TOp.Exec<W>(c, d, count));
        return 0;
    }

    public static int ShiftM<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        int count = (int)((i.Cc == 0 ? i.Imm : c.Gpr(Reg.Rcx)) & (W.Bits == 64 ? 63UL : 31UL));
        ulong ea = c.Ea(ref i);
        if (!W.Load(c.Mmu, ea, out ulong d))
        {
            return c.Fault(ref i);
        }

        if (count == 0)
        {
            // Still a write access (a read-only page faults), but no flags change.
            return W.Store(c.Mmu, ea, d) ? 0 : c.Fault(ref i);
        }

        FlagState saved = c.SaveFlags();
        ulong r = Shift<W>(c, i.Aux, d, count);
        if (!W.Store(c.Mmu, ea, r))
        {
            c.RestoreFlags(saved);
            return c.Fault(ref i);
        }

        return 0;
    }

    /// <summary>Computes a shift or rotate by a non-zero masked count and sets the flags as the SDM says.</summary>
    internal static ulong Shift<W>(Cpu c, int op, ulong d, int count) where W : struct, IWidth
    {
        int bits = W.Bits;
        ulong mask = W.Mask;
        ulong r;
        ulong f;
        switch (op)
        {
            case 4: // SHL
            case 6: // SAL (undocumented alias)
                return ShlOp.Exec<W>(c, d, count);
            case 5: // SHR
                return ShrOp.Exec<W>(c, d, count);
            case 7: // SAR
                return SarOp.Exec<W>(c, d, count);
            case 0: // ROL
                return RolOp.Exec<W>(c, d, count);
            case 1: // ROR
                return RorOp.Exec<W>(c, d, count);
            case 2: // RCL: rotate the (bits+1)-bit value CF:d left
            {
                int n = bits < 32 ? count % (bits + 1) : count;
                ulong flagsNow = c.ArithFlags;
                ulong carry = flagsNow & RFlags.CF;
                r = d;
                for (int k = 0; k < n; k++)
                {
                    ulong top = (r >> (bits - 1)) & 1;
                    r = ((r << 1) | carry) & mask;
                    carry = top;
                }

                f = flagsNow & ~(RFlags.CF | RFlags.OF);
                f |= carry;
                if ((((r >> (bits - 1)) & 1) ^ carry) != 0)
                {
                    f |= RFlags.OF;
                }

                c.SetMaterialized(f);
                return r;
            }

            default: // 3: RCR
            {
                int n = bits < 32 ? count % (bits + 1) : count;
                ulong flagsNow = c.ArithFlags;
                ulong carry = flagsNow & RFlags.CF;
                f = flagsNow & ~(RFlags.CF | RFlags.OF);
                if ((((d >> (bits - 1)) & 1) ^ carry) != 0)
                {
                    f |= RFlags.OF;
                }

                r = d;
                for (int k = 0; k < n; k++)
                {
                    ulong low = r & 1;
                    r = (r >> 1) | (carry << (bits - 1));
                    carry = low;
                }

                f |= carry;
                c.SetMaterialized(f);
                return r & mask;
            }
        }
    }

    /// <summary>ZF, SF and PF of a result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong ResultFlags<W>(ulong r) where W : struct, IWidth
    {
        r &= W.Mask;
        ulong f = Cpu.Parity(r);
        if (r == 0)
        {
            f |= RFlags.ZF;
        }

        if ((r & W.SignBit) != 0)
        {
            f |= RFlags.SF;
        }

        return f;
    }

    /// <summary>SHLD/SHRD: Aux 0 = SHLD, 1 = SHRD; Rm is the source register; count as for shifts.</summary>
    public static int ShldR<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        int count = (int)((i.Cc == 0 ? i.Imm : c.Gpr(Reg.Rcx)) & (W.Bits == 64 ? 63UL : 31UL));
        if (count != 0)
        {
            W.Set(c, i.Reg, DoubleShift<W>(c, i.Aux, W.Get(c, i.Reg), W.Get(c, i.Rm), count));
        }
        else if (W.Bits == 32)
        {
            W.Set(c, i.Reg, W.Get(c, i.Reg));
        }

        return 0;
    }

    public static int ShldM<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        int count = (int)((i.Cc == 0 ? i.Imm : c.Gpr(Reg.Rcx)) & (W.Bits == 64 ? 63UL : 31UL));
        ulong ea = c.Ea(ref i);
        if (!W.Load(c.Mmu, ea, out ulong d))
        {
            return c.Fault(ref i);
        }

        if (count == 0)
        {
            return W.Store(c.Mmu, ea, d) ? 0 : c.Fault(ref i);
        }

        FlagState saved = c.SaveFlags();
        ulong r = DoubleShift<W>(c, i.Aux, d, W.Get(c, i.Rm), count);
        if (!W.Store(c.Mmu, ea, r))
        {
            c.RestoreFlags(saved);
            return c.Fault(ref i);
        }

        return 0;
    }

    private static ulong DoubleShift<W>(Cpu c, int op, ulong d, ulong s, int count) where W : struct, IWidth
    {
        int bits = W.Bits;
        ulong mask = W.Mask;
        ulong r;
        ulong cf;
        if (op == 0)
        {
            // SHLD: (d:s) << count, keep the high half. A count equal to the width (16-bit only) is
            // still defined: the result is s and CF is d's bit 0. Counts above 16 on 16-bit operands:
            // undefined; rotate through s as Intel does.
            if (count <= bits)
            {
                r = ((d << count) | (s >> (bits - count))) & mask;
                cf = (d >> (bits - count)) & 1;
            }
            else
            {
                int k = count - bits;
                r = ((s << k) | (d >> (bits - k))) & mask;
                cf = (s >> (bits - k)) & 1;
            }
        }
        else
        {
            if (count <= bits) // count == bits (16-bit only): the result is s and CF is d's top bit
            {
                r = ((d >> count) | (s << (bits - count))) & mask;
                cf = (d >> (count - 1)) & 1;
            }
            else
            {
                int k = count - bits;
                r = ((s >> k) | (d << (bits - k))) & mask;
                cf = (s >> (k == 0 ? 0 : k - 1)) & 1;
            }
        }

        ulong f = ResultFlags<W>(r) | (cf != 0 ? RFlags.CF : 0);
        if (((d ^ r) & W.SignBit) != 0)
        {
            f |= RFlags.OF;
        }

        c.SetMaterialized(f);
        return r;
    }
}
