namespace X64Emu.Cpu;

/// <summary>Why <see cref="Cpu.Run"/> returned to the guest kernel. Handlers return these as ints.</summary>
public enum ExitReason
{
    /// <summary>Handler result: continue with the next instruction of the block (never returned by Run).</summary>
    Continue = 0,

    /// <summary>Handler result: the block ended, RIP is set (never returned by Run).</summary>
    BlockEnd = 1,

    /// <summary>A SYSCALL instruction: RIP points after it, RCX/R11 are set.</summary>
    Syscall = 2,

    /// <summary>A memory fault: RIP points at the faulting instruction, details in <see cref="Cpu.Mmu"/>.LastFault.</summary>
    PageFault = 3,

    /// <summary>An invalid or unimplemented instruction (#UD → SIGILL): RIP points at it.</summary>
    InvalidOpcode = 4,

    /// <summary>Divide error (#DE → SIGFPE/FPE_INTDIV).</summary>
    DivideError = 5,

    /// <summary>General protection (#GP → SIGSEGV SI_KERNEL): privileged instruction, misaligned SSE operand, non-canonical address.</summary>
    GeneralProtection = 6,

    /// <summary>INT3 (#BP → SIGTRAP).</summary>
    Breakpoint = 7,

    /// <summary>Another thread asked this CPU to stop and return (signal, exit_group).</summary>
    Interrupted = 8,

    /// <summary>A SIMD floating-point exception (#XM → SIGFPE) or x87 error.</summary>
    FloatingPointError = 9,

    /// <summary>HLT or another privileged instruction in user mode (→ SIGSEGV).</summary>
    Privileged = 10,
}
