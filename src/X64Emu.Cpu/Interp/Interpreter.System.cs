using System.Diagnostics;
using X64Emu.Cpu.Decode;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    public static int Syscall(Cpu c, ref Insn i)
    {
        c.Gpr(Reg.Rcx) = i.Next;
        c.Gpr(Reg.R11) = c.Rflags;
        c.R.Rip = i.Next;
        return (int)ExitReason.Syscall;
    }

    public static int Cpuid(Cpu c, ref Insn i)
    {
        CpuFeatures.Query((uint)c.Gpr(Reg.Rax), (uint)c.Gpr(Reg.Rcx), out uint a, out uint b, out uint cx, out uint d);
        c.Gpr(Reg.Rax) = a;
        c.Gpr(Reg.Rbx) = b;
        c.Gpr(Reg.Rcx) = cx;
        c.Gpr(Reg.Rdx) = d;
        return 0;
    }

    public static int Rdtsc(Cpu c, ref Insn i)
    {
        ulong t = (ulong)Stopwatch.GetTimestamp();
        c.Gpr(Reg.Rax) = (uint)t;
        c.Gpr(Reg.Rdx) = t >> 32;
        return 0;
    }

    /// <summary>RDPKRU: EAX = PKRU, EDX = 0; #GP unless ECX is 0 (SDM Vol.2B).</summary>
    public static int Rdpkru(Cpu c, ref Insn i)
    {
        if ((uint)c.Gpr(Reg.Rcx) != 0)
        {
            return c.Raise(ref i, ExitReason.GeneralProtection);
        }

        c.Gpr(Reg.Rax) = c.Mmu.Pkru;
        c.Gpr(Reg.Rdx) = 0;
        return 0;
    }

    /// <summary>WRPKRU: PKRU = EAX; #GP unless ECX and EDX are 0. Translations cached under the old rights are dropped.</summary>
    public static int Wrpkru(Cpu c, ref Insn i)
    {
        if ((uint)c.Gpr(Reg.Rcx) != 0 || (uint)c.Gpr(Reg.Rdx) != 0)
        {
            return c.Raise(ref i, ExitReason.GeneralProtection);
        }

        c.Mmu.SetPkru((uint)c.Gpr(Reg.Rax));
        return 0;
    }

    public static int Int3(Cpu c, ref Insn i)
    {
        // SIGTRAP is reported with RIP after the INT3, as the hardware leaves it.
        c.R.Rip = i.Next;
        return (int)ExitReason.Breakpoint;
    }

    public static int Ud(Cpu c, ref Insn i) => c.Raise(ref i, ExitReason.InvalidOpcode);

    public static int Hlt(Cpu c, ref Insn i) => c.Raise(ref i, ExitReason.Privileged);
}
