using System;
using System.Linq;
using System.Numerics;
using Iced.Intel;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu.Decode;

/// <summary>
/// Turns an Iced <see cref="Instruction"/> into an <see cref="Insn"/>: fills the operands and picks
/// the handler specialised for the operand form and width, once, at decode time.
/// </summary>
/// <remarks>
/// Each instruction family registers a builder per mnemonic from its own file
/// (Translator.&lt;Family&gt;.cs), so families can be added without touching a central switch.
/// </remarks>
public static unsafe partial class Translator
{
    private static readonly delegate*<ref Insn, in Instruction, bool>[] s_builders =
        new delegate*<ref Insn, in Instruction, bool>[(int)Enum.GetValues<Mnemonic>().Max() + 1];

    static Translator()
    {
        RegisterAlu();
        RegisterMov();
        RegisterStack();
        RegisterBranch();
        RegisterSystem();
        RegisterInteger();
        RegisterSse();
        RegisterX87();
        RegisterMmx();
        RegisterFamilies();
    }

    /// <summary>Families added by other files register here (one line each).</summary>
    static partial void RegisterFamilies();

    /// <summary>Associates a builder with a mnemonic; a family that claims an already-claimed mnemonic is a bug.</summary>
    internal static void Define(Mnemonic m, delegate*<ref Insn, in Instruction, bool> builder)
    {
        if (s_builders[(int)m] != null)
        {
            throw new InvalidOperationException($"two instruction families register {m}");
        }

        s_builders[(int)m] = builder;
    }

    /// <summary>Mnemonics with a builder (for tests and CPUID honesty checks).</summary>
    public static bool Supports(Mnemonic m) => s_builders[(int)m] != null;

    /// <summary>
    /// Translates one instruction. An instruction no family handles becomes an #UD at run time.
    /// </summary>
    /// <returns>True when the instruction ends the block.</returns>
    public static bool Translate(ref Insn d, in Instruction ins)
    {
        d.Next = ins.NextIP;
        d.Len = (byte)ins.Length;
        d.Code = (ushort)ins.Code;
        d.Base = d.Index = d.Seg = Reg.Zero * 8;
        if (ins.HasLockPrefix)
        {
            d.Flags |= InsnFlags.Lock;
        }

        if (ins.HasRepPrefix || ins.HasRepePrefix)
        {
            d.Flags |= InsnFlags.Rep;
        }

        if (ins.HasRepnePrefix)
        {
            d.Flags |= InsnFlags.Repne;
        }

        delegate*<ref Insn, in Instruction, bool> builder = s_builders[(int)ins.Mnemonic];
        if (builder == null || !builder(ref d, in ins) || d.Fn == null)
        {
            MakeInvalid(ref d, ins.IP, ins.Length, (ushort)ins.Code);
            return true;
        }

        return ins.FlowControl != FlowControl.Next;
    }

    /// <summary>An instruction that raises #UD (SIGILL) when executed.</summary>
    public static void MakeInvalid(ref Insn d, ulong rip, int length, ushort code)
    {
        d.Fn = &Interpreter.Invalid;
        d.Flags |= InsnFlags.Untranslated;
        d.Next = rip + (ulong)length;
        d.Len = (byte)length;
        d.Code = code;
    }

    /// <summary>A pseudo-instruction that ends a block by continuing at <paramref name="target"/>.</summary>
    public static void MakeFallThrough(ref Insn d, ulong target)
    {
        d.Fn = &Interpreter.FallThrough;
        d.Imm = target;
        d.Next = target;
        d.Len = 0;
    }

    // ------------------------------------------------------------------ operand helpers

    /// <summary>Byte offset in the GPR file of an Iced general-purpose register (AH..BH: +1).</summary>
    public static byte GprOff(Register r)
    {
        switch (r)
        {
            case Register.AH: return 0 * 8 + 1;
            case Register.CH: return 1 * 8 + 1;
            case Register.DH: return 2 * 8 + 1;
            case Register.BH: return 3 * 8 + 1;
        }

        Register full = r.GetFullRegister();
        if (full < Register.RAX || full > Register.R15)
        {
            throw new ArgumentException($"{r} is not a general-purpose register");
        }

        return (byte)((full - Register.RAX) * 8);
    }

    /// <summary>XMM register number 0..15.</summary>
    public static byte XmmNum(Register r)
    {
        if (r >= Register.XMM0 && r <= Register.XMM15)
        {
            return (byte)(r - Register.XMM0);
        }

        throw new ArgumentException($"{r} is not XMM0..XMM15");
    }

    /// <summary>Fills the memory operand: base, index, scale, displacement (absolute for RIP-relative), FS/GS.</summary>
    public static void SetMem(ref Insn d, in Instruction ins)
    {
        d.Flags |= InsnFlags.Mem;
        if (ins.IsIPRelativeMemoryOperand)
        {
            d.Base = d.Index = Reg.Zero * 8;
            d.Disp = ins.IPRelativeMemoryAddress;
        }
        else
        {
            d.Base = ins.MemoryBase == Register.None ? (byte)(Reg.Zero * 8) : GprOff(ins.MemoryBase);
            d.Index = ins.MemoryIndex == Register.None ? (byte)(Reg.Zero * 8) : GprOff(ins.MemoryIndex);
            d.Scale = (byte)BitOperations.Log2((uint)Math.Max(1, ins.MemoryIndexScale));
            d.Disp = ins.MemoryDisplacement64;
            if (ins.MemoryDisplSize == 4 && ins.MemoryBase.GetSize() == 4)
            {
                d.Disp = (uint)d.Disp;
            }
        }

        Register seg = ins.MemorySegment;
        d.Seg = seg switch
        {
            Register.FS => Reg.FsBase * 8,
            Register.GS => Reg.GsBase * 8,
            _ => Reg.Zero * 8,
        };

        if (ins.MemoryBase.GetSize() == 4 || ins.MemoryIndex.GetSize() == 4 || (ins.IsIPRelativeMemoryOperand && ins.MemoryBase == Register.EIP))
        {
            d.Flags |= InsnFlags.Addr32;
        }
    }

    /// <summary>
    /// Picks the handler for the memory operand's address form (filled by <see cref="SetMem"/>):
    /// [disp] (absolute or RIP-relative), [base + disp], or anything else (index, FS/GS, 67h).
    /// </summary>
    public static delegate*<Cpu, ref Insn, int> ByEa(in Insn d,
        delegate*<Cpu, ref Insn, int> full, delegate*<Cpu, ref Insn, int> baseDisp, delegate*<Cpu, ref Insn, int> disp)
    {
        if (d.Index != Reg.Zero * 8 || d.Seg != Reg.Zero * 8 || (d.Flags & InsnFlags.Addr32) != 0)
        {
            return full;
        }

        return d.Base == Reg.Zero * 8 ? disp : baseDisp;
    }

    /// <summary>Size in bytes of operand <paramref name="n"/> (register or memory).</summary>
    public static int OpSize(in Instruction ins, int n)
    {
        return ins.GetOpKind(n) switch
        {
            OpKind.Register => ins.GetOpRegister(n).GetSize(),
            OpKind.Memory => ins.MemorySize.GetSize(),
            _ => 0,
        };
    }

    /// <summary>True when operand <paramref name="n"/> is a GPR.</summary>
    public static bool IsGpr(in Instruction ins, int n) =>
        ins.GetOpKind(n) == OpKind.Register && ins.GetOpRegister(n).IsGPR();

    public static bool IsMem(in Instruction ins, int n) => ins.GetOpKind(n) == OpKind.Memory;

    public static bool IsImm(in Instruction ins, int n) => ins.GetOpKind(n) switch
    {
        OpKind.Immediate8 or OpKind.Immediate16 or OpKind.Immediate32 or OpKind.Immediate64
            or OpKind.Immediate8to16 or OpKind.Immediate8to32 or OpKind.Immediate8to64 or OpKind.Immediate32to64 => true,
        _ => false,
    };

    /// <summary>Picks one of four handlers by operand size in bytes (1, 2, 4, 8).</summary>
    public static delegate*<Cpu, ref Insn, int> BySize(int size,
        delegate*<Cpu, ref Insn, int> h8, delegate*<Cpu, ref Insn, int> h16,
        delegate*<Cpu, ref Insn, int> h32, delegate*<Cpu, ref Insn, int> h64) => size switch
    {
        1 => h8,
        2 => h16,
        4 => h32,
        8 => h64,
        _ => null,
    };
}
