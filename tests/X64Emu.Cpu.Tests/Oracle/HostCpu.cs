using System;
using System.IO;
using System.Runtime.InteropServices;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace X64Emu.Cpu.Tests.Oracle;

/// <summary>
/// Runs instruction bytes on the host CPU (x86-64 Linux): a stub in an mmap'd page loads a
/// <see cref="RegState"/>, executes the bytes, stores the state back and returns.
/// </summary>
/// <remarks>
/// Preconditions: the bytes must not fault (a #DE or #GP would kill the test host), must not touch
/// RSP, RBP (the memory cell pointer) or R15 (the state pointer), and must fall through.
/// </remarks>
public sealed unsafe class HostCpu : IDisposable
{
    private const int ProtRead = 1;
    private const int ProtWrite = 2;
    private const int ProtExec = 4;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;
    private const nuint Size = 4096;

    private static readonly byte[] Prologue = Assemble(a =>
    {
        a.push(rbx);
        a.push(rbp);
        a.push(r12);
        a.push(r13);
        a.push(r14);
        a.push(r15);
        a.mov(r15, rdi);
        a.lea(rbp, __[r15 + 56]); // RBP, not R14: [rbp] needs no REX prefix, so AH..BH stay usable with memory
        a.mov(rax, __qword_ptr[r15]);
        a.mov(rbx, __qword_ptr[r15 + 8]);
        a.mov(rcx, __qword_ptr[r15 + 16]);
        a.mov(rdx, __qword_ptr[r15 + 24]);
        a.mov(rsi, __qword_ptr[r15 + 32]);
        a.push(__qword_ptr[r15 + 48]);
        a.popfq();
        a.mov(rdi, __qword_ptr[r15 + 40]); // MOV leaves the flags alone
    });

    private static readonly byte[] Epilogue = Assemble(a =>
    {
        a.pushfq();
        a.pop(__qword_ptr[r15 + 48]);
        a.mov(__qword_ptr[r15], rax);
        a.mov(__qword_ptr[r15 + 8], rbx);
        a.mov(__qword_ptr[r15 + 16], rcx);
        a.mov(__qword_ptr[r15 + 24], rdx);
        a.mov(__qword_ptr[r15 + 32], rsi);
        a.mov(__qword_ptr[r15 + 40], rdi);
        a.pop(r15);
        a.pop(r14);
        a.pop(r13);
        a.pop(r12);
        a.pop(rbp);
        a.pop(rbx);
        a.ret();
    });

    private byte* _page;

    public HostCpu(byte[] insn)
    {
        void* p = mmap(null, Size, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if ((nint)p == -1)
        {
            throw new InvalidOperationException($"mmap failed: errno {Marshal.GetLastPInvokeError()}");
        }

        _page = (byte*)p;
        Span<byte> code = new(_page, (int)Size);
        Prologue.CopyTo(code);
        insn.CopyTo(code.Slice(Prologue.Length));
        Epilogue.CopyTo(code.Slice(Prologue.Length + insn.Length));
        if (mprotect(_page, Size, ProtRead | ProtExec) != 0)
        {
            throw new InvalidOperationException($"mprotect failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Runs the instruction on <paramref name="s"/> in place.</summary>
    public void Run(ref RegState s)
    {
        if (_page == null)
        {
            throw new ObjectDisposedException(nameof(HostCpu));
        }

        // Only the arithmetic flags and reserved bit 1: no TF, no DF (the ABI wants it clear), no AC.
        s.Rflags = (s.Rflags & 0x8D5) | 2;
        fixed (RegState* ps = &s)
        {
            ((delegate* unmanaged<RegState*, void>)_page)(ps);
        }
    }

    public void Dispose()
    {
        if (_page != null)
        {
            munmap(_page, Size);
            _page = null;
        }
    }

    /// <summary>Assembles 64-bit code with Iced (no RIP-relative operands, so the address does not matter).</summary>
    public static byte[] Assemble(Action<Assembler> emit)
    {
        Assembler a = new(64);
        emit(a);
        using MemoryStream ms = new();
        a.Assemble(new StreamCodeWriter(ms), 0);
        return ms.ToArray();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern void* mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);

    [DllImport("libc", SetLastError = true)]
    private static extern int mprotect(void* addr, nuint length, int prot);

    [DllImport("libc", SetLastError = true)]
    private static extern int munmap(void* addr, nuint length);
}
