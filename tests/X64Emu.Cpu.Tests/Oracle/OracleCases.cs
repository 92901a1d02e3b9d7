using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace X64Emu.Cpu.Tests.Oracle;

/// <summary>
/// The instruction table for <see cref="NativeOracleTests"/>. Operands use RAX..RDI and the memory
/// cell [RBP] only; undefined flags follow the SDM Vol.2 "Flags Affected" sections.
/// </summary>
public static partial class OracleCases
{
    public const ulong CF = 0x001;
    public const ulong PF = 0x004;
    public const ulong AF = 0x010;
    public const ulong ZF = 0x040;
    public const ulong SF = 0x080;
    public const ulong OF = 0x800;
    public const ulong Arith = CF | PF | AF | ZF | SF | OF;

    private static readonly Lazy<Dictionary<string, OracleCase>> s_all = new(Create);

    public static IReadOnlyDictionary<string, OracleCase> All => s_all.Value;

    private static Dictionary<string, OracleCase> Create()
    {
        List<OracleCase> list = new();
        AddAlu(list);
        AddUnary(list);
        AddShifts(list);
        AddMulDiv(list);
        AddBits(list);
        AddConditional(list);
        AddFlow(list);
        AddMoves(list);
        AddExchange(list);
        Dictionary<string, OracleCase> d = new();
        foreach (OracleCase c in list)
        {
            string name = c.Name;
            for (int n = 2; d.ContainsKey(name); n++)
            {
                name = $"{c.Name} #{n}";
            }

            d[name] = c;
        }

        return d;
    }

    private static readonly AssemblerMemoryOperand M8 = __byte_ptr[rbp];
    private static readonly AssemblerMemoryOperand M16 = __word_ptr[rbp];
    private static readonly AssemblerMemoryOperand M32 = __dword_ptr[rbp];
    private static readonly AssemblerMemoryOperand M64 = __qword_ptr[rbp];

    /// <summary>One instruction by mnemonic and operands (found by reflection on Iced's Assembler); "lock xxx" adds LOCK.</summary>
    private static Action<Assembler> I(string mnemonic, params object[] operands)
    {
        bool locked = mnemonic.StartsWith("lock ", StringComparison.Ordinal);
        string name = locked ? mnemonic.Substring(5) : mnemonic;
        Type[] types = operands.Select(o => o.GetType()).ToArray();
        MethodInfo m = typeof(Assembler).GetMethod(name, types)
            ?? throw new InvalidOperationException($"no Assembler.{name}({string.Join(", ", types.Select(t => t.Name))})");
        return a => m.Invoke(locked ? a.@lock : a, operands);
    }

    /// <summary>A case from one or more instructions; its name is the disassembly.</summary>
    private static OracleCase Make(Func<RegState, ulong>? undefined, Func<RegState, bool>? valid, Shaper? shape, params Action<Assembler>[] insns)
    {
        byte[] code = HostCpu.Assemble(a =>
        {
            foreach (Action<Assembler> i in insns)
            {
                i(a);
            }
        });
        return new OracleCase(Disassemble(code), code)
        {
            Undefined = undefined ?? (static _ => 0),
            Valid = valid ?? (static _ => true),
            Shape = shape,
        };
    }

    private static OracleCase Make(ulong undefined, params Action<Assembler>[] insns) => Make(_ => undefined, null, null, insns);

    private static string Disassemble(byte[] code)
    {
        Decoder dec = Decoder.Create(64, new ByteArrayCodeReader(code));
        NasmFormatter fmt = new();
        fmt.Options.SpaceAfterOperandSeparator = true;
        StringOutput o = new();
        List<string> parts = new();
        while (dec.IP < (ulong)code.Length)
        {
            dec.Decode(out Instruction insn);
            fmt.Format(insn, o);
            parts.Add(o.ToStringAndReset());
        }

        return string.Join("; ", parts);
    }

    /// <summary>Operand width in bits of a register or memory operand object.</summary>
    private static int Width(object operand) => operand switch
    {
        AssemblerRegister8 => 8,
        AssemblerRegister16 => 16,
        AssemblerRegister32 => 32,
        AssemblerRegister64 => 64,
        AssemblerMemoryOperand m when m.Equals(M8) => 8,
        AssemblerMemoryOperand m when m.Equals(M16) => 16,
        AssemblerMemoryOperand m when m.Equals(M32) => 32,
        AssemblerMemoryOperand m when m.Equals(M64) => 64,
        _ => throw new ArgumentException(operand.GetType().Name),
    };

    /// <summary>An immediate of the type Iced's overloads take for a destination of <paramref name="bits"/> bits.</summary>
    private static object Imm(int bits, long v) => bits switch
    {
        8 => (object)(sbyte)v, // box each arm: the switch's natural type would widen them all to int
        16 => (object)(short)v,
        _ => (object)(int)v,
    };

    /// <summary>The low byte of RCX (CL) as a shift count.</summary>
    private static ulong Cl(RegState s) => s.Rcx & 0xFF;

    // --- ADD ADC SUB SBB CMP AND OR XOR TEST ---------------------------------------------------------

    private static void AddAlu(List<OracleCase> list)
    {
        string[] ops = { "add", "adc", "sub", "sbb", "cmp", "and", "or", "xor", "test" };
        foreach (string op in ops)
        {
            bool logic = op is "and" or "or" or "xor" or "test";
            ulong undef = logic ? AF : 0; // SDM: AND/OR/XOR/TEST leave AF undefined
            object[][] regForms =
            {
                new object[] { ah, cl }, new object[] { dl, bh }, new object[] { sil, dil },
                new object[] { cx, dx }, new object[] { si, di },
                new object[] { eax, ebx }, new object[] { edi, esi },
                new object[] { rax, rbx }, new object[] { rcx, rdx },
                new object[] { M8, ah }, new object[] { M16, bx }, new object[] { M32, ecx }, new object[] { M64, rdx },
            };
            foreach (object[] f in regForms)
            {
                list.Add(Make(undef, I(op, f)));
            }

            if (op != "test")
            {
                // reg, r/m direction (opcode 02/03 ...).
                list.Add(Make(undef, I(op, bl, M8)));
                list.Add(Make(undef, I(op, esi, M32)));
                list.Add(Make(undef, I(op, rdi, M64)));
            }

            (object Dst, long Imm)[] immForms =
            {
                (al, 0x7F), (bh, -128), (ax, 0x1234), (bx, -1), (eax, int.MinValue), (ecx, 1), (edx, 0x12345678),
                (rax, int.MinValue), (rsi, -1), (rdi, 0x7FFFFFFF), (M8, 0x55), (M32, -7), (M64, 0x40000000),
            };
            foreach ((object dst, long imm) in immForms)
            {
                list.Add(Make(undef, I(op, dst, dst is AssemblerMemoryOperand ? (int)imm : Imm(Width(dst), imm))));
            }

            if (op is not ("cmp" or "test"))
            {
                list.Add(Make(undef, I("lock " + op, M64, rcx)));
                list.Add(Make(undef, I("lock " + op, M16, si)));
                list.Add(Make(undef, I("lock " + op, M32, Imm(32, 0x7FFF0001))));
            }
        }
    }

    // --- INC DEC NEG NOT ------------------------------------------------------------------------------

    private static void AddUnary(List<OracleCase> list)
    {
        object[] dsts = { bl, ah, dil, cx, si, edx, eax, rbx, rdi, M8, M16, M32, M64 };
        foreach (string op in new[] { "inc", "dec", "neg", "not" })
        {
            foreach (object d in dsts)
            {
                list.Add(Make(0, I(op, d)));
            }

            list.Add(Make(0, I("lock " + op, M64)));
        }
    }

    // --- SHL SHR SAR ROL ROR RCL RCR, SHLD SHRD ------------------------------------------------------

    private static void AddShifts(List<OracleCase> list)
    {
        string[] ops = { "shl", "shr", "sar", "rol", "ror", "rcl", "rcr" };
        object[] dsts = { bl, ah, si, edx, rax, M8, M32, M64 };
        foreach (string op in ops)
        {
            foreach (object d in dsts)
            {
                int w = Width(d);
                list.Add(ShiftCase(op, w, _ => 1, I(op, d, Imm(8, 1))));
                list.Add(ShiftCase(op, w, Cl, I(op, d, cl)));
                foreach (int n in new[] { 0, 3, w - 1, w, w + 1, 31, 33, 63, 64, 255 }.Distinct())
                {
                    ulong count = (ulong)n & 0xFF;
                    list.Add(ShiftCase(op, w, _ => count, I(op, d, (byte)n)));
                }
            }
        }

        foreach (string op in new[] { "shld", "shrd" })
        {
            (object Dst, object Src)[] forms = { (bx, si), (edx, eax), (rdi, rbx), (M16, cx), (M32, esi), (M64, rax) };
            foreach ((object d, object s) in forms)
            {
                int w = Width(d);
                list.Add(DoubleShiftCase(w, Cl, I(op, d, s, cl)));
                foreach (int n in new[] { 0, 1, 4, 15, 16, 17, 31, 32, 33, 63 })
                {
                    ulong count = (ulong)n;
                    if (w == 16 && (n & 31) > 16)
                    {
                        continue; // the result itself is undefined
                    }

                    list.Add(DoubleShiftCase(w, _ => count, I(op, d, s, (byte)n)));
                }
            }
        }
    }

    private static OracleCase ShiftCase(string op, int width, Func<RegState, ulong> count, Action<Assembler> insn)
    {
        ulong countMask = width == 64 ? 63UL : 31UL;
        bool rotate = op is "rol" or "ror" or "rcl" or "rcr";
        return Make(s =>
        {
            ulong c = count(s) & countMask;
            if (c == 0)
            {
                return 0; // no flags change at all
            }

            ulong u = c == 1 ? 0 : OF; // OF only for 1-bit shifts and rotates
            if (!rotate)
            {
                u |= AF; // SDM: "For a non-zero count, the AF flag is undefined"
                if ((op is "shl" or "shr") && c >= (ulong)width)
                {
                    u |= CF; // undefined when the count is >= the operand size (8- and 16-bit only)
                }
            }

            return u;
        }, null, null, insn);
    }

    private static OracleCase DoubleShiftCase(int width, Func<RegState, ulong> count, Action<Assembler> insn)
    {
        ulong countMask = width == 64 ? 63UL : 31UL;
        return Make(
            s =>
            {
                ulong c = count(s) & countMask;
                return c == 0 ? 0 : AF | (c == 1 ? 0 : OF);
            },
            s => width != 16 || (count(s) & 31) <= 16, // larger counts leave the destination undefined
            null,
            insn);
    }
}
