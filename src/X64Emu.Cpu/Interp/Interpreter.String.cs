using System;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Flags;
using X64Emu.Memory;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    // Aux: 0 MOVS, 1 STOS, 2 LODS, 3 SCAS, 4 CMPS. The source (RSI) may carry a segment override (Seg).

    public static int StringOp<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        bool rep = (i.Flags & (InsnFlags.Rep | InsnFlags.Repne)) != 0;
        if (!rep)
        {
            return StringStep<W>(c, ref i) ? 0 : c.Fault(ref i);
        }

        ref ulong rcx = ref c.Gpr(Reg.Rcx);
        if (!c.Df && (i.Aux == 0 || i.Aux == 1))
        {
            if (!(i.Aux == 1 ? RepStosFast<W>(c, ref i) : RepMovsFast<W>(c, ref i)))
            {
                return c.Fault(ref i);
            }
        }

        bool conditional = i.Aux >= 3;
        bool repne = (i.Flags & InsnFlags.Repne) != 0;
        while (rcx != 0)
        {
            if (!StringStep<W>(c, ref i))
            {
                return c.Fault(ref i);
            }

            rcx--;
            if (conditional)
            {
                bool zf = c.Cond(4);
                if (repne ? zf : !zf)
                {
                    break;
                }
            }
        }

        return 0;
    }

    /// <summary>One element; false on a fault with registers unchanged.</summary>
    private static bool StringStep<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        ulong step = c.Df ? (ulong)(-(long)(W.Bits / 8)) : (ulong)(W.Bits / 8);
        ref ulong rsi = ref c.Gpr(Reg.Rsi);
        ref ulong rdi = ref c.Gpr(Reg.Rdi);
        ulong src = rsi + c.GprAt(i.Seg);
        switch (i.Aux)
        {
            case 0:
            {
                if (!W.Load(c.Mmu, src, out ulong v) || !W.Store(c.Mmu, rdi, v))
                {
                    return false;
                }

                rsi += step;
                rdi += step;
                return true;
            }

            case 1:
                if (!W.Store(c.Mmu, rdi, W.Get(c, Reg.Rax * 8)))
                {
                    return false;
                }

                rdi += step;
                return true;
            case 2:
            {
                if (!W.Load(c.Mmu, src, out ulong v))
                {
                    return false;
                }

                W.Set(c, Reg.Rax * 8, v);
                rsi += step;
                return true;
            }

            case 3:
            {
                if (!W.Load(c.Mmu, rdi, out ulong v))
                {
                    return false;
                }

                ulong a = W.Get(c, Reg.Rax * 8);
                c.SetFlags(FlagOp.Sub | W.SizeIndex, a, v, (a - v) & W.Mask);
                rdi += step;
                return true;
            }

            default:
            {
                if (!W.Load(c.Mmu, src, out ulong a) || !W.Load(c.Mmu, rdi, out ulong b))
                {
                    return false;
                }

                c.SetFlags(FlagOp.Sub | W.SizeIndex, a, b, (a - b) & W.Mask);
                rsi += step;
                rdi += step;
                return true;
            }
        }
    }

    /// <summary>REP STOS forward, a page at a time; leaves RCX/RDI exact if it stops early.</summary>
    private static bool RepStosFast<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        int size = W.Bits / 8;
        ref ulong rcx = ref c.Gpr(Reg.Rcx);
        ref ulong rdi = ref c.Gpr(Reg.Rdi);
        ulong value = W.Get(c, Reg.Rax * 8);
        while (rcx != 0)
        {
            ulong room = (PageSizes.PageSize - (rdi & PageSizes.PageMask)) / (ulong)size;
            if (room == 0)
            {
                return true; // an element crosses the page: the element loop handles it
            }

            ulong n = Math.Min(room, rcx);
            byte* p = c.Mmu.TryTranslate(rdi, (int)(n * (ulong)size), Access.Write);
            if (p == null)
            {
                return false;
            }

            if (size == 1)
            {
                new Span<byte>(p, (int)n).Fill((byte)value);
            }
            else
            {
                for (ulong k = 0; k < n; k++)
                {
                    WriteHost<W>(p + (k * (ulong)size), value);
                }
            }

            rcx -= n;
            rdi += n * (ulong)size;
        }

        return true;
    }

    /// <summary>REP MOVS forward in page-sized chunks. Overlap where the destination is just ahead of the source keeps element order.</summary>
    private static bool RepMovsFast<W>(Cpu c, ref Insn i) where W : struct, IWidth
    {
        int size = W.Bits / 8;
        ref ulong rcx = ref c.Gpr(Reg.Rcx);
        ref ulong rsi = ref c.Gpr(Reg.Rsi);
        ref ulong rdi = ref c.Gpr(Reg.Rdi);
        ulong seg = c.GprAt(i.Seg);
        while (rcx != 0)
        {
            ulong src = rsi + seg;
            ulong roomS = (PageSizes.PageSize - (src & PageSizes.PageMask)) / (ulong)size;
            ulong roomD = (PageSizes.PageSize - (rdi & PageSizes.PageMask)) / (ulong)size;
            ulong n = Math.Min(Math.Min(roomS, roomD), rcx);
            if (n == 0)
            {
                return true;
            }

            ulong bytes = n * (ulong)size;
            if (rdi > src && rdi - src < bytes)
            {
                return true; // forward-overlapping copy: element by element
            }

            byte* s = c.Mmu.TryTranslate(src, (int)bytes, Access.Read);
            if (s == null)
            {
                return false;
            }

            byte* d = c.Mmu.TryTranslate(rdi, (int)bytes, Access.Write);
            if (d == null)
            {
                return false;
            }

            Buffer.MemoryCopy(s, d, bytes, bytes);
            rcx -= n;
            rsi += bytes;
            rdi += bytes;
        }

        return true;
    }
}
