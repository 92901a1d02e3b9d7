using X64Emu.Cpu.Flags;
using X64Emu.Memory;
using Xunit;

namespace X64Emu.Cpu.Tests;

public class CpuTests
{
    [Fact]
    public void Run_ArithmeticThenSyscall_StopsAtSyscallWithRegisters()
    {
        // mov eax, 5; add eax, 3; mov rdi, rax; mov eax, 60; syscall
        byte[] code = { 0xB8, 5, 0, 0, 0, 0x83, 0xC0, 3, 0x48, 0x89, 0xC7, 0xB8, 60, 0, 0, 0, 0x0F, 0x05 };
        using CpuFixture f = new(code);
        Assert.Equal(ExitReason.Syscall, f.Cpu.Run());
        Assert.Equal(8UL, f.Cpu.Gpr(Reg.Rdi));
        Assert.Equal(60UL, f.Cpu.Gpr(Reg.Rax));
        Assert.Equal(CpuFixture.CodeVa + (ulong)code.Length, f.Cpu.R.Rip);
    }

    [Fact]
    public void Run_LoopWithCallAndMemory_ComputesSum()
    {
        // xor ecx,ecx; xor eax,eax; L: add rax,rcx; inc ecx; cmp ecx,10; jne L; mov [0x600000],rax; call F; syscall; F: mov rbx,[0x600000]; ret
        byte[] code =
        {
            0x31, 0xC9, 0x31, 0xC0,
            0x48, 0x01, 0xC8, 0xFF, 0xC1, 0x83, 0xF9, 0x0A, 0x75, 0xF6,
            0x48, 0x89, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
            0xE8, 0x02, 0x00, 0x00, 0x00,
            0x0F, 0x05,
            0x48, 0x8B, 0x1C, 0x25, 0x00, 0x00, 0x60, 0x00, 0xC3,
        };
        using CpuFixture f = new(code);
        Assert.Equal(ExitReason.Syscall, f.Cpu.Run());
        Assert.Equal(45UL, f.Cpu.Gpr(Reg.Rax));
        Assert.Equal(45UL, f.Cpu.Gpr(Reg.Rbx));
        Assert.Equal(CpuFixture.StackTop, f.Cpu.Gpr(Reg.Rsp));
    }

    [Fact]
    public void Run_StoreToUnmapped_FaultsAtInstruction()
    {
        // mov eax, 1; mov [0x10], eax
        byte[] code = { 0xB8, 1, 0, 0, 0, 0x89, 0x04, 0x25, 0x10, 0, 0, 0 };
        using CpuFixture f = new(code);
        Assert.Equal(ExitReason.PageFault, f.Cpu.Run());
        Assert.Equal(CpuFixture.CodeVa + 5, f.Cpu.R.Rip);
        Assert.Equal(FaultKind.MapErr, f.Mmu.LastFault.Kind);
        Assert.Equal(0x10UL, f.Mmu.LastFault.Va);
    }

    [Fact]
    public void Flags_CmpThenConditions_MatchHardwareRules()
    {
        // mov eax, -1; cmp eax, 1; setl bl; setb dl; seto dh; syscall
        byte[] code = { 0xB8, 0xFF, 0xFF, 0xFF, 0xFF, 0x83, 0xF8, 0x01, 0x0F, 0x9C, 0xC3, 0x0F, 0x92, 0xC2, 0x0F, 0x90, 0xC6, 0x0F, 0x05 };
        using CpuFixture f = new(code);
        Assert.Equal(ExitReason.Syscall, f.Cpu.Run());
        Assert.Equal(1UL, f.Cpu.Gpr(Reg.Rbx) & 0xFF); // -1 < 1 signed
        Assert.Equal(0UL, f.Cpu.Gpr(Reg.Rdx) & 0xFF); // 0xFFFFFFFF > 1 unsigned
        Assert.Equal(0UL, (f.Cpu.Gpr(Reg.Rdx) >> 8) & 0xFF);
        ulong fl = f.Cpu.ArithFlags;
        Assert.Equal(RFlags.SF, fl & (RFlags.SF | RFlags.ZF | RFlags.CF | RFlags.OF));
    }

    [Fact]
    public void Run_InvalidOpcode_ReportsIt()
    {
        byte[] code = { 0x90, 0x0F, 0x0B };
        using CpuFixture f = new(code);
        Assert.Equal(ExitReason.InvalidOpcode, f.Cpu.Run());
        Assert.Equal(CpuFixture.CodeVa + 1, f.Cpu.R.Rip);
    }
}
