using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using X64Emu.Cpu.Flags;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu;

public sealed partial class Cpu
{
    /// <summary>Lazy-flags op (<see cref="FlagOp"/>): kind and size of the last flag-setting instruction.</summary>
    public int FlagOpKind;

    public ulong FlagDst;
    public ulong FlagSrc;
    public ulong FlagRes;

    /// <summary>Materialised OSZAPC bits (when <see cref="FlagOpKind"/> is Materialized), or the kept CF for INC/DEC.</summary>
    public ulong FlagBits;

    /// <summary>The non-arithmetic RFLAGS bits (DF, TF, AC, ID, IF, reserved bit 1).</summary>
    public ulong FlagsOther = RFlags.Reserved1 | RFlags.IF;

    /// <summary>Snapshot of the lazy flags, to undo an instruction whose store faulted.</summary>
    public FlagState SaveFlags() => new(FlagOpKind, FlagDst, FlagSrc, FlagRes, FlagBits);

    public void RestoreFlags(in FlagState s)
    {
        FlagOpKind = s.Op;
        FlagDst = s.Dst;
        FlagSrc = s.Src;
        FlagRes = s.Res;
        FlagBits = s.Bits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetFlags(int op, ulong dst, ulong src, ulong res)
    {
        FlagOpKind = op;
        FlagDst = dst;
        FlagSrc = src;
        FlagRes = res;
    }

    /// <summary>Sets flags for a logic op (only the result matters).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetLogicFlags(int sizeIndex, ulong res)
    {
        FlagOpKind = FlagOp.Logic | sizeIndex;
        FlagRes = res;
    }

    /// <summary>Replaces the arithmetic flags with explicit bits (shifts, multiplies, POPF, ...).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetMaterialized(ulong oszapc)
    {
        FlagOpKind = FlagOp.Materialized;
        FlagBits = oszapc & RFlags.Arith;
    }

    private static int BitsOf(int op) => 8 << (op & 3);

    private static ulong MaskOf(int op) => (op & 3) == 3 ? ulong.MaxValue : (1UL << BitsOf(op)) - 1;

    private static ulong SignOf(int op) => 1UL << (BitsOf(op) - 1);

    /// <summary>Even parity of the low byte → PF.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Parity(ulong res) => (BitOperations.PopCount((uint)(res & 0xFF)) & 1) == 0 ? RFlags.PF : 0;

    /// <summary>The six arithmetic flags, computed from the lazy state.</summary>
    public ulong ArithFlags
    {
        get
        {
            int op = FlagOpKind;
            if (op == FlagOp.Materialized)
            {
                return FlagBits;
            }

            ulong mask = MaskOf(op);
            ulong sign = SignOf(op);
            ulong res = FlagRes & mask;
            ulong f = Parity(res);
            if (res == 0)
            {
                f |= RFlags.ZF;
            }

            if ((res & sign) != 0)
            {
                f |= RFlags.SF;
            }

            ulong d = FlagDst;
            ulong s = FlagSrc;
            switch (op & ~3)
            {
                case FlagOp.Add:
                case FlagOp.Adc:
                    // Carry out of the top bit of a full adder, whatever the carry in was.
                    if ((((d & s) | ((d | s) & ~res)) & sign) != 0)
                    {
                        f |= RFlags.CF;
                    }

                    if (((d ^ res) & (s ^ res) & sign) != 0)
                    {
                        f |= RFlags.OF;
                    }

                    f |= (d ^ s ^ res) & RFlags.AF;
                    break;
                case FlagOp.Sub:
                case FlagOp.Sbb:
                    // Borrow out of the top bit of a full subtractor.
                    if ((((~d & s) | ((~d | s) & res)) & sign) != 0)
                    {
                        f |= RFlags.CF;
                    }

                    if (((d ^ s) & (d ^ res) & sign) != 0)
                    {
                        f |= RFlags.OF;
                    }

                    f |= (d ^ s ^ res) & RFlags.AF;
                    break;
                case FlagOp.Logic:
                    break;
                case FlagOp.Inc:
                    f |= FlagBits & RFlags.CF;
                    if (res == sign)
                    {
                        f |= RFlags.OF;
                    }

                    f |= (d ^ 1 ^ res) & RFlags.AF;
                    break;
                case FlagOp.Dec:
                    f |= FlagBits & RFlags.CF;
                    if (res == sign - 1)
                    {
                        f |= RFlags.OF;
                    }

                    f |= (d ^ 1 ^ res) & RFlags.AF;
                    break;
                default:
                    f |= ShiftMulFlags(op, d, s, res, sign);
                    break;
            }

            return f;
        }
    }

    /// <summary>CF and OF of the Shl, Shr, Sar and Mul kinds (AF, undefined for them, is 0), as the eager code computed them.</summary>
    private static ulong ShiftMulFlags(int op, ulong d, ulong s, ulong res, ulong sign)
    {
        int bits = BitsOf(op);
        int count = (int)s;
        ulong cf;
        ulong f = 0;
        switch (op & ~3)
        {
            case FlagOp.Shl:
                // The last bit shifted out is bit (bits - count) of dst; counts above the width (8/16-bit only) leave 0.
                cf = count <= bits ? (d >> (bits - count)) & 1 : 0;
                if ((((res & sign) != 0 ? 1UL : 0UL) ^ cf) != 0)
                {
                    f |= RFlags.OF;
                }

                return f | cf;
            case FlagOp.Shr:
                cf = count <= bits ? (d >> (count - 1)) & 1 : 0;
                if ((d & sign) != 0 && count == 1)
                {
                    f |= RFlags.OF;
                }

                return f | cf;
            case FlagOp.Sar:
            {
                int shift = 64 - bits;
                long sd = (long)(d << shift) >> shift;
                return (ulong)(sd >> (count >= bits ? bits - 1 : count - 1)) & 1;
            }

            case FlagOp.Mul:
            {
                bool fits;
                if (bits == 64)
                {
                    long h = Math.BigMul((long)d, (long)s, out long l);
                    fits = h == (l >> 63);
                }
                else
                {
                    // At most 32 x 32 bits: the exact product fits a long.
                    long p = (long)d * (long)s;
                    int shift = 64 - bits;
                    fits = (long)((ulong)p << shift) >> shift == p;
                }

                return fits ? 0 : RFlags.CF | RFlags.OF;
            }
            default:
                return 0;
        }
    }

    /// <summary>
    /// PF, AF, ZF and SF from the lazy state, without CF and OF: what ROL and ROR keep of the
    /// previous flags.
    /// </summary>
    public ulong ArithFlagsExceptCarryOverflow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int op = FlagOpKind;
            if (op == FlagOp.Materialized)
            {
                return FlagBits & ~(RFlags.CF | RFlags.OF);
            }

            ulong res = FlagRes & MaskOf(op);
            ulong f = Parity(res);
            if (res == 0)
            {
                f |= RFlags.ZF;
            }

            if ((res & SignOf(op)) != 0)
            {
                f |= RFlags.SF;
            }

            // Add, Sub, Inc (src = 1), Dec (src = 1), Sbb and Adc keep AF in dst ^ src ^ res; Logic
            // and the shift and multiply kinds leave it 0.
            int kind = op & ~3;
            if (kind != FlagOp.Logic && kind < FlagOp.FirstComputedCarry)
            {
                f |= (FlagDst ^ FlagSrc ^ FlagRes) & RFlags.AF;
            }

            return f;
        }
    }

    /// <summary>The carry flag alone (ADC, SBB, RCL, ...).</summary>
    public ulong Carry
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            int op = FlagOpKind;
            ulong sign;
            switch (op & ~3)
            {
                case FlagOp.Sub:
                case FlagOp.Sbb:
                    sign = SignOf(op);
                    ulong mask = MaskOf(op);
                    return ((((~FlagDst & FlagSrc) | ((~FlagDst | FlagSrc) & FlagRes & mask)) & sign) != 0) ? 1UL : 0UL;
                case FlagOp.Add:
                case FlagOp.Adc:
                    sign = SignOf(op);
                    return ((((FlagDst & FlagSrc) | ((FlagDst | FlagSrc) & ~FlagRes)) & sign) != 0) ? 1UL : 0UL;
                case FlagOp.Logic:
                    return 0;
                default:
                    return op < FlagOp.FirstComputedCarry ? FlagBits & RFlags.CF : ComputedCarry();
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong ComputedCarry() => ArithFlags & RFlags.CF;

    /// <summary>Full RFLAGS as PUSHF would store it.</summary>
    public ulong Rflags
    {
        get => ArithFlags | FlagsOther;
        set
        {
            SetMaterialized(value);
            FlagsOther = (value & ~RFlags.Arith & (RFlags.UserWritable | RFlags.IF)) | RFlags.Reserved1 | RFlags.IF;
        }
    }

    /// <summary>Direction flag: string instructions step backwards.</summary>
    public bool Df => (FlagsOther & RFlags.DF) != 0;

    /// <summary>
    /// Evaluates condition code <paramref name="cc"/> (the low nibble of Jcc/SETcc/CMOVcc). ZF and SF
    /// come from the lazy result of any kind; the other CMP/SUB and logic conditions come from the
    /// saved operands, all without materialising the flags.
    /// </summary>
    public bool Cond(int cc)
    {
        int op = FlagOpKind;
        if (op != FlagOp.Materialized)
        {
            // Shifting the operands left by 64 - width puts their sign bit at bit 63 and drops any
            // bits above the width: unsigned and signed order, zero and sign then read directly.
            int shift = 64 - (8 << (op & 3));
            int kind = op & ~3;
            switch (cc)
            {
                case 4: return FlagRes << shift == 0;         // E
                case 5: return FlagRes << shift != 0;         // NE
                case 8: return (long)(FlagRes << shift) < 0;  // S
                case 9: return (long)(FlagRes << shift) >= 0; // NS
            }

            if (kind == FlagOp.Sub)
            {
                ulong d = FlagDst << shift;
                ulong s = FlagSrc << shift;
                switch (cc)
                {
                    case 2: return d < s;    // B
                    case 3: return d >= s;   // AE
                    case 6: return d <= s;   // BE
                    case 7: return d > s;    // A
                    case 12: return (long)d < (long)s;  // L
                    case 13: return (long)d >= (long)s; // GE
                    case 14: return (long)d <= (long)s; // LE
                    case 15: return (long)d > (long)s;  // G
                }
            }
            else if (kind == FlagOp.Logic)
            {
                long res = (long)(FlagRes << shift);
                switch (cc)
                {
                    case 0: return false;       // O
                    case 1: return true;        // NO
                    case 2: return false;       // B
                    case 3: return true;        // AE
                    case 6: return res == 0;    // BE
                    case 7: return res != 0;    // A
                    case 12: return res < 0;    // L
                    case 13: return res >= 0;   // GE
                    case 14: return res <= 0;   // LE
                    case 15: return res > 0;    // G
                }
            }
        }

        return CondGeneric(cc);
    }

    /// <summary>
    /// <see cref="Cond(int)"/> for a condition code known at decode time: the JIT folds the switch,
    /// leaving one or two tests of the lazy state on the common paths.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Cond<TCc>() where TCc : struct, ICondCode
    {
        int t = CondFast<TCc>();
        return t >= 0 ? t != 0 : CondGeneric(TCc.Code);
    }

    /// <summary>
    /// The fast paths of <see cref="Cond{TCc}"/>: 1 or 0 when the lazy state answers the condition
    /// directly, -1 when <see cref="CondGeneric"/> is needed. Lets a handler keep the generic call
    /// out of its fast path (a tail call), so the fast path needs no stack frame.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int CondFast<TCc>() where TCc : struct, ICondCode
    {
        int cc = TCc.Code;
        int op = FlagOpKind;
        if (op == FlagOp.Materialized)
        {
            return -1;
        }

        int shift = 64 - (8 << (op & 3));
        int kind = op & ~3;
        bool r;
        switch (cc)
        {
            case 4: r = FlagRes << shift == 0; break;
            case 5: r = FlagRes << shift != 0; break;
            case 8: r = (long)(FlagRes << shift) < 0; break;
            case 9: r = (long)(FlagRes << shift) >= 0; break;
            case 2: case 3: case 6: case 7: case 12: case 13: case 14: case 15:
                if (kind == FlagOp.Sub)
                {
                    ulong d = FlagDst << shift;
                    ulong s = FlagSrc << shift;
                    switch (cc)
                    {
                        case 2: r = d < s; break;
                        case 3: r = d >= s; break;
                        case 6: r = d <= s; break;
                        case 7: r = d > s; break;
                        case 12: r = (long)d < (long)s; break;
                        case 13: r = (long)d >= (long)s; break;
                        case 14: r = (long)d <= (long)s; break;
                        default: r = (long)d > (long)s; break;
                    }

                    break;
                }

                if (kind == FlagOp.Logic)
                {
                    // CF = OF = 0.
                    long res = (long)(FlagRes << shift);
                    switch (cc)
                    {
                        case 2: r = false; break;
                        case 3: r = true; break;
                        case 6: r = res == 0; break;
                        case 7: r = res != 0; break;
                        case 12: r = res < 0; break;
                        case 13: r = res >= 0; break;
                        case 14: r = res <= 0; break;
                        default: r = res > 0; break;
                    }

                    break;
                }

                return -1;
            default:
                return -1;
        }

        return r ? 1 : 0;
    }

    /// <summary>Evaluates a condition from fully materialised flags.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool CondGeneric(int cc)
    {
        ulong f = ArithFlags;
        bool r = (cc >> 1) switch
        {
            0 => (f & RFlags.OF) != 0,
            1 => (f & RFlags.CF) != 0,
            2 => (f & RFlags.ZF) != 0,
            3 => (f & (RFlags.CF | RFlags.ZF)) != 0,
            4 => (f & RFlags.SF) != 0,
            5 => (f & RFlags.PF) != 0,
            6 => ((f & RFlags.SF) != 0) != ((f & RFlags.OF) != 0),
            _ => (f & RFlags.ZF) != 0 || (((f & RFlags.SF) != 0) != ((f & RFlags.OF) != 0)),
        };
        return (cc & 1) != 0 ? !r : r;
    }
}
