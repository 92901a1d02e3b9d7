using System;
using X64Emu.Memory;

namespace X64Emu.Cpu.Tests.Oracle;

/// <summary>
/// Runs the same instruction bytes in the emulator, followed by UD2 to stop the CPU (not SYSCALL:
/// that would load RCX and R11).
/// </summary>
public sealed class EmuRunner : IDisposable
{
    private readonly CpuFixture _f;
    private readonly ulong _end;

    public EmuRunner(byte[] insn, X64Emu.Cpu.Jit.JitMode jit = X64Emu.Cpu.Jit.JitMode.Off)
    {
        byte[] code = new byte[insn.Length + 2];
        insn.CopyTo(code, 0);
        code[^2] = 0x0F; // ud2
        code[^1] = 0x0B;
        _f = new CpuFixture(code, jit);
        _end = CpuFixture.CodeVa + (ulong)insn.Length;
    }

    /// <summary>Runs on <paramref name="s"/> in place; returns null, or why the run did not reach the UD2.</summary>
    public string? Run(ref RegState s)
    {
        Cpu c = _f.Cpu;
        for (int i = 0; i < 16; i++)
        {
            c.Gpr(i) = 0;
        }

        c.Gpr(Reg.Rax) = s.Rax;
        c.Gpr(Reg.Rbx) = s.Rbx;
        c.Gpr(Reg.Rcx) = s.Rcx;
        c.Gpr(Reg.Rdx) = s.Rdx;
        c.Gpr(Reg.Rsi) = s.Rsi;
        c.Gpr(Reg.Rdi) = s.Rdi;
        c.Gpr(Reg.Rsp) = CpuFixture.StackTop;
        c.Gpr(Reg.Rbp) = CpuFixture.DataVa;
        c.Rflags = (s.Rflags & 0x8D5) | 2;
        if (!_f.Space.WriteUser64(CpuFixture.DataVa, s.Mem))
        {
            return "cannot write the memory cell";
        }

        c.R.Rip = CpuFixture.CodeVa;
        ExitReason r = c.Run();
        if (r != ExitReason.InvalidOpcode || c.R.Rip != _end)
        {
            return $"stopped with {r} at rip 0x{c.R.Rip:x}";
        }

        s.Rax = c.Gpr(Reg.Rax);
        s.Rbx = c.Gpr(Reg.Rbx);
        s.Rcx = c.Gpr(Reg.Rcx);
        s.Rdx = c.Gpr(Reg.Rdx);
        s.Rsi = c.Gpr(Reg.Rsi);
        s.Rdi = c.Gpr(Reg.Rdi);
        s.Rflags = c.Rflags;
        if (!_f.Space.ReadUser64(CpuFixture.DataVa, out ulong mem))
        {
            return "cannot read the memory cell";
        }

        s.Mem = mem;
        if (c.Gpr(Reg.Rsp) != CpuFixture.StackTop || c.Gpr(Reg.Rbp) != CpuFixture.DataVa)
        {
            return "rsp or rbp changed";
        }

        return null;
    }

    public void Dispose() => _f.Dispose();
}
