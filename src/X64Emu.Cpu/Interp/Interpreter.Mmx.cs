using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.X87;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    // MMX registers MM0..MM7 are the significands of the physical x87 registers R0..R7. Any MMX
    // instruction sets TOP to 0 and tags every register valid; writing one sets its exponent to 0xFFFF.

    internal static ulong Mm(Cpu c, int n) => c.Fpr[n].Mant;

    internal static void SetMm(Cpu c, int n, ulong v)
    {
        c.Fpr[n] = new F80(v, 0xFFFF);
    }

    private static void EnterMmx(Cpu c)
    {
        c.FpuTop = 0;
        c.FpuEmpty = 0;
    }

    /// <summary>Loads an MMX source: MM register (Rm) or m64.</summary>
    private static bool MmxSource(Cpu c, ref Insn i, out ulong v)
    {
        if ((i.Flags & InsnFlags.Mem) != 0)
        {
            return c.Mmu.TryRead64(c.Ea(ref i), out v);
        }

        v = Mm(c, i.Rm);
        return true;
    }

    /// <summary>
    /// An SSE operation applied to 64-bit MMX operands. Aux selects how the 64-bit values are placed:
    /// 0 element-wise (zero-extended, low half kept), 1 unpack-high (both shifted down 32 bits first),
    /// 2 pack (destination and source side by side in one vector).
    /// </summary>
    public static int MmxBinary<TOp>(Cpu c, ref Insn i) where TOp : struct, ISseOp
    {
        if (!MmxSource(c, ref i, out ulong b))
        {
            return c.Fault(ref i);
        }

        EnterMmx(c);
        ulong a = Mm(c, i.Reg);
        ulong r;
        switch (i.Aux)
        {
            case 1:
                r = TOp.Exec(Vector128.CreateScalar(a >> 32).AsByte(), Vector128.CreateScalar(b >> 32).AsByte(), (byte)i.Imm).AsUInt64().ToScalar();
                break;
            case 2:
            {
                Vector128<byte> both = Vector128.Create(a, b).AsByte();
                r = TOp.Exec(both, both, (byte)i.Imm).AsUInt64().ToScalar();
                break;
            }

            default:
                r = TOp.Exec(Vector128.CreateScalar(a).AsByte(), Vector128.CreateScalar(b).AsByte(), (byte)i.Imm).AsUInt64().ToScalar();
                break;
        }

        SetMm(c, i.Reg, r);
        return 0;
    }

    /// <summary>PSLLW/D/Q, PSRLW/D/Q, PSRAW/D mm, imm8 (Aux as for SseShiftImm, 0..7).</summary>
    public static int MmxShiftImm(Cpu c, ref Insn i)
    {
        EnterMmx(c);
        Vector128<byte> x = Vector128.CreateScalar(Mm(c, i.Reg)).AsByte();
        Vector128<long> count = Vector128.CreateScalar((long)(byte)i.Imm);
        x = i.Aux switch
        {
            0 => Sse2.ShiftLeftLogical(x.AsInt16(), count.AsInt16()).AsByte(),
            1 => Sse2.ShiftLeftLogical(x.AsInt32(), count.AsInt32()).AsByte(),
            2 => Sse2.ShiftLeftLogical(x.AsInt64(), count).AsByte(),
            3 => Sse2.ShiftRightLogical(x.AsInt16(), count.AsInt16()).AsByte(),
            4 => Sse2.ShiftRightLogical(x.AsInt32(), count.AsInt32()).AsByte(),
            5 => Sse2.ShiftRightLogical(x.AsInt64(), count).AsByte(),
            6 => Sse2.ShiftRightArithmetic(x.AsInt16(), count.AsInt16()).AsByte(),
            _ => Sse2.ShiftRightArithmetic(x.AsInt32(), count.AsInt32()).AsByte(),
        };
        SetMm(c, i.Reg, x.AsUInt64().ToScalar());
        return 0;
    }

    /// <summary>
    /// MMX moves. Aux: 0 movq mm, mm/m64; 1 movq m64, mm (also MOVNTQ); 2 movd/movq mm, r/m (Aux2 = size);
    /// 3 movd/movq r/m, mm (Aux2 = size); 4 movdq2q mm, xmm; 5 movq2dq xmm, mm; 6 EMMS.
    /// </summary>
    public static int MmxMove(Cpu c, ref Insn i)
    {
        bool mem = (i.Flags & InsnFlags.Mem) != 0;
        switch (i.Aux)
        {
            case 0:
            {
                if (!MmxSource(c, ref i, out ulong v))
                {
                    return c.Fault(ref i);
                }

                EnterMmx(c);
                SetMm(c, i.Reg, v);
                return 0;
            }

            case 1:
                if (!c.Mmu.TryWrite64(c.Ea(ref i), Mm(c, i.Reg)))
                {
                    return c.Fault(ref i);
                }

                EnterMmx(c);
                return 0;
            case 2:
            {
                ulong v;
                if (mem)
                {
                    bool ok;
                    if (i.Aux2 == 8)
                    {
                        ok = c.Mmu.TryRead64(c.Ea(ref i), out v);
                    }
                    else
                    {
                        ok = c.Mmu.TryRead32(c.Ea(ref i), out uint d);
                        v = d;
                    }

                    if (!ok)
                    {
                        return c.Fault(ref i);
                    }
                }
                else
                {
                    v = i.Aux2 == 8 ? c.GprAt(i.Rm) : (uint)c.GprAt(i.Rm);
                }

                EnterMmx(c);
                SetMm(c, i.Reg, v);
                return 0;
            }

            case 3:
            {
                ulong v = Mm(c, i.Reg);
                if (mem)
                {
                    bool ok = i.Aux2 == 8 ? c.Mmu.TryWrite64(c.Ea(ref i), v) : c.Mmu.TryWrite32(c.Ea(ref i), (uint)v);
                    if (!ok)
                    {
                        return c.Fault(ref i);
                    }
                }
                else
                {
                    c.GprAt(i.Rm) = i.Aux2 == 8 ? v : (uint)v;
                }

                EnterMmx(c);
                return 0;
            }

            case 4:
                EnterMmx(c);
                SetMm(c, i.Reg, c.Xmm(i.Rm).AsUInt64().ToScalar());
                return 0;
            case 5:
                EnterMmx(c);
                c.Xmm(i.Reg) = Vector128.CreateScalar(Mm(c, i.Rm)).AsByte();
                return 0;
            default:
                c.FpuEmpty = 0xFF;
                return 0;
        }
    }

    /// <summary>PMOVMSKB r32, mm (Reg = GPR offset, Rm = MM).</summary>
    public static int MmxMovMask(Cpu c, ref Insn i)
    {
        EnterMmx(c);
        c.GprAt(i.Reg) = (uint)Sse2.MoveMask(Vector128.CreateScalar(Mm(c, i.Rm)).AsByte());
        return 0;
    }

    /// <summary>PSHUFW mm, mm/m64, imm8.</summary>
    public static int Pshufw(Cpu c, ref Insn i)
    {
        if (!MmxSource(c, ref i, out ulong v))
        {
            return c.Fault(ref i);
        }

        EnterMmx(c);
        int imm = (int)i.Imm;
        ulong r = 0;
        for (int k = 0; k < 4; k++)
        {
            r |= ((v >> (16 * ((imm >> (2 * k)) & 3))) & 0xFFFF) << (16 * k);
        }

        SetMm(c, i.Reg, r);
        return 0;
    }

    /// <summary>PEXTRW r32, mm, imm8 (Aux 0) / PINSRW mm, r32/m16, imm8 (Aux 1).</summary>
    public static int MmxWord(Cpu c, ref Insn i)
    {
        EnterMmx(c);
        int k = (int)(i.Imm & 3);
        if (i.Aux == 0)
        {
            c.GprAt(i.Reg) = (Mm(c, i.Rm) >> (16 * k)) & 0xFFFF;
            return 0;
        }

        ulong w;
        if ((i.Flags & InsnFlags.Mem) != 0)
        {
            if (!c.Mmu.TryRead16(c.Ea(ref i), out ushort m))
            {
                return c.Fault(ref i);
            }

            w = m;
        }
        else
        {
            w = c.GprAt(i.Rm) & 0xFFFF;
        }

        ulong v = Mm(c, i.Reg);
        SetMm(c, i.Reg, (v & ~(0xFFFFUL << (16 * k))) | (w << (16 * k)));
        return 0;
    }

    /// <summary>MASKMOVQ mm1, mm2: bytes of mm1 with the mask's top bit set go to [RDI].</summary>
    public static int Maskmovq(Cpu c, ref Insn i)
    {
        EnterMmx(c);
        ulong data = Mm(c, i.Reg);
        ulong mask = Mm(c, i.Rm);
        ulong rdi = c.Gpr(Reg.Rdi) + c.GprAt(i.Seg);
        for (int k = 0; k < 8; k++)
        {
            if (((mask >> ((8 * k) + 7)) & 1) != 0 && !c.Mmu.TryWrite8(rdi + (ulong)k, (byte)(data >> (8 * k))))
            {
                return c.Fault(ref i);
            }
        }

        return 0;
    }
}
