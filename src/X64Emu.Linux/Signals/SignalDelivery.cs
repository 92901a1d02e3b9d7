using System;
using System.Buffers.Binary;
using X64Emu.Cpu;
using X64Emu.Cpu.Flags;
using X64Emu.Linux.Signals;
using X64Emu.Linux.Syscalls;

namespace X64Emu.Linux.Tasks;

public sealed partial class GuestThread
{
    // Kernel layouts (arch/x86/include/uapi/asm/sigcontext.h, ucontext.h; arch/x86/kernel/signal_64.c).
    /// <summary>Offset in the FXSAVE area of the saved PKRU (reserved bytes the hardware ignores).</summary>
    private const int PkruSlot = 416;

    private const int FrameSize = 440;       // pretcode 8 + ucontext 304 + siginfo 128
    private const int UcOffset = 8;
    private const int McOffset = UcOffset + 40;
    private const int SigmaskOffset = UcOffset + 296;
    private const int InfoOffset = 312;
    private const ulong UcSigcontextSs = 2;
    private const ulong UcStrictRestoreSs = 4;

    /// <summary>Takes the next deliverable signal (thread-directed first, lowest number first).</summary>
    private bool TryDequeue(out int sig, out SigInfo info)
    {
        lock (Process.Lock)
        {
            ulong ready = Pending & (~SigMask | Sig.Unblockable);
            bool shared = false;
            if (ready == 0)
            {
                ready = Process.SharedPending & (~SigMask | Sig.Unblockable);
                shared = true;
            }

            if (ready == 0)
            {
                sig = 0;
                info = default;
                return false;
            }

            // Synchronous signals (SEGV, BUS, ILL, TRAP, FPE) go first, as Linux's next_signal does.
            const ulong Sync = (1UL << (Sig.SIGSEGV - 1)) | (1UL << (Sig.SIGBUS - 1)) | (1UL << (Sig.SIGILL - 1))
                | (1UL << (Sig.SIGTRAP - 1)) | (1UL << (Sig.SIGFPE - 1));
            ulong pick = (ready & Sync) != 0 ? ready & Sync : ready;
            sig = System.Numerics.BitOperations.TrailingZeroCount(pick) + 1;
            if (shared)
            {
                Process.SharedPending &= ~Sig.Bit(sig);
                info = Process.SharedInfo[sig];
            }
            else
            {
                Pending &= ~Sig.Bit(sig);
                info = PendingInfo[sig];
            }

            return true;
        }
    }

    /// <summary>True when a signal is pending that the thread does not block (for EINTR).</summary>
    public bool HasDeliverableSignal
    {
        get
        {
            lock (Process.Lock)
            {
                return ((Pending | Process.SharedPending) & (~SigMask | Sig.Unblockable)) != 0;
            }
        }
    }

    /// <summary>Delivers pending signals: default actions, or handler frames on the guest stack.</summary>
    public void DeliverSignals()
    {
        while (!Exiting && TryDequeue(out int sig, out SigInfo info))
        {
            SigAction act = Process.Actions[sig];
            if (Kernel.Options.Strace)
            {
                Kernel.Trace.Signal(this, info);
            }

            if (sig != Sig.SIGKILL && sig != Sig.SIGSTOP && act.Handler == SigAction.SigIgn)
            {
                continue;
            }

            if (sig == Sig.SIGKILL || sig == Sig.SIGSTOP || act.Handler == SigAction.SigDfl)
            {
                switch (Sig.Default(sig))
                {
                    case Sig.DefaultAction.Ignore:
                    case Sig.DefaultAction.Continue:
                        continue;
                    case Sig.DefaultAction.Stop:
                        // TODO(#3): job-control stops; until then SIGSTOP and friends are ignored, and said so.
                        Kernel.ReportOnce("stop-signals", $"x64emu: {Sig.Name(sig)} would stop the process; job-control stops are not emulated, ignoring it");
                        continue;
                    default:
                        Kernel.KillProcessBySignal(this, sig, core: Sig.Default(sig) == Sig.DefaultAction.CoreDump);
                        return;
                }
            }

            if (!SetupFrame(sig, info, act))
            {
                // The frame could not be written: Linux's force_sigsegv.
                Process.Actions[Sig.SIGSEGV].Handler = SigAction.SigDfl;
                Kernel.KillProcessBySignal(this, Sig.SIGSEGV, core: true);
                return;
            }

            if ((act.Flags & SigAction.SaResetHand) != 0)
            {
                Process.Actions[sig].Handler = SigAction.SigDfl;
            }
        }

        if (SavedMaskForSuspend is ulong saved)
        {
            // rt_sigsuspend woke for a signal that ran no handler: the old mask comes back now.
            SigMask = saved;
            SavedMaskForSuspend = null;
        }
    }

    private bool SetupFrame(int sig, SigInfo info, SigAction act)
    {
        ulong sp = Cpu.Gpr(Reg.Rsp);
        bool onAlt = AltStackSize != 0 && sp - AltStackSp < AltStackSize;
        if ((act.Flags & SigAction.SaOnStack) != 0 && (AltStackFlags & 2) == 0 && !onAlt)
        {
            sp = AltStackSp + AltStackSize;
        }
        else
        {
            sp -= 128; // red zone
        }

        sp = (sp - (ulong)X64Emu.Cpu.Cpu.FxStateSize) & ~63UL;
        ulong fpstate = sp;
        sp = ((sp - FrameSize) & ~15UL) - 8;
        ulong frame = sp;

        Span<byte> fx = stackalloc byte[X64Emu.Cpu.Cpu.FxStateSize];
        Cpu.SaveFxState(fx);

        // Linux saves PKRU with the extended state and runs the handler with the default PKRU
        // (fpu__clear_user_states → pkru_write_default); rt_sigreturn restores it. The frame here is
        // FXSAVE-sized, so PKRU rides in its reserved bytes 416..463.
        BinaryPrimitives.WriteUInt32LittleEndian(fx.Slice(PkruSlot), Mmu.Pkru);
        Span<byte> f = stackalloc byte[FrameSize];
        f.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(f, act.Restorer);
        BinaryPrimitives.WriteUInt64LittleEndian(f.Slice(UcOffset), UcSigcontextSs | UcStrictRestoreSs);
        BinaryPrimitives.WriteUInt64LittleEndian(f.Slice(UcOffset + 16), AltStackSp);
        BinaryPrimitives.WriteInt32LittleEndian(f.Slice(UcOffset + 24), onAlt ? 1 : AltStackFlags);
        BinaryPrimitives.WriteUInt64LittleEndian(f.Slice(UcOffset + 32), AltStackSize);
        WriteSigcontext(f.Slice(McOffset, 256), fpstate);
        BinaryPrimitives.WriteUInt64LittleEndian(f.Slice(SigmaskOffset), SavedMaskForSuspend ?? SigMask);
        SavedMaskForSuspend = null;
        info.WriteTo(f.Slice(InfoOffset, 128));

        if (!Process.Mm.WriteUser(fpstate, fx) || !Process.Mm.WriteUser(frame, f))
        {
            return false;
        }

        Mmu.SetPkru(X64Emu.Memory.Mmu.InitPkru);
        Cpu.Gpr(Reg.Rdi) = (ulong)sig;
        Cpu.Gpr(Reg.Rsi) = frame + InfoOffset;
        Cpu.Gpr(Reg.Rdx) = frame + UcOffset;
        Cpu.Gpr(Reg.Rax) = 0;
        Cpu.Gpr(Reg.Rsp) = frame;
        Cpu.R.Rip = act.Handler;

        // The handler starts with DF clear and TF clear (SDM / Linux signal ABI).
        Cpu.FlagsOther &= ~(RFlags.DF | RFlags.TF);
        SigMask |= act.Mask | ((act.Flags & SigAction.SaNoDefer) == 0 ? Sig.Bit(sig) : 0);
        SigMask &= ~Sig.Unblockable;
        return true;
    }

    private void WriteSigcontext(Span<byte> m, ulong fpstate)
    {
        int[] order = { Reg.R8, Reg.R9, Reg.R10, Reg.R11, Reg.R12, Reg.R13, Reg.R14, Reg.R15, Reg.Rdi, Reg.Rsi, Reg.Rbp, Reg.Rbx, Reg.Rdx, Reg.Rax, Reg.Rcx, Reg.Rsp };
        for (int i = 0; i < order.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(m.Slice(i * 8), Cpu.Gpr(order[i]));
        }

        BinaryPrimitives.WriteUInt64LittleEndian(m.Slice(128), Cpu.R.Rip);
        BinaryPrimitives.WriteUInt64LittleEndian(m.Slice(136), Cpu.Rflags);
        BinaryPrimitives.WriteUInt16LittleEndian(m.Slice(144), 0x33); // cs
        BinaryPrimitives.WriteUInt16LittleEndian(m.Slice(150), 0x2B); // ss
        BinaryPrimitives.WriteUInt64LittleEndian(m.Slice(152), LastErrorCode);
        BinaryPrimitives.WriteUInt64LittleEndian(m.Slice(160), LastTrapNo);
        BinaryPrimitives.WriteUInt64LittleEndian(m.Slice(168), SigMask);
        BinaryPrimitives.WriteUInt64LittleEndian(m.Slice(176), LastCr2);
        BinaryPrimitives.WriteUInt64LittleEndian(m.Slice(184), fpstate);
    }

    /// <summary>rt_sigreturn: restores registers, mask and FP state from the frame the handler returned through.</summary>
    /// <returns>The restored RAX (the dispatcher stores the return value into RAX).</returns>
    public long SigReturn()
    {
        ulong uc = Cpu.Gpr(Reg.Rsp); // the handler's RET popped pretcode: RSP points at the ucontext
        Span<byte> u = stackalloc byte[304];
        if (!Process.Mm.ReadUser(uc, u))
        {
            Kernel.KillProcessBySignal(this, Sig.SIGSEGV, core: true);
            return 0;
        }

        Span<byte> m = u.Slice(40, 256);
        int[] order = { Reg.R8, Reg.R9, Reg.R10, Reg.R11, Reg.R12, Reg.R13, Reg.R14, Reg.R15, Reg.Rdi, Reg.Rsi, Reg.Rbp, Reg.Rbx, Reg.Rdx, Reg.Rax, Reg.Rcx, Reg.Rsp };
        for (int i = 0; i < order.Length; i++)
        {
            Cpu.Gpr(order[i]) = BinaryPrimitives.ReadUInt64LittleEndian(m.Slice(i * 8));
        }

        Cpu.R.Rip = BinaryPrimitives.ReadUInt64LittleEndian(m.Slice(128));
        ulong flags = BinaryPrimitives.ReadUInt64LittleEndian(m.Slice(136));
        Cpu.Rflags = (Cpu.Rflags & ~RFlags.UserWritable) | (flags & RFlags.UserWritable);
        ulong fpstate = BinaryPrimitives.ReadUInt64LittleEndian(m.Slice(184));
        if (fpstate != 0)
        {
            Span<byte> fx = stackalloc byte[X64Emu.Cpu.Cpu.FxStateSize];
            if (!Process.Mm.ReadUser(fpstate, fx) || !Cpu.RestoreFxState(fx))
            {
                Kernel.KillProcessBySignal(this, Sig.SIGSEGV, core: true);
                return 0;
            }

            Mmu.SetPkru(BinaryPrimitives.ReadUInt32LittleEndian(fx.Slice(PkruSlot)));
        }

        SigMask = BinaryPrimitives.ReadUInt64LittleEndian(u.Slice(296)) & ~Sig.Unblockable;
        ulong altSp = BinaryPrimitives.ReadUInt64LittleEndian(u.Slice(16));
        int altFlags = BinaryPrimitives.ReadInt32LittleEndian(u.Slice(24));
        ulong altSize = BinaryPrimitives.ReadUInt64LittleEndian(u.Slice(32));
        if ((altFlags & 1) == 0)
        {
            // restore_altstack: the handler may have changed it through uc_stack.
            AltStackSp = altSp;
            AltStackSize = altSize;
            AltStackFlags = altFlags;
        }

        return (long)Cpu.Gpr(Reg.Rax);
    }
}
