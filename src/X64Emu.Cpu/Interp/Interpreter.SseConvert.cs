using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Flags;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    /// <summary>CVTSI2SS (Aux 0) / CVTSI2SD (Aux 1) from a 32- or 64-bit integer (Aux2 = 4 or 8); Rm = GPR offset.</summary>
    public static int CvtIntToXmm(Cpu c, ref Insn i)
    {
        ulong v;
        if ((i.Flags & InsnFlags.Mem) != 0)
        {
            ulong ea = c.Ea(ref i);
            bool ok;
            if (i.Aux2 == 8)
            {
                ok = c.Mmu.TryRead64(ea, out v);
            }
            else
            {
                ok = c.Mmu.TryRead32(ea, out uint d);
                v = d;
            }

            if (!ok)
            {
                return c.Fault(ref i);
            }
        }
        else
        {
            v = c.GprAt(i.Rm);
        }

        ref Vector128<byte> x = ref c.Xmm(i.Reg);
        if (i.Aux == 0)
        {
            x = (i.Aux2 == 8 ? Sse.X64.ConvertScalarToVector128Single(x.AsSingle(), (long)v) : Sse.ConvertScalarToVector128Single(x.AsSingle(), (int)v)).AsByte();
        }
        else
        {
            x = (i.Aux2 == 8 ? Sse2.X64.ConvertScalarToVector128Double(x.AsDouble(), (long)v) : Sse2.ConvertScalarToVector128Double(x.AsDouble(), (int)v)).AsByte();
        }

        return c.SimdExceptionsUnmasked ? c.CheckSimdException(ref i) : 0;
    }

    /// <summary>CVT(T)SS2SI / CVT(T)SD2SI. Aux bit 0: double; bit 1: truncate. Aux2: destination size 4 or 8. Reg = GPR offset.</summary>
    public static int CvtXmmToInt(Cpu c, ref Insn i)
    {
        bool dbl = (i.Aux & 1) != 0;
        Vector128<byte> src;
        if ((i.Flags & InsnFlags.Mem) != 0)
        {
            int r = LoadVec(c, ref i, dbl ? 8 : 4, aligned: false, out src);
            if (r != 0)
            {
                return r;
            }
        }
        else
        {
            src = c.Xmm(i.Rm);
        }

        bool trunc = (i.Aux & 2) != 0;
        ulong result;
        if (i.Aux2 == 8)
        {
            result = (ulong)(dbl
                ? (trunc ? Sse2.X64.ConvertToInt64WithTruncation(src.AsDouble()) : Sse2.X64.ConvertToInt64(src.AsDouble()))
                : (trunc ? Sse.X64.ConvertToInt64WithTruncation(src.AsSingle()) : Sse.X64.ConvertToInt64(src.AsSingle())));
        }
        else
        {
            result = (uint)(dbl
                ? (trunc ? Sse2.ConvertToInt32WithTruncation(src.AsDouble()) : Sse2.ConvertToInt32(src.AsDouble()))
                : (trunc ? Sse.ConvertToInt32WithTruncation(src.AsSingle()) : Sse.ConvertToInt32(src.AsSingle())));
        }

        c.GprAt(i.Reg) = result;
        return c.SimdExceptionsUnmasked ? c.CheckSimdException(ref i) : 0;
    }

    /// <summary>
    /// COMISS (Aux 0), COMISD (1), UCOMISS (2), UCOMISD (3): ZF, PF, CF from an ordered compare,
    /// OF = SF = AF = 0; unordered sets all three. COMIS signals invalid on any NaN, UCOMIS on SNaN only.
    /// </summary>
    public static int Comis(Cpu c, ref Insn i)
    {
        bool dbl = (i.Aux & 1) != 0;
        Vector128<byte> src;
        if ((i.Flags & InsnFlags.Mem) != 0)
        {
            int r = LoadVec(c, ref i, dbl ? 8 : 4, aligned: false, out src);
            if (r != 0)
            {
                return r;
            }
        }
        else
        {
            src = c.Xmm(i.Rm);
        }

        Vector128<byte> dst = c.Xmm(i.Reg);
        double a, b;
        bool snan;
        if (dbl)
        {
            ulong ba = dst.AsUInt64().ToScalar(), bb = src.AsUInt64().ToScalar();
            a = BitConverter.UInt64BitsToDouble(ba);
            b = BitConverter.UInt64BitsToDouble(bb);
            snan = IsSnan64(ba) || IsSnan64(bb);
        }
        else
        {
            uint ba = dst.AsUInt32().ToScalar(), bb = src.AsUInt32().ToScalar();
            a = BitConverter.UInt32BitsToSingle(ba);
            b = BitConverter.UInt32BitsToSingle(bb);
            snan = IsSnan32(ba) || IsSnan32(bb);
        }

        ulong f;
        if (double.IsNaN(a) || double.IsNaN(b))
        {
            f = RFlags.ZF | RFlags.PF | RFlags.CF;
            if (i.Aux < 2 || snan)
            {
                c.RaiseMxcsrFlags(1); // IE
            }
        }
        else
        {
            f = a < b ? RFlags.CF : a == b ? RFlags.ZF : 0;
        }

        if ((BitConverter.DoubleToUInt64Bits(a) & 0x7FF0_0000_0000_0000) == 0 && a != 0 || (BitConverter.DoubleToUInt64Bits(b) & 0x7FF0_0000_0000_0000) == 0 && b != 0)
        {
            if (dbl && (c.R.Mxcsr & 0x40) == 0)
            {
                c.RaiseMxcsrFlags(2); // DE: a denormal operand
            }
        }

        c.SetMaterialized(f);
        return c.SimdExceptionsUnmasked ? c.CheckSimdException(ref i) : 0;
    }

    private static bool IsSnan64(ulong b) => (b & 0x7FF0_0000_0000_0000) == 0x7FF0_0000_0000_0000 && (b & 0x000F_FFFF_FFFF_FFFF) != 0 && (b & 0x0008_0000_0000_0000) == 0;

    private static bool IsSnan32(uint b) => (b & 0x7F80_0000) == 0x7F80_0000 && (b & 0x007F_FFFF) != 0 && (b & 0x0040_0000) == 0;
}
