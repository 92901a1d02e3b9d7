using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using X64Emu.Cpu.Decode;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    // SSE operands: Reg = destination XMM number, Rm = source XMM number (register form), Imm = imm8.

    /// <summary>
    /// Loads a vector source of <paramref name="size"/> bytes (16, 8, 4) from memory; scalars come zero-extended.
    /// 16-byte sources of instructions that demand alignment raise #GP when misaligned.
    /// </summary>
    /// <returns>0, or the handler result for the fault.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int LoadVec(Cpu c, ref Insn i, int size, bool aligned, out Vector128<byte> v)
    {
        ulong ea = c.Ea(ref i);
        if (size == 16)
        {
            if (aligned && (ea & 15) != 0)
            {
                v = default;
                return c.Raise(ref i, ExitReason.GeneralProtection);
            }

            return c.Mmu.TryRead128(ea, out v) ? 0 : c.Fault(ref i);
        }

        if (size == 8)
        {
            bool ok = c.Mmu.TryRead64(ea, out ulong q);
            v = Vector128.CreateScalar(q).AsByte();
            return ok ? 0 : c.Fault(ref i);
        }

        bool ok4 = c.Mmu.TryRead32(ea, out uint d);
        v = Vector128.CreateScalar(d).AsByte();
        return ok4 ? 0 : c.Fault(ref i);
    }

    public static int SseBinary<TOp>(Cpu c, ref Insn i) where TOp : struct, ISseOp
    {
        Vector128<byte> b;
        if ((i.Flags & InsnFlags.Mem) != 0)
        {
            int r = LoadVec(c, ref i, TOp.MemSize, aligned: true, out b);
            if (r != 0)
            {
                return r;
            }
        }
        else
        {
            b = c.Xmm(i.Rm);
        }

        ref Vector128<byte> dst = ref c.Xmm(i.Reg);
        dst = TOp.Exec(dst, b, (byte)i.Imm);
        return TOp.Fp && c.SimdExceptionsUnmasked ? c.CheckSimdException(ref i) : 0;
    }

    /// <summary>PSLLW/D/Q, PSRLW/D/Q, PSRAW/D by imm8; PSLLDQ/PSRLDQ. Aux: 0 w-left 1 d-left 2 q-left 3 w-right 4 d-right 5 q-right 6 w-arith 7 d-arith 8 dq-left 9 dq-right.</summary>
    public static int SseShiftImm(Cpu c, ref Insn i)
    {
        ref Vector128<byte> x = ref c.Xmm(i.Reg);
        byte n = (byte)i.Imm;
        Vector128<long> count = Vector128.CreateScalar((long)n);
        x = i.Aux switch
        {
            0 => Sse2.ShiftLeftLogical(x.AsInt16(), count.AsInt16()).AsByte(),
            1 => Sse2.ShiftLeftLogical(x.AsInt32(), count.AsInt32()).AsByte(),
            2 => Sse2.ShiftLeftLogical(x.AsInt64(), count).AsByte(),
            3 => Sse2.ShiftRightLogical(x.AsInt16(), count.AsInt16()).AsByte(),
            4 => Sse2.ShiftRightLogical(x.AsInt32(), count.AsInt32()).AsByte(),
            5 => Sse2.ShiftRightLogical(x.AsInt64(), count).AsByte(),
            6 => Sse2.ShiftRightArithmetic(x.AsInt16(), count.AsInt16()).AsByte(),
            7 => Sse2.ShiftRightArithmetic(x.AsInt32(), count.AsInt32()).AsByte(),
            8 => SseShuffle.ByteShift(x, n, left: true),
            _ => SseShuffle.ByteShift(x, n, left: false),
        };
        return 0;
    }

    /// <summary>Full-register moves: MOVDQA/MOVDQU/MOVAPS/MOVUPS/MOVAPD/MOVUPD/LDDQU/MOVNT*. Aux 0: load (reg or mem → Reg), 1: store (Reg → mem). Aux2 bit 0: aligned.</summary>
    public static int MovVec(Cpu c, ref Insn i)
    {
        bool aligned = (i.Aux2 & 1) != 0;
        if (i.Aux == 0)
        {
            if ((i.Flags & InsnFlags.Mem) == 0)
            {
                c.Xmm(i.Reg) = c.Xmm(i.Rm);
                return 0;
            }

            int r = LoadVec(c, ref i, 16, aligned, out Vector128<byte> v);
            if (r != 0)
            {
                return r;
            }

            c.Xmm(i.Reg) = v;
            return 0;
        }

        ulong ea = c.Ea(ref i);
        if (aligned && (ea & 15) != 0)
        {
            return c.Raise(ref i, ExitReason.GeneralProtection);
        }

        return c.Mmu.TryWrite128(ea, c.Xmm(i.Reg)) ? 0 : c.Fault(ref i);
    }

    /// <summary><see cref="MovVec"/> register to register (Aux 0, no memory operand).</summary>
    public static int MovVecRR(Cpu c, ref Insn i)
    {
        c.Xmm(i.Reg) = c.Xmm(i.Rm);
        return 0;
    }

    /// <summary><see cref="MovVec"/> load (Aux 0, memory source) with the address form chosen at decode time.</summary>
    public static int MovVecLoad<TEa>(Cpu c, ref Insn i) where TEa : struct, IAddressing
    {
        ulong ea = TEa.Ea(c, ref i);
        if ((i.Aux2 & 1) != 0 && (ea & 15) != 0)
        {
            return c.Raise(ref i, ExitReason.GeneralProtection);
        }

        if (!c.Mmu.TryRead128(ea, out Vector128<byte> v))
        {
            return c.Fault(ref i);
        }

        c.Xmm(i.Reg) = v;
        return 0;
    }

    /// <summary><see cref="MovVec"/> store (Aux 1) with the address form chosen at decode time.</summary>
    public static int MovVecStore<TEa>(Cpu c, ref Insn i) where TEa : struct, IAddressing
    {
        ulong ea = TEa.Ea(c, ref i);
        if ((i.Aux2 & 1) != 0 && (ea & 15) != 0)
        {
            return c.Raise(ref i, ExitReason.GeneralProtection);
        }

        return c.Mmu.TryWrite128(ea, c.Xmm(i.Reg)) ? 0 : c.Fault(ref i);
    }

    /// <summary>
    /// MOVSS/MOVSD and the partial moves. Aux: 0 movss xmm,xmm (merge 32), 1 movss xmm,m32 (zero upper),
    /// 2 movss m32,xmm, 3 movsd xmm,xmm, 4 movsd xmm,m64, 5 movsd m64,xmm, 6 movhps/movhpd xmm,m64,
    /// 7 movhps/movhpd m64,xmm, 8 movlps/movlpd xmm,m64, 9 movlps/movlpd m64,xmm, 10 movhlps, 11 movlhps,
    /// 12 movq xmm,xmm/m64 (zero upper), 13 movq m64,xmm.
    /// </summary>
    public static int MovPart(Cpu c, ref Insn i)
    {
        ref Vector128<byte> dst = ref c.Xmm(i.Reg);
        ulong ea = (i.Flags & InsnFlags.Mem) != 0 ? c.Ea(ref i) : 0;
        switch (i.Aux)
        {
            case 0:
                dst = Vector128.WithElement(dst.AsUInt32(), 0, c.Xmm(i.Rm).AsUInt32().ToScalar()).AsByte();
                return 0;
            case 1:
            {
                if (!c.Mmu.TryRead32(ea, out uint v))
                {
                    return c.Fault(ref i);
                }

                dst = Vector128.CreateScalar(v).AsByte();
                return 0;
            }

            case 2:
                return c.Mmu.TryWrite32(ea, dst.AsUInt32().ToScalar()) ? 0 : c.Fault(ref i);
            case 3:
                dst = Vector128.WithElement(dst.AsUInt64(), 0, c.Xmm(i.Rm).AsUInt64().ToScalar()).AsByte();
                return 0;
            case 4:
            case 12:
            {
                ulong v;
                if ((i.Flags & InsnFlags.Mem) != 0)
                {
                    if (!c.Mmu.TryRead64(ea, out v))
                    {
                        return c.Fault(ref i);
                    }
                }
                else
                {
                    v = c.Xmm(i.Rm).AsUInt64().ToScalar();
                }

                dst = Vector128.CreateScalar(v).AsByte();
                return 0;
            }

            case 5:
            case 13:
            case 9:
                return c.Mmu.TryWrite64(ea, dst.AsUInt64().ToScalar()) ? 0 : c.Fault(ref i);
            case 6:
            {
                if (!c.Mmu.TryRead64(ea, out ulong v))
                {
                    return c.Fault(ref i);
                }

                dst = Vector128.WithElement(dst.AsUInt64(), 1, v).AsByte();
                return 0;
            }

            case 7:
                return c.Mmu.TryWrite64(ea, dst.AsUInt64().GetElement(1)) ? 0 : c.Fault(ref i);
            case 8:
            {
                if (!c.Mmu.TryRead64(ea, out ulong v))
                {
                    return c.Fault(ref i);
                }

                dst = Vector128.WithElement(dst.AsUInt64(), 0, v).AsByte();
                return 0;
            }

            case 10:
                dst = Vector128.WithElement(dst.AsUInt64(), 0, c.Xmm(i.Rm).AsUInt64().GetElement(1)).AsByte();
                return 0;
            default:
                dst = Vector128.WithElement(dst.AsUInt64(), 1, c.Xmm(i.Rm).AsUInt64().GetElement(0)).AsByte();
                return 0;
        }
    }

    /// <summary>MOVD/MOVQ between XMM and a GPR or memory. Aux 0: to XMM (zero-extended), 1: from XMM. Aux2: 4 or 8 bytes.</summary>
    public static int MovdGpr(Cpu c, ref Insn i)
    {
        bool mem = (i.Flags & InsnFlags.Mem) != 0;
        bool quad = i.Aux2 == 8;
        if (i.Aux == 0)
        {
            ulong v;
            if (mem)
            {
                bool ok;
                if (quad)
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
                v = quad ? c.GprAt(i.Rm) : (uint)c.GprAt(i.Rm);
            }

            c.Xmm(i.Reg) = Vector128.CreateScalar(v).AsByte();
            return 0;
        }

        ulong x = c.Xmm(i.Reg).AsUInt64().ToScalar();
        if (mem)
        {
            bool ok = quad ? c.Mmu.TryWrite64(c.Ea(ref i), x) : c.Mmu.TryWrite32(c.Ea(ref i), (uint)x);
            return ok ? 0 : c.Fault(ref i);
        }

        c.GprAt(i.Rm) = quad ? x : (uint)x;
        return 0;
    }

    /// <summary>MOVMSKPS (Aux 0), MOVMSKPD (1), PMOVMSKB (2) into a GPR (Reg = GPR offset, Rm = XMM).</summary>
    public static int MovMask(Cpu c, ref Insn i)
    {
        Vector128<byte> x = c.Xmm(i.Rm);
        c.GprAt(i.Reg) = i.Aux switch
        {
            0 => (uint)Sse.MoveMask(x.AsSingle()),
            1 => (uint)Sse2.MoveMask(x.AsDouble()),
            _ => (uint)Sse2.MoveMask(x),
        };
        return 0;
    }

    /// <summary>MOVNTI m32/m64, r (Aux2 = size).</summary>
    public static int Movnti(Cpu c, ref Insn i)
    {
        ulong ea = c.Ea(ref i);
        bool ok = i.Aux2 == 8 ? c.Mmu.TryWrite64(ea, c.GprAt(i.Reg)) : c.Mmu.TryWrite32(ea, (uint)c.GprAt(i.Reg));
        return ok ? 0 : c.Fault(ref i);
    }

    /// <summary>MASKMOVDQU xmm1, xmm2: bytes of xmm1 whose xmm2 mask byte has bit 7 set go to [RDI].</summary>
    public static int Maskmovdqu(Cpu c, ref Insn i)
    {
        Vector128<byte> data = c.Xmm(i.Reg);
        Vector128<byte> mask = c.Xmm(i.Rm);
        ulong rdi = c.Gpr(Reg.Rdi) + c.GprAt(i.Seg);
        for (int k = 0; k < 16; k++)
        {
            if ((mask.GetElement(k) & 0x80) != 0 && !c.Mmu.TryWrite8(rdi + (ulong)k, data.GetElement(k)))
            {
                return c.Fault(ref i);
            }
        }

        return 0;
    }

    /// <summary>PEXTRW r32, xmm, imm8 (Reg = GPR offset, Rm = XMM).</summary>
    public static int Pextrw(Cpu c, ref Insn i)
    {
        c.GprAt(i.Reg) = c.Xmm(i.Rm).AsUInt16().GetElement((int)(i.Imm & 7));
        return 0;
    }

    /// <summary>PINSRW xmm, r32/m16, imm8 (Rm = GPR offset for the register form).</summary>
    public static int Pinsrw(Cpu c, ref Insn i)
    {
        ushort v;
        if ((i.Flags & InsnFlags.Mem) != 0)
        {
            if (!c.Mmu.TryRead16(c.Ea(ref i), out v))
            {
                return c.Fault(ref i);
            }
        }
        else
        {
            v = (ushort)c.GprAt(i.Rm);
        }

        ref Vector128<byte> x = ref c.Xmm(i.Reg);
        x = x.AsUInt16().WithElement((int)(i.Imm & 7), v).AsByte();
        return 0;
    }

    /// <summary>LDMXCSR (Aux 0) / STMXCSR (Aux 1).</summary>
    public static int Mxcsr(Cpu c, ref Insn i)
    {
        ulong ea = c.Ea(ref i);
        if (i.Aux == 1)
        {
            return c.Mmu.TryWrite32(ea, c.Mxcsr) ? 0 : c.Fault(ref i);
        }

        if (!c.Mmu.TryRead32(ea, out uint v))
        {
            return c.Fault(ref i);
        }

        if ((v & ~Cpu.MxcsrMask) != 0)
        {
            return c.Raise(ref i, ExitReason.GeneralProtection);
        }

        c.Mxcsr = v;
        return 0;
    }
}
