using System;
using System.Collections.Generic;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace X64Emu.Cpu.Tests.Oracle;

public static partial class OracleCases
{
    // --- MUL IMUL DIV IDIV ---------------------------------------------------------------------------

    private static void AddMulDiv(List<OracleCase> list)
    {
        const ulong mulUndef = SF | ZF | AF | PF; // SDM MUL/IMUL: only CF and OF are defined
        foreach (object src in new object[] { bl, ah, si, ecx, rdi, M8, M16, M32, M64 })
        {
            list.Add(Make(mulUndef, I("mul", src)));
            list.Add(Make(mulUndef, I("imul", src)));
        }

        (object Dst, object Src)[] two = { (dx, si), (ecx, ebx), (eax, edi), (rsi, rdx), (rdi, rax), (bx, M16), (ecx, M32), (rax, M64) };
        foreach ((object d, object s) in two)
        {
            list.Add(Make(mulUndef, I("imul", d, s)));
        }

        (object Dst, object Src, long Imm)[] three =
        {
            (ax, bx, 3), (si, di, -300), (cx, M16, 0x7FFF),
            (ecx, edx, 0x12345), (edi, eax, -1), (ebx, M32, -128),
            (rsi, rdi, -3), (rax, rbx, 0x7FFFFFFF), (rdx, rcx, int.MinValue), (rbx, M64, 10),
        };
        foreach ((object d, object s, long imm) in three)
        {
            list.Add(Make(mulUndef, I("imul", d, s, Imm(Width(d), imm))));
        }

        foreach (object src in new object[] { bl, dh, si, ecx, rdi, M8, M16, M32, M64 })
        {
            foreach (bool signed in new[] { false, true })
            {
                Func<RegState, ulong> divisor = DivisorOf(src);
                int w = Width(src);
                list.Add(Make(_ => Arith, s => DivOk(s, w, divisor(s), signed), (Random rng, ref RegState s) => ShapeDividend(rng, ref s, w, divisor(s), signed),
                    I(signed ? "idiv" : "div", src)));
            }
        }
    }

    private static Func<RegState, ulong> DivisorOf(object src) => src switch
    {
        AssemblerRegister8 r when r == bl => s => s.Rbx & 0xFF,
        AssemblerRegister8 r when r == dh => s => (s.Rdx >> 8) & 0xFF,
        AssemblerRegister16 r when r == si => s => s.Rsi & 0xFFFF,
        AssemblerRegister32 r when r == ecx => s => s.Rcx & 0xFFFFFFFF,
        AssemblerRegister64 r when r == rdi => s => s.Rdi,
        AssemblerMemoryOperand m => Width(m) switch
        {
            8 => s => s.Mem & 0xFF,
            16 => s => s.Mem & 0xFFFF,
            32 => s => s.Mem & 0xFFFFFFFF,
            _ => s => s.Mem,
        },
        _ => throw new ArgumentException("no divisor accessor for " + src),
    };

    /// <summary>True when DIV/IDIV of this width does not raise #DE (divisor 0 or quotient overflow).</summary>
    private static bool DivOk(RegState s, int w, ulong divisor, bool signed)
    {
        if (divisor == 0)
        {
            return false;
        }

        UInt128 dividend = w switch
        {
            8 => s.Rax & 0xFFFF,
            16 => ((s.Rdx & 0xFFFF) << 16) | (s.Rax & 0xFFFF),
            32 => ((s.Rdx & 0xFFFFFFFF) << 32) | (s.Rax & 0xFFFFFFFF),
            _ => ((UInt128)s.Rdx << 64) | s.Rax,
        };
        if (!signed)
        {
            return dividend / divisor < ((UInt128)1 << w);
        }

        int dbits = 2 * w;
        Int128 sd = (Int128)(dividend << (128 - dbits)) >> (128 - dbits);
        Int128 sv = (Int128)((UInt128)divisor << (128 - w)) >> (128 - w);
        Int128 q = sd / sv; // truncates toward zero, as IDIV does
        Int128 lim = (Int128)1 << (w - 1);
        return q >= -lim && q < lim;
    }

    /// <summary>Half the time, makes the high half of the dividend small enough that the quotient fits.</summary>
    private static void ShapeDividend(Random rng, ref RegState s, int w, ulong divisor, bool signed)
    {
        if (rng.Next(2) == 0 || divisor == 0)
        {
            return;
        }

        ulong mask = w == 64 ? ulong.MaxValue : (1UL << w) - 1;
        ulong high;
        if (signed)
        {
            ulong low = w == 8 ? s.Rax & 0xFF : s.Rax & mask;
            high = (low & (1UL << (w - 1))) != 0 ? mask : 0; // the sign extension: CBW/CWD/CDQ/CQO
        }
        else
        {
            ulong cur = w == 8 ? (s.Rax >> 8) & 0xFF : s.Rdx & mask;
            high = cur % divisor;
        }

        if (w == 8)
        {
            s.Rax = (s.Rax & ~0xFF00UL) | (high << 8);
        }
        else
        {
            s.Rdx = (s.Rdx & ~mask) | high;
        }
    }

    // --- BT BTS BTR BTC, BSF BSR, POPCNT, BSWAP ------------------------------------------------------

    private static void AddBits(List<OracleCase> list)
    {
        const ulong btUndef = OF | SF | AF | PF; // CF is the bit, ZF is unaffected
        foreach (string op in new[] { "bt", "bts", "btr", "btc" })
        {
            foreach ((object d, object s) in new (object, object)[] { (ax, bx), (ecx, edx), (rsi, rdi), (rax, rcx) })
            {
                list.Add(Make(btUndef, I(op, d, s)));
            }

            foreach ((object d, int n) in new (object, int)[] { (si, 15), (di, 17), (edx, 0), (eax, 37), (rbx, 63), (rcx, 200) })
            {
                list.Add(Make(btUndef, I(op, d, (byte)n)));
            }

            list.Add(Make(btUndef, I(op, M32, (byte)21)));
            list.Add(Make(btUndef, I(op, M64, (byte)60)));

            // A register bit offset on memory addresses beyond the operand: keep it inside the cell.
            Shaper inCell = static (Random rng, ref RegState s) => s.Rcx &= 63;
            list.Add(Make(_ => btUndef, null, inCell, I(op, M64, rcx)));
            list.Add(Make(_ => btUndef, null, inCell, I(op, M32, ecx)));
            if (op != "bt")
            {
                list.Add(Make(_ => btUndef, null, inCell, I("lock " + op, M64, rcx)));
            }
        }

        const ulong bsUndef = CF | OF | SF | AF | PF; // only ZF is defined
        Shaper sometimesZero = static (Random rng, ref RegState s) =>
        {
            if (rng.Next(8) == 0)
            {
                s.Rdx = 0;
                s.Rdi = 0;
                s.Mem = 0;
            }
        };
        foreach (string op in new[] { "bsf", "bsr" })
        {
            foreach ((object d, object s) in new (object, object)[] { (ax, dx), (rsi, rdi), (rax, M64) })
            {
                list.Add(Make(_ => bsUndef, null, sometimesZero, I(op, d, s)));
            }

            // A zero source leaves a 32-bit destination unchanged on AMD but zero-extended on Intel
            // (Linux arch/x86/include/asm/bitops.h): vendor-specific, so 32-bit forms skip zero.
            list.Add(Make(_ => bsUndef, static s => (s.Rdx & 0xFFFFFFFF) != 0, null, I(op, ecx, edx)));
            list.Add(Make(_ => bsUndef, static s => (s.Mem & 0xFFFFFFFF) != 0, null, I(op, ebx, M32)));
        }

        foreach ((object d, object s) in new (object, object)[] { (ax, dx), (ecx, edx), (rsi, rdi), (ebx, M32), (rax, M64) })
        {
            list.Add(Make(0, I("popcnt", d, s)));
        }

        foreach (object r in new object[] { ecx, edi, rdx, rax })
        {
            list.Add(Make(0, I("bswap", r)));
        }
    }

    // --- MOVZX MOVSX MOVSXD LEA CBW... ---------------------------------------------------------------

    private static void AddMoves(List<OracleCase> list)
    {
        (object Dst, object Src)[] ext =
        {
            (ax, bl), (cx, ah), (eax, bh), (ecx, dl), (edx, si), (rsi, dil), (rdi, cx), (rax, bl), (ebx, M8), (rcx, M16),
        };
        foreach ((object d, object s) in ext)
        {
            list.Add(Make(0, I("movzx", d, s)));
            list.Add(Make(0, I("movsx", d, s)));
        }

        list.Add(Make(0, I("movsxd", rax, ecx)));
        list.Add(Make(0, I("movsxd", rdx, M32)));

        (object Dst, AssemblerMemoryOperand Ea)[] leas =
        {
            (rax, __[rbx + rcx * 4 + 0x12]),
            (eax, __[rbx + rcx * 8 - 1]),
            (ax, __[rbx + rsi + 0x7FFF]),
            (rdx, __[rsi + rdi]),
            (rdi, __[rdi * 2 + 0x7FFFFFFF]),
            (rsi, __[rax - 0x80000000]),
            (ecx, __[ebx + esi * 2 + 7]),
            (edx, __[eax + ecx - 0x10]),
            (rcx, __[ebx + edi]),
            (bx, __[edx * 8]),
        };
        foreach ((object d, AssemblerMemoryOperand ea) in leas)
        {
            list.Add(Make(0, I("lea", d, ea)));
        }

        // MOVBE (reported in CPUID.1:ECX): a byte-swapping load or store.
        foreach ((object d, object s) in new (object, object)[] { (ax, M16), (ecx, M32), (rdi, M64), (M16, si), (M32, ebx), (M64, rdx) })
        {
            list.Add(Make(0, I("movbe", d, s)));
        }

        foreach (string op in new[] { "cbw", "cwde", "cdqe", "cwd", "cdq", "cqo", "lahf", "sahf", "cmc", "clc", "stc" })
        {
            list.Add(Make(0, I(op)));
        }
    }

    // --- XADD CMPXCHG XCHG ---------------------------------------------------------------------------

    private static void AddExchange(List<OracleCase> list)
    {
        foreach ((object d, object s) in new (object, object)[] { (bl, ah), (si, di), (ecx, edx), (rbx, rdx), (M8, cl), (M32, esi), (M64, rcx) })
        {
            list.Add(Make(0, I("xadd", d, s)));
            if (d is AssemblerMemoryOperand)
            {
                list.Add(Make(0, I("lock xadd", d, s)));
            }
        }

        // CMPXCHG compares the accumulator with the destination: make them equal half the time.
        (object Dst, object Src, Shaper Eq)[] cx =
        {
            (bl, dl, (Random rng, ref RegState s) => s.Rax = rng.Next(2) == 0 ? (s.Rax & ~0xFFUL) | (s.Rbx & 0xFF) : s.Rax),
            (si, di, (Random rng, ref RegState s) => s.Rax = rng.Next(2) == 0 ? (s.Rax & ~0xFFFFUL) | (s.Rsi & 0xFFFF) : s.Rax),
            (ecx, edx, (Random rng, ref RegState s) => s.Rax = rng.Next(2) == 0 ? (s.Rax & ~0xFFFFFFFFUL) | (s.Rcx & 0xFFFFFFFF) : s.Rax),
            (rbx, rdx, (Random rng, ref RegState s) => s.Rax = rng.Next(2) == 0 ? s.Rbx : s.Rax),
            (M8, cl, (Random rng, ref RegState s) => s.Mem = rng.Next(2) == 0 ? (s.Mem & ~0xFFUL) | (s.Rax & 0xFF) : s.Mem),
            (M32, esi, (Random rng, ref RegState s) => s.Mem = rng.Next(2) == 0 ? (s.Mem & ~0xFFFFFFFFUL) | (s.Rax & 0xFFFFFFFF) : s.Mem),
            (M64, rcx, (Random rng, ref RegState s) => s.Mem = rng.Next(2) == 0 ? s.Rax : s.Mem),
        };
        foreach ((object d, object s, Shaper eq) in cx)
        {
            list.Add(Make(null, null, eq, I("cmpxchg", d, s)));
            if (d is AssemblerMemoryOperand)
            {
                list.Add(Make(null, null, eq, I("lock cmpxchg", d, s)));
            }
        }

        foreach ((object d, object s) in new (object, object)[] { (bl, ah), (si, di), (ecx, edx), (rbx, rdx), (M32, esi), (M64, rcx) })
        {
            list.Add(Make(0, I("xchg", d, s)));
        }
    }
}
